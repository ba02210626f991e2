"""Helpers shared by the subscription and pause tests: customers and subscriptions made
through the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.core.db import transaction
from tests.fixtures.app import Api


def new_customer(api: Api, n: int = 0) -> str:
    body = {
        "name": f"Holly Day{n}",
        "email": f"holly{n}@example.com",
        "payment_method": "pm_card_visa",
    }
    response = api.call("POST", "/v1/customers", who="service", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def subscription_body(customer: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer": customer,
        "plan": "gold",
        "amount": 3000,
        "currency": "usd",
        "interval": "month",
    }
    body.update(overrides)
    return body


def new_subscription(api: Api, customer: str, **overrides: Any) -> dict[str, Any]:
    response = api.call(
        "POST", "/v1/subscriptions", who="service", json=subscription_body(customer, **overrides)
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def pause(api: Api, subscription: str, **body: Any) -> Any:
    return api.call("POST", f"/v1/subscriptions/{subscription}/pauses", who="service", json=body)


def read(api: Api, subscription: str) -> dict[str, Any]:
    response = api.call("GET", f"/v1/subscriptions/{subscription}", who="service")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def upcoming(api: Api, subscription: str, count: int = 12) -> list[dict[str, Any]]:
    response = api.call(
        "GET", f"/v1/subscriptions/{subscription}/upcoming?count={count}", who="service"
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def move_clock(api: Api, when: str) -> None:
    response = api.call("POST", "/v1/test/clock", who="admin", json={"now": when})
    assert response.status_code == 200, response.text


def count_rows(api: Api, model: Any, *where: Any) -> int:
    with transaction(api.ctx.session_factory) as session:
        return int(
            session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
        )


def audit_count(api: Api, action: str) -> int:
    return count_rows(api, AuditEvent, AuditEvent.action == action)
