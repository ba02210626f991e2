"""HTTP endpoints of subscriptions (API.md, "Subscriptions")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.app.context import get_clock, get_data_key_cache, get_db, get_key_service
from service.app.routing import AuditedRoute, current_audit, operation
from service.core.clock import Clock
from service.core.errors import ValidationFailed
from service.core.pagination import Cursor, Limit, decode_time_cursor, page
from service.customers import exposure
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.subscriptions import cancellation, operations
from service.subscriptions.models import (
    Subscription,
    SubscriptionStatus,
    SubscriptionTag,
)
from service.subscriptions.schemas import (
    SubscriptionCancel,
    SubscriptionCreate,
    SubscriptionPage,
    SubscriptionRead,
    UpcomingRead,
)
from service.subscriptions.views import subscription_views, upcoming_view

router = APIRouter(route_class=AuditedRoute, tags=["subscriptions"])

Db = Annotated[Session, Depends(get_db)]
Keys = Annotated[KeyService, Depends(get_key_service)]
Cache = Annotated[DataKeyCache, Depends(get_data_key_cache)]
Now = Annotated[Clock, Depends(get_clock)]


def one_view(
    request: Request,
    db: Session,
    subscription: Subscription,
    keys: KeyService,
    cache: DataKeyCache,
    now: datetime,
) -> SubscriptionRead:
    view = subscription_views(db, [subscription], keys, cache, now)[0]
    record_views(request, [view])
    return SubscriptionRead.model_validate(view)


def record_views(request: Request, views: list[dict[str, Any]]) -> None:
    """Name every returned subscription and its customer in the audit event, with the
    customer data each view shows (metadata, pause reasons)."""
    record = current_audit(request)
    for view in views:
        shown = bool(view["metadata"]) or any(p.get("reason") for p in view["pauses"])
        exposure.record_returned(
            record, [view["id"], view["customer"]], [exposure.METADATA] if shown else []
        )


@router.post(
    "/v1/subscriptions",
    status_code=201,
    **operation(Action.SUBSCRIPTION_CREATE, idempotency="optional"),
)
def create_subscription(
    request: Request, body: SubscriptionCreate, db: Db, keys: Keys, cache: Cache, clock: Now
) -> SubscriptionRead:
    now = clock.now()
    record = current_audit(request)
    record.add_target(body.customer)
    subscription = operations.create_subscription(db, keys, cache, body, now)
    record.add_target(subscription.id)
    return one_view(request, db, subscription, keys, cache, now)


@router.get(
    "/v1/subscriptions",
    **operation(Action.SUBSCRIPTION_LIST),
)
def list_subscriptions(
    request: Request,
    db: Db,
    keys: Keys,
    cache: Cache,
    clock: Now,
    plan: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    customer: Annotated[str | None, Query(max_length=80)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> SubscriptionPage:
    query = select(Subscription)
    if plan is not None:
        query = query.where(Subscription.plan == plan)
    if status is not None:
        if status not in SubscriptionStatus.ALL:
            raise ValidationFailed("status: one of " + ", ".join(SubscriptionStatus.ALL) + ".")
        query = query.where(Subscription.status == status)
    if customer is not None:
        query = query.where(Subscription.customer == customer)
    if tag is not None:
        tagged = select(SubscriptionTag.subscription).where(SubscriptionTag.tag == tag)
        query = query.where(Subscription.id.in_(tagged))
    after = decode_time_cursor(cursor)
    if after is not None:
        created_at, after_id = after
        query = query.where(
            (Subscription.created_at > created_at)
            | ((Subscription.created_at == created_at) & (Subscription.id > after_id))
        )
    rows = list(
        db.execute(
            query.order_by(Subscription.created_at, Subscription.id).limit(limit + 1)
        ).scalars()
    )
    listing = page(rows, limit, lambda s: [s.created_at.isoformat(), s.id])
    listing["data"] = subscription_views(db, listing["data"], keys, cache, clock.now())
    record_views(request, listing["data"])
    return SubscriptionPage.model_validate(listing)


@router.get(
    "/v1/subscriptions/{subscription_id}",
    **operation(Action.SUBSCRIPTION_READ),
)
def read_subscription(
    request: Request, subscription_id: str, db: Db, keys: Keys, cache: Cache, clock: Now
) -> SubscriptionRead:
    subscription = operations.find_subscription(db, subscription_id)
    return one_view(request, db, subscription, keys, cache, clock.now())


@router.post(
    "/v1/subscriptions/{subscription_id}/cancel",
    **operation(Action.SUBSCRIPTION_CANCEL, idempotency="optional"),
)
def cancel_subscription(
    request: Request,
    subscription_id: str,
    body: SubscriptionCancel,
    db: Db,
    keys: Keys,
    cache: Cache,
    clock: Now,
) -> SubscriptionRead:
    now = clock.now()
    subscription = operations.get_subscription(db, subscription_id, for_update=True)
    cancellation.cancel(db, subscription, body.at, now)
    return one_view(request, db, subscription, keys, cache, now)


@router.get(
    "/v1/subscriptions/{subscription_id}/upcoming",
    **operation(Action.SUBSCRIPTION_UPCOMING),
)
def upcoming_charges(
    request: Request,
    subscription_id: str,
    db: Db,
    clock: Now,
    count: Annotated[int, Query(ge=1, le=100)] = 12,
) -> UpcomingRead:
    subscription = operations.find_subscription(db, subscription_id)
    # a customer's billing schedule: the event names whose it is (no personal data category)
    exposure.record_returned(current_audit(request), [subscription.customer])
    return UpcomingRead.model_validate(upcoming_view(db, subscription, clock.now(), count))
