"""HTTP endpoints of charges (API.md, "Charges")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.access.policy import Policy
from service.app.context import (
    app_context,
    get_clock,
    get_data_key_cache,
    get_db,
    get_key_service,
    get_policy,
    get_processor,
)
from service.app.routing import (
    TOKEN_PATTERN,
    AuditedRoute,
    current_audit,
    current_caller,
    operation,
)
from service.charges import descriptions, operations
from service.charges.models import Charge
from service.charges.schemas import ChargeCreate, ChargePage, ChargeRead, ChargeStatusFilter
from service.charges.settle import ChargeDeps, settle
from service.core.clock import Clock
from service.core.pagination import Cursor, Limit, decode_time_cursor, page
from service.core.timeparse import format_api_time
from service.customers import exposure, free_text
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.processors.port import PaymentProcessor

router = APIRouter(route_class=AuditedRoute, tags=["charges"])

Db = Annotated[Session, Depends(get_db)]
TokenFilter = Annotated[str | None, Query(min_length=1, max_length=80)]


async def charge_deps(
    processor: Annotated[PaymentProcessor, Depends(get_processor)],
    key_service: Annotated[KeyService, Depends(get_key_service)],
    cache: Annotated[DataKeyCache, Depends(get_data_key_cache)],
    policy: Annotated[Policy, Depends(get_policy)],
) -> ChargeDeps:
    return ChargeDeps(processor=processor, key_service=key_service, cache=cache, policy=policy)


@router.post(
    "/v1/charges",
    status_code=201,
    **operation(Action.CHARGE_CREATE, idempotency="required"),
)
def create_charge(
    request: Request,
    body: ChargeCreate,
    db: Db,
    deps: Annotated[ChargeDeps, Depends(charge_deps)],
    clock: Annotated[Clock, Depends(get_clock)],
) -> ChargeRead:
    """Money moves once, so this is the one endpoint that commits before it answers.

    1. The charge is recorded ``pending`` in a short transaction of its own, committed before
       the processor is called: from then on a crash, a 502 or a lost response leaves a row
       that the reconciler (or a retry with the same Idempotency-Key) finishes by re-sending
       the same processor key; nothing can be charged without a row saying so.
    2. The request's own transaction then locks that row (PostgreSQL; see ``settle`` for
       SQLite), calls the processor and records the outcome; the route class commits it
       together with the audit event and the response stored for the Idempotency-Key. If that
       commit fails, the charge stays ``pending`` and the reconciler records the outcome the
       processor keeps for its key.

    Nothing touches the request's session before step 2: on SQLite its first statement takes
    the write lock, which step 1's transaction needs.
    """
    now = clock.now()
    record = current_audit(request)
    record.purpose = free_text.for_audit(body.description)
    for named in (body.customer, body.subscription):
        # Only well-formed tokens: a value that is not one could be anything, even personal data.
        if named is not None and TOKEN_PATTERN.match(named):
            record.add_target(named)
    with app_context(request).session_factory() as intent_session:
        charge, refs, recorded_here = operations.record_one_off(
            intent_session,
            deps,
            principal=current_caller(request).key_id,
            idempotency_key=str(request.headers.get("idempotency-key")),
            request=body,
            description=body.description,
            now=now,
        )
        charge_id = charge.id
        intent_session.commit()
        for token in (charge.id, charge.customer, charge.subscription):
            if token is not None:
                record.add_target(token)
    # The request that recorded the charge sends it first: unless another sender counted a
    # send meanwhile (``settle`` checks under the row lock), there is no earlier payment to
    # look for at the processor (the same upgrade setting as the renewal job's first sends).
    first_send = recorded_here and deps.policy.limits.renewal_first_send_skips_lookup
    settled, _ = settle(db, deps, charge_id, now, refs, recorder=first_send)
    if settled is None:
        raise RuntimeError("a recorded charge vanished")
    return ChargeRead.model_validate(_views(request, db, deps, [settled])[0])


@router.get("/v1/charges/{charge_id}", **operation(Action.CHARGE_READ))
def read_charge(
    request: Request, charge_id: str, db: Db, deps: Annotated[ChargeDeps, Depends(charge_deps)]
) -> ChargeRead:
    charge = operations.get_charge(db, charge_id)
    return ChargeRead.model_validate(_views(request, db, deps, [charge])[0])


@router.get("/v1/charges", **operation(Action.CHARGE_LIST))
def list_charges(
    request: Request,
    db: Db,
    deps: Annotated[ChargeDeps, Depends(charge_deps)],
    subscription: TokenFilter = None,
    customer: TokenFilter = None,
    status: ChargeStatusFilter | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ChargePage:
    charges = operations.list_charges(
        db,
        subscription=subscription,
        customer=customer,
        status=status,
        after=decode_time_cursor(cursor),
        limit=limit,
    )
    listing = page(charges, limit, lambda charge: [format_api_time(charge.created_at), charge.id])
    listing["data"] = _views(request, db, deps, listing["data"])
    return ChargePage.model_validate(listing)


def _views(
    request: Request, db: Session, deps: ChargeDeps, charges: list[Charge]
) -> list[dict[str, Any]]:
    """Charge views, each charge and its payer named in the audit event (with the free-text
    category when a description is shown)."""
    opened = descriptions.descriptions_of(db, deps.key_service, deps.cache, charges)
    record = current_audit(request)
    for charge in charges:
        exposure.record_returned(
            record,
            [charge.id, charge.customer, charge.subscription],
            [exposure.FREE_TEXT] if opened[charge.id] else [],
        )
    return [operations.charge_view(charge, opened[charge.id]) for charge in charges]
