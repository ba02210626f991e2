"""HTTP endpoints of pauses, single and bulk (API.md, "Pauses")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.access.policy import Policy
from service.app.context import (
    get_audit_log,
    get_clock,
    get_data_key_cache,
    get_db,
    get_key_service,
    get_policy,
)
from service.app.routing import AuditedRoute, current_audit, current_caller, operation
from service.audit.log import AuditLog
from service.core.clock import Clock
from service.customers import exposure, free_text
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.pauses import bulk, bulk_cancel, operations
from service.pauses.schemas import BulkCancelRead, BulkPauseCreate, BulkPauseRead, PauseCreate
from service.subscriptions import reasons
from service.subscriptions.models import Pause, Subscription
from service.subscriptions.schemas import PauseRead
from service.subscriptions.views import pause_view

router = APIRouter(route_class=AuditedRoute, tags=["pauses"])

Db = Annotated[Session, Depends(get_db)]
Now = Annotated[Clock, Depends(get_clock)]
CurrentPolicy = Annotated[Policy, Depends(get_policy)]
Keys = Annotated[KeyService, Depends(get_key_service)]
Cache = Annotated[DataKeyCache, Depends(get_data_key_cache)]
Audit = Annotated[AuditLog, Depends(get_audit_log)]


def returned_pause(
    request: Request,
    db: Session,
    keys: KeyService,
    cache: DataKeyCache,
    pause: Pause,
    customer: str,
) -> PauseRead:
    """The Pause view, its subscription's customer named in the audit (with the reason's
    category when the view shows one)."""
    reason = reasons.reasons_of(db, keys, cache, [pause])[pause.id]
    exposure.record_returned(
        current_audit(request),
        [pause.id, pause.subscription, customer],
        [exposure.FREE_TEXT] if reason else [],
    )
    return PauseRead.model_validate(pause_view(pause, reason))


@router.post(
    "/v1/subscriptions/{subscription_id}/pauses",
    status_code=201,
    **operation(Action.PAUSE_CREATE, idempotency="optional"),
)
def create_pause(
    request: Request,
    subscription_id: str,
    body: PauseCreate,
    db: Db,
    clock: Now,
    policy: CurrentPolicy,
    keys: Keys,
    cache: Cache,
) -> PauseRead:
    caller = current_caller(request)
    pause, subscription = operations.create_pause(
        db, subscription_id, body, policy.limits, caller.name, clock.now()
    )
    reasons.seal_pause_reason(db, keys, cache, pause, subscription.customer, body.reason)
    current_audit(request).purpose = free_text.for_audit(body.reason)
    return returned_pause(request, db, keys, cache, pause, subscription.customer)


@router.get(
    "/v1/subscriptions/{subscription_id}/pauses/{pause_id}",
    **operation(Action.PAUSE_READ),
)
def read_pause(
    request: Request, subscription_id: str, pause_id: str, db: Db, keys: Keys, cache: Cache
) -> PauseRead:
    pause = operations.find_pause(db, subscription_id, pause_id)
    customer = db.scalar(select(Subscription.customer).where(Subscription.id == pause.subscription))
    return returned_pause(request, db, keys, cache, pause, str(customer))


@router.post(
    "/v1/subscriptions/{subscription_id}/resume",
    **operation(Action.PAUSE_RESUME, idempotency="optional"),
)
def resume(
    request: Request, subscription_id: str, db: Db, clock: Now, keys: Keys, cache: Cache
) -> PauseRead:
    pause, subscription = operations.resume(db, subscription_id, clock.now())
    return returned_pause(request, db, keys, cache, pause, subscription.customer)


@router.delete(
    "/v1/subscriptions/{subscription_id}/pauses/{pause_id}",
    **operation(Action.PAUSE_CANCEL),
)
def cancel_pause(
    request: Request,
    subscription_id: str,
    pause_id: str,
    db: Db,
    clock: Now,
    keys: Keys,
    cache: Cache,
) -> PauseRead:
    pause, subscription = operations.cancel_pause(db, subscription_id, pause_id, clock.now())
    return returned_pause(request, db, keys, cache, pause, subscription.customer)


@router.post(
    "/v1/pauses/bulk",
    status_code=201,
    **operation(Action.BULK_PAUSE_CREATE, idempotency="optional"),
)
def create_bulk_pause(
    request: Request,
    response: Response,
    body: BulkPauseCreate,
    db: Db,
    clock: Now,
    policy: CurrentPolicy,
    key_service: Keys,
    cache: Cache,
    audit: Audit,
) -> BulkPauseRead:
    caller = current_caller(request)
    reason = free_text.for_audit(body.reason)
    now = clock.now()
    outcome = bulk.bulk_pause(
        db,
        body,
        policy.limits,
        bulk.BulkActor(name=caller.name, role=caller.role),
        now,
        reason=reason,
    )
    bulk_id = outcome.body["id"]
    if bulk_id is not None:
        reasons.seal_bulk_reason(db, key_service, cache, bulk_id, body.reason)
        audit.records(db, outcome.paused_events, at=now, request=request)
        audit.records(
            db, outcome.skipped_events, status=bulk.SKIPPED_STATUS, at=now, request=request
        )
        record = current_audit(request)
        record.add_target(bulk_id)
        record.purpose = reason
    if body.dry_run:
        response.status_code = 200  # nothing created
    return BulkPauseRead.model_validate(outcome.body)


@router.delete("/v1/pauses/bulk/{bulk_id}", **operation(Action.BULK_PAUSE_CANCEL))
def cancel_bulk_pause(bulk_id: str, db: Db, clock: Now) -> BulkCancelRead:
    return BulkCancelRead.model_validate(bulk_cancel.cancel_bulk(db, bulk_id, clock.now()))
