"""Fail closed (invariant 5): with the key service stopped or sealed mid-test, the vault answers
503 ``key_service_unavailable``, writes nothing, and serves again once the key service is back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.core.db import transaction
from service.devstack.openbao import PersistentOpenBao
from service.keys.transit import TransitKeyService
from tests.core.test_app import assert_problem
from tests.customers.support import canary_body, create, customer_count, reveal
from tests.fixtures.app import Api
from tests.fixtures.openbao import key_service_for


@pytest.fixture
def outage_key_service(restartable_openbao: PersistentOpenBao) -> TransitKeyService:
    service = key_service_for(restartable_openbao.addr, restartable_openbao.token, timeout=1.0)
    service.ensure_keys()
    return service


def assert_every_vault_call_is_503(api: Api, token: str) -> None:
    created = api.call("POST", "/v1/customers", who="service", json=canary_body())
    assert_problem(created, 503, "key_service_unavailable")
    assert_problem(api.call("GET", f"/v1/customers/{token}"), 503, "key_service_unavailable")
    assert_problem(reveal(api, token, "name"), 503, "key_service_unavailable")
    search = api.call("POST", "/v1/customers/search", json={"email": canary_body()["email"]})
    assert_problem(search, 503, "key_service_unavailable")


def test_a_stopped_key_service_is_503_with_nothing_half_written_then_serves_again(
    restartable_openbao: PersistentOpenBao,
    outage_key_service: TransitKeyService,
    make_api: Callable[..., Api],
    db_url: str,
) -> None:
    api = make_api(db_url, key_service=outage_key_service)
    token = create(api)["id"]
    api.ctx.data_keys.clear()

    restartable_openbao.stop()

    assert_every_vault_call_is_503(api, token)
    assert customer_count(api) == 1
    with transaction(api.ctx.session_factory) as session:
        failed = session.execute(select(AuditEvent).where(AuditEvent.status == 503)).scalars().all()
    assert {e.action for e in failed} >= {
        "customers:customer:create",
        "customers:customer:read",
        "customers:customer:reveal",
        "customers:customer:search",
    }

    restartable_openbao.start()

    assert reveal(api, token, "name").json()["fields"] == {"name": "Zebulon Quixotefield"}
    assert create(api, payment_method=None)["id"] != token
    assert customer_count(api) == 2


def test_a_sealed_key_service_is_503_and_erasure_still_works(
    restartable_openbao: PersistentOpenBao,
    outage_key_service: TransitKeyService,
    make_api: Callable[..., Api],
    sqlite_url: str,
) -> None:
    api = make_api(sqlite_url, key_service=outage_key_service)
    token = create(api)["id"]
    kept = create(api, payment_method=None, email="kept@example.com")["id"]
    api.ctx.data_keys.clear()

    restartable_openbao.seal()

    assert_every_vault_call_is_503(api, kept)
    assert customer_count(api) == 2
    # Erasure needs no key: the right to be forgotten does not wait for the key service.
    assert api.call("DELETE", f"/v1/customers/{token}", who="admin").status_code == 200

    restartable_openbao.unseal()

    assert api.call("GET", f"/v1/customers/{kept}").status_code == 200
    assert_problem(api.call("GET", f"/v1/customers/{token}"), 410, "gone")
