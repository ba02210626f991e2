"""The email blind index: the field's label is part of the HMAC input, its key rotates, and
existing values are re-indexed in batches while search keeps finding every customer — the
label-less values the upgrade leaves behind included."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update

from service.core.db import transaction
from service.customers.blind_index import EMAIL_LABEL, labelled, reindex
from service.customers.models import Customer
from service.keys.cache import DataKeyCache
from service.keys.transit import TransitKeyService
from tests.customers.support import create
from tests.fixtures.app import Api

EMAILS = [f"Person.{n}@Example.org" for n in range(5)]


def search(api: Api, email: str) -> list[str]:
    response = api.call("POST", "/v1/customers/search", who="service", json={"email": email})
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["data"]]


def stored(api: Api) -> dict[str, tuple[str | None, int | None]]:
    with transaction(api.ctx.session_factory) as session:
        rows = session.execute(
            select(Customer.id, Customer.email_index, Customer.email_index_version)
        )
        return {token: (index, version) for token, index, version in rows}


def made(api: Api) -> dict[str, str]:
    return {create(api, email=email, payment_method=None)["id"]: email.lower() for email in EMAILS}


def test_the_index_hmac_is_labelled_with_its_field_and_records_its_key_version(
    make_api: Callable[..., Api], sqlite_url: str, fresh_key_service: TransitKeyService
) -> None:
    api = make_api(sqlite_url, key_service=fresh_key_service)
    token = create(api, email="Jane@Example.com", payment_method=None)["id"]

    index, version = stored(api)[token]

    (expected,), latest = fresh_key_service.keyed_digests(
        [labelled(EMAIL_LABEL, "jane@example.com")]
    )
    assert (index, version) == (expected, latest)
    # not the label-less digest, nor the same value's digest in another field
    assert index != fresh_key_service.blind_index(b"jane@example.com")
    (other,), _ = fresh_key_service.keyed_digests([labelled("customers.name", "jane@example.com")])
    assert index != other


def test_values_left_by_the_upgrade_stay_searchable_and_are_reindexed_in_batches(
    make_api: Callable[..., Api], sqlite_url: str, fresh_key_service: TransitKeyService
) -> None:
    api = make_api(sqlite_url, key_service=fresh_key_service)
    customers = made(api)
    with transaction(api.ctx.session_factory) as session:  # as migration a16_0007 leaves them
        for token, email in customers.items():
            session.execute(
                update(Customer)
                .where(Customer.id == token)
                .values(
                    email_index=fresh_key_service.blind_index(email.encode()),
                    email_index_version=0,
                )
            )
    for token, email in customers.items():
        assert search(api, email) == [token]

    progress: list[int] = []
    result = reindex(
        api.ctx.session_factory,
        fresh_key_service,
        DataKeyCache(),
        chunk_size=2,
        on_progress=progress.append,
    )

    assert (result.reindexed, result.changed_meanwhile, result.failed) == (5, 0, 0)
    assert progress == [2, 4, 5]
    assert {version for _, version in stored(api).values()} == {result.version}
    for token, email in customers.items():
        assert search(api, email.upper()) == [token]


def test_a_rotated_index_key_keeps_search_working_before_and_after_the_reindex(
    make_api: Callable[..., Api], sqlite_url: str, fresh_key_service: TransitKeyService
) -> None:
    api = make_api(sqlite_url, key_service=fresh_key_service)
    customers = made(api)
    before = stored(api)
    old_version = next(iter(before.values()))[1]

    new_version = fresh_key_service.rotate_index_key()
    late = create(api, email="late@example.org", payment_method=None)["id"]

    assert new_version == (old_version or 0) + 1
    assert stored(api)[late][1] == new_version
    for token, email in customers.items():
        assert search(api, email) == [token]  # still under the old version

    result = reindex(api.ctx.session_factory, fresh_key_service, DataKeyCache(), chunk_size=3)

    after = stored(api)
    assert result.reindexed == 5 and result.version == new_version
    assert all(after[t][1] == new_version and after[t][0] != before[t][0] for t in customers)
    for token, email in customers.items():
        assert search(api, email) == [token]
    assert search(api, "late@example.org") == [late]


def test_an_erasure_during_the_reindex_wins(
    make_api: Callable[..., Api], sqlite_url: str, fresh_key_service: TransitKeyService
) -> None:
    api = make_api(sqlite_url, key_service=fresh_key_service)
    customers = made(api)
    fresh_key_service.rotate_index_key()
    erased = next(iter(customers))

    def erase_midway(done: int) -> None:
        if done and stored(api)[erased][0] is not None:
            assert api.call("DELETE", f"/v1/customers/{erased}").status_code == 200

    reindex(
        api.ctx.session_factory,
        fresh_key_service,
        DataKeyCache(),
        chunk_size=1,
        on_progress=erase_midway,
    )

    assert stored(api)[erased] == (None, None)
    assert search(api, customers[erased]) == []
