"""``/v1/audit``: events, tree heads, proofs, verification and export (compliance, admin)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.app.context import app_context, get_db, get_key_service, resolve
from service.app.routing import AuditedRoute, operation
from service.audit.export import export_csv, export_jsonl
from service.audit.models import AuditEvent
from service.audit.proofs import StoredTree
from service.audit.queries import EventFilter, event_view, list_events, list_queued
from service.audit.schemas import (
    AuditEventPage,
    ConsistencyProofRead,
    InclusionProofRead,
    SthRead,
    VerifyRead,
)
from service.audit.tree_heads import head_of_size, latest_head, sth_view
from service.audit.verify import verify_with
from service.core.db import make_read_session_factory, snapshot
from service.core.errors import Conflict, NotFound, ValidationFailed
from service.core.pagination import Cursor, Limit, decode_cursor, page
from service.core.timeparse import ApiTime

router = APIRouter(prefix="/v1/audit", route_class=AuditedRoute, tags=["audit"])

Outcome = Literal["allowed", "denied", "error"]
# Sizes and positions are BIGINT in the database: a larger number is a 422, not a 500.
MAX_POSITION = 2**63 - 1
TreeSize = Annotated[int | None, Query(ge=1, le=MAX_POSITION)]
MAX_EVENT_ID = 40


async def event_filter(
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
    queued: bool = False,
) -> AuditEventPage:
    after = decode_cursor(cursor) or 0
    lowest = -MAX_POSITION if queued else 0  # a queued row's pk may be anything a writer chose
    if not isinstance(after, int) or isinstance(after, bool) or not lowest <= after <= MAX_POSITION:
        raise ValidationFailed("The cursor is not valid.")
    if queued:
        after_pk = after if cursor is not None else None
        rows = list_queued(db, filters, after_pk=after_pk, limit=limit + 1)
        result = page(rows, limit, lambda e: e.pk)
    else:
        rows = list_events(db, filters, after_seq=after, limit=limit + 1)
        result = page(rows, limit, lambda e: e.seq)
    result["data"] = [event_view(e) for e in result["data"]]
    return AuditEventPage.model_validate(result)


def _head(db: Session, tree_size: int | None) -> Any:
    head = latest_head(db) if tree_size is None else head_of_size(db, tree_size)
    if head is None:
        raise NotFound("No signed tree head of that size." if tree_size else "The trail is empty.")
    return head


@router.get("/sth", **operation(Action.AUDIT_TREE_HEAD))
def get_sth(db: Annotated[Session, Depends(get_db)], tree_size: TreeSize = None) -> SthRead:
    return SthRead.model_validate(sth_view(_head(db, tree_size)))


@router.get("/events/{event_id}/proof", **operation(Action.AUDIT_PROOF))
def get_proof(
    event_id: Annotated[str, Path()],
    db: Annotated[Session, Depends(get_db)],
    tree_size: TreeSize = None,
) -> InclusionProofRead:
    event = (
        db.scalar(select(AuditEvent).where(AuditEvent.id == event_id))
        if len(event_id) <= MAX_EVENT_ID
        else None
    )
    if event is None:
        raise NotFound("No audit event with that id.")
    if event.seq is None:
        raise Conflict("The event is queued: it has no place in the tree yet.")
    head = _head(db, tree_size)
    if event.seq > head.tree_size:
        raise Conflict("The event is not in the tree of that size.")
    path = StoredTree(db).inclusion_path(event.seq - 1, head.tree_size)
    return InclusionProofRead(
        leaf_index=event.seq - 1,
        tree_size=head.tree_size,
        leaf_hash=event.leaf_hash,
        audit_path=[node.hex() for node in path],
        sth=SthRead.model_validate(sth_view(head)),
    )


@router.get("/consistency", **operation(Action.AUDIT_PROOF))
def get_consistency(
    first: Annotated[int, Query(ge=1, le=MAX_POSITION)],
    second: Annotated[int, Query(ge=1, le=MAX_POSITION)],
    db: Annotated[Session, Depends(get_db)],
) -> ConsistencyProofRead:
    if first > second:
        raise ValidationFailed("'first' must not be larger than 'second'.")
    first_head, second_head = _head(db, first), _head(db, second)
    proof = StoredTree(db).consistency_proof(first, second)
    return ConsistencyProofRead(
        first=first,
        second=second,
        proof=[node.hex() for node in proof],
        sths=[SthRead.model_validate(sth_view(head)) for head in (first_head, second_head)],
    )


@router.get("/verify", **operation(Action.AUDIT_VERIFY))
def verify(request: Request) -> VerifyRead:
    ctx = app_context(request)
    keys = resolve(request, get_key_service)
    with snapshot(ctx.engine) as connection:
        result = verify_with(
            connection, keys, anchor_file=ctx.settings.audit_anchor_file, sealer=ctx.audit.sealer
        )
    return VerifyRead.model_validate(result.as_dict())


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
