"""Key rotation with no downtime: every data key rewrapped while reads and writes run, nothing
lost, then the old Transit version retired so that old wrapped values no longer unwrap."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.core.db import transaction
from service.core.errors import Conflict
from service.customers.models import Customer
from service.keys.errors import KeyServiceError
from service.keys.rotation import retire, rewrap_data_keys, rotate_data_keys
from service.keys.transit import TransitKeyService
from tests.customers.support import create, reveal
from tests.fixtures.app import Api


def wrapped_keys(api: Api) -> dict[str, tuple[str, int]]:
    with transaction(api.ctx.session_factory) as session:
        rows = session.execute(
            select(Customer.id, Customer.wrapped_data_key, Customer.key_version)
        ).all()
    return {token: (wrapped, version) for token, wrapped, version in rows}


def system_events(api: Api, action: str) -> list[AuditEvent]:
    with transaction(api.ctx.session_factory) as session:
        return list(
            session.execute(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.pk)
            ).scalars()
        )


def test_rotation_under_concurrent_reads_and_writes_loses_nothing_then_retires_the_old_version(
    fresh_key_service: TransitKeyService, make_api: Callable[..., Api], db_url: str
) -> None:
    # Cache off: every read really unwraps through Transit while the rotation runs.
    api = make_api(
        db_url, key_service=fresh_key_service, settings_overrides={"data_key_cache_size": 0}
    )
    names = {
        create(api, payment_method=None, name=f"Early Person{i}")["id"]: f"Early Person{i}"
        for i in range(24)
    }
    before = wrapped_keys(api)
    assert {version for _, version in before.values()} == {1}

    stop = threading.Event()
    running = {"writer": threading.Event(), "reader": threading.Event()}
    failures: list[str] = []
    lock = threading.Lock()
    counter = itertools.count()

    def writer() -> None:
        while not stop.is_set():
            name = f"Late Person{next(counter)}"
            response = api.call(
                "POST", "/v1/customers", who="service", json={"name": name, "email": "l@x.io"}
            )
            if response.status_code != 201:
                failures.append(f"create {response.status_code}")
                continue
            with lock:
                names[response.json()["id"]] = name
            running["writer"].set()

    def reader() -> None:
        tokens = list(before)
        for token in itertools.cycle(tokens):
            if stop.is_set():
                return
            response = reveal(api, token, "name")
            if response.status_code != 200 or response.json()["fields"]["name"] != names[token]:
                failures.append(f"reveal {response.status_code}")
            running["reader"].set()

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    try:
        assert all(event.wait(timeout=30) for event in running.values())
        result = rotate_data_keys(api.ctx.session_factory, fresh_key_service, chunk_size=5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert failures == []
    assert result.new_version == 2
    assert result.rewrapped >= len(before)
    # A create that took its data key just before the rotation may commit after the last
    # chunk; retire refuses while one remains, and one more pass rewraps it.
    rewrap_data_keys(api.ctx.session_factory, fresh_key_service, result.new_version)
    after = wrapped_keys(api)
    assert set(after) == set(names)
    assert {version for _, version in after.values()} == {2}
    for token, (wrapped, _) in before.items():
        assert after[token][0] != wrapped

    retire(api.ctx.session_factory, fresh_key_service, result.new_version)

    assert fresh_key_service.key_status().min_decryption_version == 2
    for wrapped, _ in before.values():
        with pytest.raises(KeyServiceError):
            fresh_key_service.unwrap_data_key(wrapped)
    for token, name in names.items():
        assert reveal(api, token, "name").json()["fields"] == {"name": name}
    rotated, retired = (
        system_events(api, "keys:data_key:rotate"),
        system_events(api, "keys:data_key:retire"),
    )
    # each key change: the intent committed before Transit was asked, then done
    assert [(e.actor, e.role, e.outcome) for e in rotated + retired] == [
        ("system", "system", "allowed")
    ] * 4
    assert [e.purpose for e in rotated] == [
        "intent: rotate the data-wrapping key",
        "done: data-wrapping key rotated to version 2",
    ]
    assert [e.purpose.split(":")[0] for e in retired] == ["intent", "done"]


def test_retire_refuses_while_a_data_key_is_still_wrapped_under_an_older_version(
    fresh_key_service: TransitKeyService, make_api: Callable[..., Api], sqlite_url: str
) -> None:
    api = make_api(sqlite_url, key_service=fresh_key_service)
    token = create(api, payment_method=None)["id"]
    latest = fresh_key_service.rotate_data_key()

    with pytest.raises(Conflict):
        retire(api.ctx.session_factory, fresh_key_service, latest)

    assert fresh_key_service.key_status().min_decryption_version == 1
    assert reveal(api, token, "name").status_code == 200
    assert system_events(api, "keys:data_key:retire") == []


def test_rotation_skips_a_customer_erased_between_read_and_write(
    fresh_key_service: TransitKeyService, make_api: Callable[..., Api], sqlite_url: str
) -> None:
    api = make_api(sqlite_url, key_service=fresh_key_service)
    erased = create(api, payment_method=None)["id"]
    kept = create(api, payment_method=None, email="kept@example.com")["id"]

    class ErasingWhileRewrapping:
        """The real key service; the customer is erased while its chunk is at Transit."""

        def __getattr__(self, name: str) -> object:
            return getattr(fresh_key_service, name)

        def rewrap_data_keys(self, wrapped: list[str]) -> list[tuple[str, int]]:
            results = fresh_key_service.rewrap_data_keys(wrapped)
            if api.call("GET", f"/v1/customers/{erased}").status_code == 200:
                assert api.call("DELETE", f"/v1/customers/{erased}").status_code == 200
            return results

    result = rotate_data_keys(
        api.ctx.session_factory,
        ErasingWhileRewrapping(),  # type: ignore[arg-type]
        chunk_size=10,
    )

    assert (result.rewrapped, result.changed_meanwhile) == (1, 1)
    after = wrapped_keys(api)
    assert after[erased] == (None, None)
    assert after[kept][1] == result.new_version
