"""``/v1/audit``: events, verification and export (roles compliance and admin)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.audit.export import export_csv, export_jsonl
from service.audit.queries import EventFilter, event_view, list_events
from service.audit.verify import verify_chain
from service.core.context import app_context, get_db, get_key_service, resolve
from service.core.db import make_read_session_factory
from service.core.errors import ValidationFailed
from service.core.pagination import Cursor, Limit, decode_cursor, page
from service.core.routing import AuditedRoute, operation
from service.core.timeparse import ApiTime

router = APIRouter(prefix="/v1/audit", route_class=AuditedRoute, tags=["audit"])

Outcome = Literal["allowed", "denied", "error"]


def event_filter(
    actor: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    target: Annotated[str | None, Query(max_length=100)] = None,
    request_id: Annotated[str | None, Query(max_length=128)] = None,
    outcome: Outcome | None = None,
    from_: Annotated[ApiTime | None, Query(alias="from")] = None,
    to: ApiTime | None = None,
) -> EventFilter:
    if from_ is not None and to is not None and from_ > to:
        raise ValidationFailed("'from' must not be after 'to'.")
    return EventFilter(
        actor=actor,
        action=action,
        target=target,
        request_id=request_id,
        outcome=outcome,
        start=from_,
        end=to,
    )


@router.get("/events", **operation(Action.AUDIT_LIST))
def get_events(
    filters: Annotated[EventFilter, Depends(event_filter)],
    db: Annotated[Session, Depends(get_db)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    after = decode_cursor(cursor) or 0
    if not isinstance(after, int):
        raise ValidationFailed("The cursor is not valid.")
    rows = list_events(db, filters, after_seq=after, limit=limit + 1)
    result = page(rows, limit, lambda e: e.seq)
    result["data"] = [event_view(e) for e in result["data"]]
    return result


@router.get("/verify", **operation(Action.AUDIT_VERIFY))
def verify(request: Request, db: Annotated[Session, Depends(get_db)]) -> dict[str, Any]:
    return verify_chain(db.connection(), resolve(request, get_key_service)).as_dict()


@router.get("/export", **operation(Action.AUDIT_EXPORT), response_class=StreamingResponse)
def export(
    request: Request,
    filters: Annotated[EventFilter, Depends(event_filter)],
    format: Literal["jsonl", "csv"] = "jsonl",
) -> StreamingResponse:
    factory = make_read_session_factory(app_context(request).engine)
    if format == "csv":
        return StreamingResponse(export_csv(factory, filters), media_type="text/csv")
    return StreamingResponse(export_jsonl(factory, filters), media_type="application/x-ndjson")
