"""``/v1/webhook-endpoints`` (admin) and ``/v1/events`` (polling consumers)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.app.context import app_context, get_clock, get_db, get_key_service
from service.app.routing import AuditedRoute, current_audit, operation
from service.core.clock import Clock
from service.core.errors import ValidationFailed
from service.core.pagination import Cursor, Limit, decode_cursor, page
from service.core.timeparse import format_api_time
from service.events.delivery import delivery_view
from service.events.models import Delivery, Event, WebhookEndpoint
from service.events.schemas import (
    DeliveryPage,
    EventPage,
    WebhookEndpointCreate,
    WebhookEndpointDeletedRead,
    WebhookEndpointPage,
    WebhookEndpointRead,
)
from service.events.types import EventType
from service.events.webhooks import (
    create_endpoint,
    delete_endpoint,
    endpoint_view,
    get_endpoint,
    loopback_receivers_allowed,
)
from service.keys.port import KeyService

router = APIRouter(route_class=AuditedRoute, tags=["events"])


@router.post(
    "/v1/webhook-endpoints",
    status_code=201,
    **operation(Action.WEBHOOK_CREATE, idempotency="optional"),
)
def create_webhook_endpoint(
    request: Request,
    body: WebhookEndpointCreate,
    db: Annotated[Session, Depends(get_db)],
    clock: Annotated[Clock, Depends(get_clock)],
    key_service: Annotated[KeyService, Depends(get_key_service)],
) -> WebhookEndpointRead:
    ctx = app_context(request)
    allow_http = loopback_receivers_allowed(ctx)
    created = create_endpoint(
        db,
        key_service,
        url=body.url,
        events=[str(e) for e in body.events],
        now=clock.now(),
        allow_http_loopback=allow_http,
    )
    current_audit(request).add_target(created.endpoint.id)
    return WebhookEndpointRead.model_validate(
        endpoint_view(created.endpoint, secret=created.secret)
    )


@router.get("/v1/webhook-endpoints", **operation(Action.WEBHOOK_LIST))
def list_webhook_endpoints(
    db: Annotated[Session, Depends(get_db)], limit: Limit = 50, cursor: Cursor = None
) -> WebhookEndpointPage:
    after = decode_cursor(cursor) or ""
    if not isinstance(after, str):
        raise ValidationFailed("The cursor is not valid.")
    rows = list(
        db.scalars(
            select(WebhookEndpoint)
            .where(
                WebhookEndpoint.deleted_at.is_(None),
                WebhookEndpoint.id > after,
            )
            .order_by(WebhookEndpoint.id)
            .limit(limit + 1)
        )
    )
    result = page(rows, limit, lambda e: e.id)
    result["data"] = [endpoint_view(e) for e in result["data"]]
    return WebhookEndpointPage.model_validate(result)


@router.get("/v1/webhook-endpoints/{endpoint_id}", **operation(Action.WEBHOOK_READ))
def read_webhook_endpoint(
    endpoint_id: str, db: Annotated[Session, Depends(get_db)]
) -> WebhookEndpointRead:
    return WebhookEndpointRead.model_validate(endpoint_view(get_endpoint(db, endpoint_id)))


@router.get("/v1/webhook-endpoints/{endpoint_id}/deliveries", **operation(Action.WEBHOOK_READ))
def list_deliveries(
    endpoint_id: str,
    db: Annotated[Session, Depends(get_db)],
    status: Literal["pending", "delivered", "failed"] | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> DeliveryPage:
    get_endpoint(db, endpoint_id)
    after = decode_cursor(cursor) or 0
    if not isinstance(after, int):
        raise ValidationFailed("The cursor is not valid.")
    query = select(Delivery).where(Delivery.endpoint_id == endpoint_id, Delivery.id > after)
    if status:
        query = query.where(Delivery.status == status)
    rows = list(db.scalars(query.order_by(Delivery.id).limit(limit + 1)))
    result = page(rows, limit, lambda d: d.id)
    result["data"] = [delivery_view(d) for d in result["data"]]
    return DeliveryPage.model_validate(result)


@router.delete("/v1/webhook-endpoints/{endpoint_id}", **operation(Action.WEBHOOK_DELETE))
def delete_webhook_endpoint(
    endpoint_id: str,
    db: Annotated[Session, Depends(get_db)],
    clock: Annotated[Clock, Depends(get_clock)],
) -> WebhookEndpointDeletedRead:
    endpoint = delete_endpoint(db, endpoint_id, clock.now())
    return WebhookEndpointDeletedRead(id=endpoint.id, deleted=True)


@router.get("/v1/events", **operation(Action.EVENT_LIST))
def list_events(
    db: Annotated[Session, Depends(get_db)],
    type: EventType | None = None,
    after: Annotated[str | None, Query(max_length=40, pattern=r"^evt_[a-f0-9]{24}$")] = None,
    limit: Limit = 50,
) -> EventPage:
    query = select(Event)
    if after is not None:
        anchor = db.scalar(select(Event.seq).where(Event.id == after))
        if anchor is None:
            raise ValidationFailed("'after' names no event.")
        query = query.where(Event.seq > anchor)
    if type is not None:
        query = query.where(Event.type == type.value)
    rows = list(db.scalars(query.order_by(Event.seq).limit(limit + 1)))
    data = [
        {
            "id": e.id,
            "type": e.type,
            "created_at": format_api_time(e.created_at),
            "data": json.loads(e.data),
        }
        for e in rows[:limit]
    ]
    return EventPage.model_validate(
        {"data": data, "next_cursor": data[-1]["id"] if len(rows) > limit else None}
    )
