"""A request's audit event, written by whichever route class answered it.

The API's route class (service/app/routing.py), the console's and the subscriber pages' all end
a request the same way: the event joins the request's transaction and both commit, or — when
that transaction could not commit — the event is written alone, in a transaction of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy.orm import Session

from service.app.context import AppContext, app_context, get_audit_log, resolve
from service.audit.log import forget_noted_event
from service.audit.recorder import AuditRecord
from service.core.db import is_read_only, wrote_anything
from service.redaction.access_line import request_id_label

log = logging.getLogger("strongroom.requests")


def commit_with_event(request: Request, session: Session, record: AuditRecord, status: int) -> None:
    """Append the request's event to its transaction, then commit the effect and the event.

    A request whose transaction changed nothing (a read, a refusal, a rolled-back failure) has
    no effect to commit with: its transaction ends and its event goes to the group appender,
    which writes it with the other requests' events of the moment (PostgreSQL) — or, on
    SQLite, after a read-only session, in a short write transaction of its own."""
    audit = resolve(request, get_audit_log)
    if not wrote_anything(session):
        if audit.appender is not None:
            session.commit()
            audit.request_alone(request, record, status=status)
            return
        if is_read_only(session):  # SQLite: the event needs the write lock this never took
            session.commit()
            with app_context(request).session_factory() as writer:
                audit.request(writer, request, record, status=status)
                _commit_event(request, writer)
            return
    audit.request(session, request, record, status=status)
    _commit_event(request, session)


def _commit_event(request: Request, session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        forget_noted_event(request)  # not written: the access line names no event
        raise


def reads_for_the_group(request: Request, session: Session) -> bool:
    """A read on PostgreSQL: its session runs each statement in autocommit (ending it sends
    nothing) and its event goes to the group appender, which the event loop can wait on."""
    return (
        resolve(request, get_audit_log).appender is not None
        and session.get_bind().get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    )


def ends_on_the_loop(request: Request, session: Session) -> bool:
    """Whether the request can end without the thread pool (:func:`end_on_the_loop`)."""
    return reads_for_the_group(request, session) and not wrote_anything(session)


async def end_on_the_loop(
    request: Request, session: Session, record: AuditRecord, status: int
) -> None:
    """``commit_with_event`` for a request :func:`ends_on_the_loop` allows: the same steps,
    with one trip to the thread pool fewer (and no thread held while its group is written).
    The session only read, each statement in autocommit: closing it ends it (a commit would
    send nothing either, and costs the unit of work's bookkeeping)."""
    session.close()
    await resolve(request, get_audit_log).request_alone_async(request, record, status=status)


@dataclass
class EndingInThread:
    """How a request with no idempotency claim ends in the thread its endpoint ran in, right
    after the endpoint returned: the event joins the transaction and both commit, as
    :func:`commit_with_event` would one trip to the thread pool later. ``status`` is what the
    route answers when its endpoint returns a value."""

    request: Request
    session: Session
    record: AuditRecord
    status: int
    answered: int | None = None  # set once the effect and the event are committed

    def after(self, result: object) -> None:
        status = result.status_code if isinstance(result, Response) else self.status
        commit_with_event(self.request, self.session, self.record, status)
        self.answered = status  # committed: whatever fails from here adds no second event
        self.session.close()


def record_event_alone(request: Request, ctx: AppContext, record: AuditRecord, status: int) -> None:
    """Record a request whose own transaction could not commit, if the database allows."""
    try:
        with ctx.session_factory() as session:
            commit_with_event(request, session, record, status)
    except Exception:  # noqa: BLE001 - the database is gone; the log line is all we have
        log.error(
            "audit event could not be written",
            extra={
                "action": record.action,
                "status": status,
                "request_id": request_id_label(request.scope.get("state", {}).get("request_id")),
            },
        )
