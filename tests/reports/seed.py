"""A known dataset for the named audits: real API requests at known times on a frozen clock,
plus the system events (rotations, jobs, principal changes) appended as their code does.

Window: [2026-03-01, 2026-03-08). Everything the figures count is listed in ``Seed``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.access.principals import create_principal, revoke_principal
from service.audit.recorder import SYSTEM_ACTOR, AuditRecord, append_event
from service.cli_support import cli_engine, cli_settings
from service.core.clock import FrozenClock
from service.core.db import transaction
from service.devstack.openbao import OpenBaoDevServer
from tests.customers.support import create, reveal
from tests.fixtures.app import Api

WINDOW_START = datetime(2026, 3, 1, tzinfo=UTC)
WINDOW_END = datetime(2026, 3, 8, tzinfo=UTC)
DAY_1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY_2 = datetime(2026, 3, 3, 15, 30, tzinfo=UTC)
DAY_3 = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
REPORT_NOW = datetime(2026, 3, 9, tzinfo=UTC)
# Beyond a 12-month retention (as of REPORT_NOW), and retained but not in the last 3 months.
ANCIENT = datetime(2025, 1, 15, tzinfo=UTC)
OLDER = datetime(2025, 10, 20, tzinfo=UTC)
# One-off charges made through the API on day 3: (amount, currency).
CHARGES = ((1999, "usd"), (500, "eur"))
MINIMAL = {"phone": None, "address": None, "metadata": None, "payment_method": None}


@dataclass
class Seed:
    api: Api
    customers: list[str] = field(default_factory=list)
    erased: str = ""
    subscription: str = ""
    # (actor, purpose, customer, fields) of every successful reveal in the window
    reveals: list[tuple[str, str, str, list[str]]] = field(default_factory=list)


def _append(
    api: Api, at: datetime, action: str, *, status: int | None = None, **record: Any
) -> None:
    with transaction(api.ctx.session_factory) as session:
        append_event(
            session,
            AuditRecord(action=action, **record),
            at=at,
            status=status,
        )


def _system(api: Api, at: datetime, action: str, targets: list[str] | None = None) -> None:
    _append(api, at, action, actor=SYSTEM_ACTOR, role=SYSTEM_ACTOR, targets=targets or [])


def _subscribe(api: Api, customer: str) -> str:
    body = {
        "customer": customer,
        "plan": "gold",
        "amount": 1500,
        "currency": "usd",
        "interval": "month",
        "start_at": (DAY_3 + timedelta(days=30)).isoformat(),
    }
    response = api.call("POST", "/v1/subscriptions", who="service", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def seed(make_api: Callable[..., Api], db_url: str) -> Seed:
    clock = FrozenClock(DAY_1)
    api = make_api(db_url, clock=clock)
    api.add_principal("analyst", "compliance")
    data = Seed(api=api)

    # Before the window: events the retention audit classifies.
    _system(api, ANCIENT, "keys:data_key:rotate")
    _system(api, ANCIENT + timedelta(hours=1), "jobs:event:deliver")
    _system(api, OLDER, "jobs:event:deliver")

    # Day 1: three customers (one minimal), reveals by compliance, a denied and a forbidden call.
    data.customers = [create(api)["id"], create(api)["id"], create(api, **MINIMAL)["id"]]
    first, second, third = data.customers
    for customer, fields, purpose in (
        (first, "email,name", "support ticket 4711"),
        (second, "phone", "support ticket 4711"),
        (first, "address", "chargeback dispute"),
    ):
        assert reveal(api, customer, fields, **{"X-Purpose": purpose}).status_code == 200
        data.reveals.append(("compliance", purpose, customer, fields.split(",")))
    assert api.call("GET", f"/v1/customers/{third}", who="compliance").status_code == 200
    assert api.call("GET", "/v1/audit/events", who="service").status_code == 403
    assert api.call("GET", "/v1/inventory", who=None).status_code == 401
    with transaction(api.ctx.session_factory) as session:
        create_principal(session, "night-shift", "service", DAY_1)

    # Day 2: the analyst reveals; admin reads the audit and erases a customer.
    clock.set(DAY_2)
    assert reveal(api, third, "name", who="analyst", **{"X-Purpose": "gdpr request"})
    data.reveals.append(("analyst", "gdpr request", third, ["name"]))
    assert api.call("GET", "/v1/audit/verify", who="admin").status_code == 200
    assert api.call("GET", "/v1/audit/events", who="compliance").status_code == 200
    assert api.call("DELETE", f"/v1/customers/{second}", who="admin").status_code == 200
    data.erased = second
    assert reveal(api, second, "name", who="analyst").status_code == 410
    assert reveal(api, first, "name", who="service", **{"X-Purpose": "x"}).status_code == 403

    # Day 3: a subscription paused and charges made through the API; system work (a charge
    # job, a key rotation) and a bulk pause appended as their code records them.
    clock.set(DAY_3)
    _system(api, DAY_3, "keys:data_key:rotate")
    _append(
        api,
        DAY_3,
        "pauses:bulk:create",
        actor="admin",
        role="admin",
        targets=["bulk_aaaaaaaa1111"],
        status=201,
    )
    data.subscription = _subscribe(api, first)
    paused = api.call(
        "POST",
        f"/v1/subscriptions/{data.subscription}/pauses",
        who="service",
        json={"start": "now", "days": 10, "resume_mode": "shift"},
    )
    assert paused.status_code == 201, paused.text
    for amount, currency in CHARGES:
        charged = api.call(
            "POST",
            "/v1/charges",
            who="service",
            json={"customer": first, "amount": amount, "currency": currency},
            headers={"Idempotency-Key": f"seed-{amount}-{currency}"},
        )
        assert charged.status_code == 201 and charged.json()["status"] == "succeeded", charged.text
    _append(
        api,
        DAY_3,
        "charges:charge:create",
        actor="service",
        role="service",
        targets=["sub_tok_bbbbbbbb2222"],
        status=409,
    )
    _system(api, DAY_3, "jobs:charge:create", ["sub_tok_aaaaaaaa1111", "ch_bbbbbbbb2222"])
    with transaction(api.ctx.session_factory) as session:
        revoke_principal(session, "night-shift", DAY_3)
    return data


@contextmanager
def cli_pointed_at(
    db_url: str, openbao: OpenBaoDevServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The CLI's (cached) settings and engine pointing at this database and key service."""
    monkeypatch.setenv("STRONGROOM_DATABASE_URL", db_url)
    monkeypatch.setenv("STRONGROOM_VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("STRONGROOM_VAULT_TOKEN", openbao.token)
    cli_settings.cache_clear()
    cli_engine.cache_clear()
    try:
        yield
    finally:
        cli_engine().dispose()
        cli_settings.cache_clear()
        cli_engine.cache_clear()


@pytest.fixture
def seeded_cli(
    make_api: Callable[..., Api],
    sqlite_url: str,
    openbao: OpenBaoDevServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Seed]:
    """The seeded dataset, and the CLI's settings pointing at its database and key service."""
    data = seed(make_api, sqlite_url)
    with cli_pointed_at(sqlite_url, openbao, monkeypatch):
        yield data
