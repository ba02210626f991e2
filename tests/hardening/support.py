"""What the hardening tests share: a seeded book of real resources, the operations the app
publishes (walked at run time, so new endpoints are covered as they land), row counts of every
table, and a problem+json check against API.md's code table."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from service.app.openapi_problems import PROBLEM_CODES
from service.core.db import Base
from service.models import load_all_models
from tests.fixtures.app import Api

# API.md's table: each code with the statuses it may carry.
CODE_STATUSES: dict[str, set[int]] = {
    "invalid_request": {400, 422},
    "unauthenticated": {401},
    "forbidden": {403},
    "not_found": {404},
    "method_not_allowed": {405},
    "conflict": {409},
    "idempotency_mismatch": {409},
    "gone": {410},
    "payload_too_large": {413},
    "unsupported_media_type": {415},
    "policy_violation": {422},
    "rate_limited": {429},
    "card_declined": {402},
    "processor_error": {502},
    "key_service_unavailable": {503},
    "internal_error": {500},
}
assert set(CODE_STATUSES) == set(PROBLEM_CODES)

PATH_PARAMETER = re.compile(r"\{([a-z_]+)\}")
ROLES = ("service", "compliance", "admin")


def problem_errors(response: Any) -> list[str]:
    """Why ``response`` (status ≥ 400) is not a problem+json body with a code of API.md's table
    matching its status; empty when it is one."""
    status = response.status_code
    content_type = response.headers.get("content-type", "")
    if isinstance(content_type, list):  # schemathesis' responses keep every value of a header
        content_type = content_type[0] if content_type else ""
    if not content_type.startswith("application/problem+json"):
        return [f"{status} with content-type {content_type!r}"]
    try:
        body = response.json()
    except ValueError:
        return [f"{status} with a body that is not JSON"]
    if not isinstance(body, dict):
        return [f"{status} with a body that is not an object"]
    missing = {"type", "title", "status", "detail", "code"} - set(body)
    errors = [f"{status} missing {sorted(missing)}"] if missing else []
    code = body.get("code")
    if status not in CODE_STATUSES.get(str(code), set()):
        errors.append(f"{status} with code {code!r}, not in API.md's table for that status")
    if body.get("status") != status:
        errors.append(f"body status {body.get('status')!r} differs from {status}")
    return errors


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    action: str
    has_body: bool
    idempotency: str | None

    @property
    def parameters(self) -> list[str]:
        return PATH_PARAMETER.findall(self.path)

    def url(self, tokens: dict[str, str]) -> str:
        return PATH_PARAMETER.sub(lambda m: tokens[m.group(1)], self.path)


def operations(app: FastAPI) -> list[Operation]:
    """Every operation of the published schema, as the app is assembled right now."""
    schema = app.openapi()
    found = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    action=op.get("x-action", ""),
                    has_body="requestBody" in op,
                    idempotency=op.get("x-idempotency"),
                )
            )
    return found


# Bookkeeping every authenticated request may touch (a new row each minute per principal),
# not data a request stores: left out of "what did this request write".
NOT_DATA = frozenset({"rate_counters"})


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of every domain's models (rate counters aside)."""
    load_all_models()
    counts = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_DATA:
                continue
            counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    return counts


def audit_events_for(engine: Engine, request_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM audit_events WHERE request_id = :r"), {"r": request_id}
            ).scalar_one()
        )


@dataclass
class Book:
    """Real resources to aim requests at: a token for every path parameter of the API."""

    tokens: dict[str, str] = field(default_factory=dict)

    def for_operation(self, operation: Operation) -> dict[str, str]:
        return {name: self.tokens[name] for name in operation.parameters}


def seed_book(api: Api) -> Book:
    """A customer with a card, a subscription, a pause, a charge, a bulk pause and a webhook
    endpoint, all made through the API."""
    customer = _ok(
        api.call(
            "POST",
            "/v1/customers",
            who="service",
            json={
                "name": "Holly Day",
                "email": "holly@example.com",
                "payment_method": "pm_card_visa",
            },
        )
    )["id"]
    subscription = _ok(
        api.call(
            "POST",
            "/v1/subscriptions",
            who="service",
            json={
                "customer": customer,
                "plan": "gold",
                "amount": 3000,
                "currency": "usd",
                "interval": "month",
            },
        )
    )["id"]
    pause = _ok(
        api.call(
            "POST",
            f"/v1/subscriptions/{subscription}/pauses",
            who="service",
            json={"start": "period_end", "days": 10, "resume_mode": "shift"},
        )
    )["id"]
    charge = _ok(
        api.call(
            "POST",
            "/v1/charges",
            who="service",
            json={"customer": customer, "amount": 1999, "currency": "usd"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    )["id"]
    bulk = _ok(
        api.call(
            "POST",
            "/v1/pauses/bulk",
            who="admin",
            json={
                "selector": {"plan": "gold"},
                "start": "period_end",
                "days": 5,
                "resume_mode": "shift",
                "dry_run": False,
            },
        )
    )["id"]
    tokens = {
        "customer_id": customer,
        "customer": customer,
        "subscription_id": subscription,
        "pause_id": pause,
        "charge_id": charge,
        "bulk_id": bulk,
        "link_id": _ok(
            api.call(
                "POST", f"/v1/subscriptions/{subscription}/pause-links", who="service", json={}
            )
        )["id"],
    }
    endpoint = api.call(
        "POST",
        "/v1/webhook-endpoints",
        who="admin",
        json={"url": "https://hooks.example.com/strongroom", "events": ["charge.succeeded"]},
    )
    if endpoint.status_code == 201:
        tokens["endpoint_id"] = endpoint.json()["id"]
    events = _ok(api.call("GET", "/v1/audit/events?limit=1", who="admin"))["data"]
    tokens["event_id"] = events[0]["id"]
    return Book(tokens=tokens)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]
