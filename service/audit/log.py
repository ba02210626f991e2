"""The one writer of audit events: :class:`AuditLog`, in the app context as ``ctx.audit``.

Every event goes through it, so the moment, the request facts and the system identity are
filled in one place; the storage path stays :mod:`service.audit.recorder` (a queued INSERT in
the caller's transaction, so an effect and its event commit together or not at all).

- :meth:`AuditLog.request`: the one event of an HTTP request (API, console, pause link page,
  unknown route), with its request id and client address.
- :meth:`AuditLog.system`: an event nobody's request caused (jobs, key rotation, the command
  line), actor ``system`` unless a person is known (``cli:<user>@<host>``).
- :meth:`AuditLog.records`: many prepared records at once (a job's batch, a bulk operation's
  per-subscription events).
- :meth:`AuditLog.committed`: a system event in a transaction of its own, for what must stay
  whatever follows (a key change's ``intent``).
- :meth:`AuditLog.request_alone`: the event of a request that changed nothing, handed to the
  process's :class:`~service.audit.group_commit.GroupAppender` (PostgreSQL) to be written with
  other requests' events in one INSERT; it returns once the event is durable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from service.audit.chain import format_time
from service.audit.group_commit import GroupAppender
from service.audit.ports import TrailKeys
from service.audit.recorder import (
    SYSTEM_ACTOR,
    AuditRecord,
    append_event,
    append_events,
    new_event_id,
    queued_row,
)
from service.audit.seal import EventSealer
from service.audit.sequencer import Sequencer
from service.core.client_address import client_address
from service.core.clock import Clock, SystemClock
from service.core.config import Settings
from service.core.db import transaction
from service.redaction.access_line import EVENT_ID_STATE, MORE_EVENTS_STATE


def system_record(
    action: str,
    targets: Iterable[str] = (),
    *,
    actor: str = SYSTEM_ACTOR,
    role: str = SYSTEM_ACTOR,
    purpose: str | None = None,
) -> AuditRecord:
    """A record of something the service did by itself (or an operator from the shell)."""
    return AuditRecord(
        action=action, actor=actor, role=role, targets=list(targets), purpose=purpose
    )


class AuditLog:
    """Writes events into the caller's session; never commits (except :meth:`committed`)."""

    def __init__(
        self,
        clock: Clock,
        *,
        sealer: EventSealer | None = None,
        trusted_proxies: str = "",
        appender: GroupAppender | None = None,
    ) -> None:
        """``sealer``: for events written without a session (:meth:`request_alone`); events
        written in a session are sealed by its factory's sealer."""
        self.clock = clock
        self.sealer = sealer
        self.trusted_proxies = trusted_proxies
        self.appender = appender

    def request(
        self, session: Session, connection: HTTPConnection, record: AuditRecord, *, status: int
    ) -> str:
        """The request's own event: its outcome from ``status``, its request id and address."""
        event_id = append_event(
            session,
            record,
            at=self.clock.now(),
            status=status,
            request_id=_request_id(connection),
            source_ip=client_address(connection, self.trusted_proxies),
        )
        return _noted(connection, event_id)

    def request_alone(self, connection: HTTPConnection, record: AuditRecord, *, status: int) -> str:
        """The event of a request that changed nothing, written with other such events; only
        with an appender (check :attr:`appender`). Raises if the event could not be written."""
        appender, row = self._alone(connection, record, status)
        appender.append(row)
        return _noted(connection, str(row["id"]))

    async def request_alone_async(
        self, connection: HTTPConnection, record: AuditRecord, *, status: int
    ) -> str:
        """:meth:`request_alone` from the event loop, without a thread of its own."""
        appender, row = self._alone(connection, record, status)
        await appender.append_async(row)
        return _noted(connection, str(row["id"]))

    def _alone(
        self, connection: HTTPConnection, record: AuditRecord, status: int
    ) -> tuple[GroupAppender, dict[str, Any]]:
        if self.appender is None or self.sealer is None:
            raise RuntimeError(
                "no group appender (or no sealer): append the event in the request's session"
            )
        row = queued_row(
            new_event_id(),
            format_time(self.clock.now()),
            record,
            status,
            _request_id(connection),
            client_address(connection, self.trusted_proxies),
            sealer=self.sealer,
        )
        return self.appender, row

    def system(
        self,
        session: Session,
        action: str,
        targets: Iterable[str] = (),
        *,
        actor: str = SYSTEM_ACTOR,
        role: str = SYSTEM_ACTOR,
        purpose: str | None = None,
        status: int | None = None,
        at: datetime | None = None,
    ) -> str:
        """One event no request caused. ``at``: the job's own ``now`` when it has one."""
        record = system_record(action, targets, actor=actor, role=role, purpose=purpose)
        return append_event(session, record, at=at or self.clock.now(), status=status)

    def committed(
        self,
        session_factory: sessionmaker[Session],
        action: str,
        *,
        actor: str = SYSTEM_ACTOR,
        purpose: str | None = None,
        status: int | None = None,
        at: datetime | None = None,
    ) -> str:
        """:meth:`system` in a transaction of its own, committed before returning: for events
        that must stay whatever follows (a key change's ``intent``, then ``done`` or
        ``failed``)."""
        with transaction(session_factory) as session:
            return self.system(session, action, actor=actor, purpose=purpose, status=status, at=at)

    def records(
        self,
        session: Session,
        records: Sequence[AuditRecord],
        *,
        status: int | None = None,
        at: datetime | None = None,
        request: HTTPConnection | None = None,
    ) -> int:
        """Many prepared records with one statement; returns how many. With ``request``, they
        carry its request id and its access line counts them (``aud_…+N``)."""
        count = append_events(
            session,
            records,
            at=at or self.clock.now(),
            status=status,
            request_id=None if request is None else _request_id(request),
        )
        if request is not None and count:
            state = request.scope.setdefault("state", {})
            state[MORE_EVENTS_STATE] = state.get(MORE_EVENTS_STATE, 0) + count
        return count


def _noted(connection: HTTPConnection, event_id: str) -> str:
    """The request's event id, kept in the scope for its access line (the last written wins:
    an event written alone after the request's transaction failed replaces the lost one)."""
    connection.scope.setdefault("state", {})[EVENT_ID_STATE] = event_id
    return event_id


def forget_noted_event(connection: HTTPConnection) -> None:
    """The request's events did not commit: its access line must not name them."""
    state = connection.scope.get("state", {})
    state.pop(EVENT_ID_STATE, None)
    state.pop(MORE_EVENTS_STATE, None)


def _request_id(connection: HTTPConnection) -> str | None:
    # scope state, not request.state: an unrouted request may never have been given one
    return connection.scope.get("state", {}).get("request_id")  # type: ignore[no-any-return]


def wall_clock_audit() -> AuditLog:
    """The writer outside the app (the command line, key rotation): wall-clock time, as the
    shell has no test clock."""
    return _WALL_CLOCK_LOG


_WALL_CLOCK_LOG = AuditLog(SystemClock())


def build_sequencer(
    settings: Settings, session_factory: sessionmaker[Session], key_service: TrailKeys
) -> Sequencer:
    """The sequencer with its signer, anchors and batch size from settings: one place, for the
    app, the ``audit sequence`` command and the demo alike."""
    return Sequencer(
        session_factory,
        key_service,
        anchors=key_service,
        anchor_file=settings.audit_anchor_file,
        batch_size=settings.audit_sequence_batch,
    )
