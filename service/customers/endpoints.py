"""HTTP endpoints of the customer vault (API.md, "Customers")."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
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
from service.app.routing import AuditedRoute, current_audit, current_caller, operation
from service.core.clock import Clock
from service.core.errors import Forbidden, RateLimited
from service.customers import exposure, operations
from service.customers.reveal_request import fields_to_reveal, purpose_for_audit
from service.customers.schemas import (
    CustomerCreate,
    CustomerErasedRead,
    CustomerRead,
    CustomerRevealRead,
    CustomerSearch,
    CustomerSearchRead,
)
from service.jobs.registry import JobContext
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.processors.port import PaymentProcessor

router = APIRouter(route_class=AuditedRoute, tags=["customers"])

Db = Annotated[Session, Depends(get_db)]
Keys = Annotated[KeyService, Depends(get_key_service)]
Cache = Annotated[DataKeyCache, Depends(get_data_key_cache)]


@router.post(
    "/v1/customers",
    status_code=201,
    **operation(Action.CUSTOMER_CREATE, idempotency="optional"),
)
def create_customer(
    request: Request,
    body: CustomerCreate,
    db: Db,
    key_service: Keys,
    cache: Cache,
    processor: Annotated[PaymentProcessor, Depends(get_processor)],
    clock: Annotated[Clock, Depends(get_clock)],
) -> CustomerRead:
    view = operations.create_customer(db, key_service, processor, cache, body, clock.now())
    exposure.record_returned(
        current_audit(request), [view["id"]], exposure.customer_view_categories(view)
    )
    return CustomerRead.model_validate(view)


@router.post("/v1/customers/search", **operation(Action.CUSTOMER_SEARCH))
def search_customers(
    request: Request,
    body: CustomerSearch,
    db: Db,
    key_service: Keys,
    policy: Annotated[Policy, Depends(get_policy)],
) -> CustomerSearchRead:
    _limit_email_searches(request, policy)
    found = operations.search_by_email(db, key_service, body.email)
    # A match ties the caller's email to the token: an exposure of that customer's email.
    exposure.record_returned(current_audit(request), found, [exposure.SEARCH] if found else [])
    return CustomerSearchRead.model_validate({"data": [{"id": token} for token in found]})


@router.get("/v1/customers/{customer_id}", **operation(Action.CUSTOMER_READ))
def read_customer(
    request: Request, customer_id: str, db: Db, key_service: Keys, cache: Cache
) -> CustomerRead:
    view = operations.read_customer(db, key_service, cache, customer_id)
    exposure.record_returned(
        current_audit(request), [view["id"]], exposure.customer_view_categories(view)
    )
    return CustomerRead.model_validate(view)


@router.get("/v1/customers/{customer_id}/reveal", **operation(Action.CUSTOMER_REVEAL))
def reveal_customer(
    request: Request,
    customer_id: str,
    db: Db,
    key_service: Keys,
    cache: Cache,
    policy: Annotated[Policy, Depends(get_policy)],
    fields: Annotated[str | None, Query()] = None,
    x_purpose: Annotated[str | None, Header()] = None,
) -> CustomerRevealRead:
    customer = operations.live_customer(db, customer_id)
    record = current_audit(request)
    record.purpose = purpose_for_audit(x_purpose)
    wanted = fields_to_reveal(fields)
    record.fields = wanted
    allowed = set(policy.reveal_fields(current_caller(request).role))
    if not set(wanted) <= allowed:
        raise Forbidden("Your role may not reveal some of the requested fields.")
    return CustomerRevealRead.model_validate(
        {
            "id": customer.id,
            "fields": operations.reveal_fields(customer, key_service, cache, wanted),
        }
    )


@router.delete("/v1/customers/{customer_id}", **operation(Action.CUSTOMER_ERASE))
def erase_customer(
    request: Request,
    customer_id: str,
    db: Db,
    key_service: Keys,
    cache: Cache,
    processor: Annotated[PaymentProcessor, Depends(get_processor)],
    clock: Annotated[Clock, Depends(get_clock)],
) -> CustomerErasedRead:
    context = JobContext(replace(app_context(request), processor=processor))
    done = operations.erase_at_processor(context, customer_id, clock.now())
    return CustomerErasedRead.model_validate(
        operations.erase_customer(
            db, cache, customer_id, clock.now(), processor_done=done, key_service=key_service
        )
    )


EMAIL_SEARCH_BUCKET = "email-search:"


def _limit_email_searches(request: Request, policy: Policy) -> None:
    """The policy's ``email_searches_per_minute`` per principal, in a bucket of its own of the
    service's rate limiter (so searches also count toward ``requests_per_minute``)."""
    limiter = app_context(request).rate_limiter
    retry_after = limiter.hit(
        EMAIL_SEARCH_BUCKET + current_caller(request).key_id,
        policy.limits.email_searches_per_minute,
    )
    if retry_after is not None:
        raise RateLimited(
            "Too many email searches for this key; slow down.",
            headers={"Retry-After": str(int(retry_after))},
        )
