"""The trail: search, one event, and the trail's health."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from service.access.actions import Action
from service.app.context import get_clock, get_key_service, resolve
from service.audit.checker import sth_signature_valid, verify_inclusion
from service.audit.models import AuditEvent
from service.audit.proofs import StoredTree
from service.audit.queries import EventFilter, event_view, list_events
from service.audit.tree_heads import latest_head, sth_view
from service.audit.verify import public_keys, verify_with
from service.console.forms import window
from service.console.routing import ConsoleRoute, console_page, render
from service.core.errors import NotFound, ValidationFailed
from service.core.pagination import decode_cursor, encode_cursor

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

PAGE_SIZE = 50
OUTCOMES = ("allowed", "denied", "error")
# What a person reads about an event; the tree's own fields belong to the proof section.
EVENT_FIELDS = (
    "seq",
    "id",
    "at",
    "actor",
    "role",
    "action",
    "targets",
    "purpose",
    "fields",
    "outcome",
    "status",
    "request_id",
    "source_ip",
)

Text = Annotated[str, Query(max_length=128)]


@router.get("/trail", **console_page(Action.AUDIT_LIST))
def trail(
    request: Request,
    actor: Text = "",
    action: Text = "",
    target: Text = "",
    outcome: Text = "",
    request_id: Text = "",
    from_: Annotated[str, Query(alias="from", max_length=40)] = "",
    to: Annotated[str, Query(max_length=40)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    if outcome and outcome not in OUTCOMES:
        raise ValidationFailed("Outcome: allowed, denied or error.")
    start, end = window(from_, to)
    filters = EventFilter(
        actor=actor.strip() or None,
        action=action.strip() or None,
        target=target.strip() or None,
        outcome=outcome or None,
        request_id=request_id.strip() or None,
        start=start,
        end=end,
    )
    after = decode_cursor(cursor or None) or 0
    if not isinstance(after, int):
        raise ValidationFailed("The cursor is not valid.")
    rows = list_events(request.state.db, filters, after_seq=after, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    query = {"actor": actor, "action": action, "target": target, "outcome": outcome}
    query["request_id"] = request_id
    query |= {"from": from_, "to": to}
    kept = {k: v for k, v in query.items() if v}
    next_url = None
    if more:
        next_url = "/console/trail?" + urlencode({**kept, "cursor": encode_cursor(rows[-1].seq)})
    return render(
        request,
        "trail.html",
        title="Audit trail",
        events=[event_view(e) for e in rows],
        query=query,
        outcomes=OUTCOMES,
        next_url=next_url,
        first_url="/console/trail?" + urlencode(kept) if cursor else None,
    )


@router.get("/trail/{event_id}", **console_page(Action.AUDIT_LIST))
def event_page(request: Request, event_id: str) -> Response:
    event = request.state.db.scalar(select(AuditEvent).where(AuditEvent.id == event_id))
    if event is None:
        raise NotFound("No such event.")
    view = event_view(event)
    return render(
        request,
        "event.html",
        title=f"Event {event.id}",
        event=view,
        fields=EVENT_FIELDS,
        proof=_proof(request, event),
    )


def _proof(request: Request, event: AuditEvent) -> dict[str, Any] | None:
    """The event's inclusion proof against the latest signed tree head, checked here as an
    auditor would check it (signature, then the path up to the signed root)."""
    if event.seq is None or event.leaf_hash is None:
        return {
            "ok": False,
            "summary": "Queued: the sequencer has not placed it in the tree yet.",
            "details": [],
        }
    db = request.state.db
    head = latest_head(db)
    if head is None or head.tree_size < event.seq:
        return None
    path = StoredTree(db).inclusion_path(event.seq - 1, head.tree_size)
    keys = public_keys(resolve(request, get_key_service).audit_public_keys())
    signed = sth_signature_valid(sth_view(head), keys)
    included = verify_inclusion(
        event.seq - 1,
        head.tree_size,
        bytes.fromhex(event.leaf_hash),
        path,
        bytes.fromhex(head.root_hash),
    )
    ok = signed and included
    summary = (
        f"Included in the signed tree of {head.tree_size} events (proof checked)."
        if ok
        else "The proof does NOT check out against the signed tree head."
    )
    details = [
        ("leaf hash", event.leaf_hash),
        ("tree size", str(head.tree_size)),
        ("root hash", head.root_hash),
        ("signed at (ms)", str(head.timestamp)),
        ("key version", str(head.key_version)),
        *((f"path {n}", node.hex()) for n, node in enumerate(path)),
    ]
    return {"ok": ok, "summary": summary, "details": details}


@router.get("/health", **console_page(Action.AUDIT_VERIFY))
def health(request: Request) -> Response:
    db = request.state.db
    previous = db.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == Action.AUDIT_VERIFY.value, AuditEvent.outcome == "allowed")
        .order_by(AuditEvent.at.desc())
        .limit(1)
    )
    result = verify_with(db.connection(), resolve(request, get_key_service)).as_dict()
    return render(
        request,
        "health.html",
        title="Trail health",
        result=result,
        verified_at=resolve(request, get_clock).now(),
        previous=event_view(previous) if previous is not None else None,
    )
