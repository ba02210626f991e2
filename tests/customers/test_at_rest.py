"""Invariants 1-4 on both databases: no clear data at rest or in logs, ciphertexts bound to
their place, and erasure that leaves nothing recoverable."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from service.core.db import transaction
from service.customers import sensitive
from service.customers.models import Customer
from service.customers.vault import data_key, unseal
from service.keys.cache import DataKeyCache
from service.keys.errors import DecryptionFailed
from tests.core.test_app import assert_problem
from tests.customers.support import (
    CANARY_STRINGS,
    canary_body,
    create,
    customer_row,
    holds,
    raw_database_bytes,
    reveal,
)
from tests.fixtures.app import Api


def processor_ids(api: Api, token: str) -> list[str]:
    from service.customers.operations import payment_refs

    with transaction(api.ctx.session_factory) as session:
        refs = payment_refs(session, api.ctx.key_service, api.ctx.data_keys, token)
    return [refs.processor_customer, refs.payment_method]


def exercise_every_operation(api: Api) -> str:
    """Create, read, reveal, search and fail validation with the canaries."""
    token = create(api)["id"]
    assert api.call("GET", f"/v1/customers/{token}", who="service").status_code == 200
    assert reveal(api, token, "name,email,phone,address").status_code == 200
    search = api.call(
        "POST", "/v1/customers/search", who="service", json={"email": canary_body()["email"]}
    )
    assert search.json() == {"data": [{"id": token}]}
    invalid = canary_body(phone="not a phone Zebulon")
    assert api.call("POST", "/v1/customers", who="service", json=invalid).status_code == 422
    return token


def test_canaries_never_reach_the_raw_database(api: Api, db_url: str) -> None:
    token = exercise_every_operation(api)
    secrets_held = [*CANARY_STRINGS, *processor_ids(api, token)]

    raw = raw_database_bytes(db_url).lower()

    assert raw, "the database dump is empty"
    assert token.encode() in raw  # the dump really holds the customer's row
    for value in secrets_held:
        assert not holds(raw, value), value


def test_an_idempotent_create_keeps_no_clear_metadata_in_the_replay_store(
    api: Api, db_url: str
) -> None:
    response = api.call(
        "POST",
        "/v1/customers",
        who="service",
        json=canary_body(payment_method=None),
        headers={"Idempotency-Key": "canary-create"},
    )
    assert response.status_code == 201, response.text

    raw = raw_database_bytes(db_url).lower()

    assert not holds(raw, "canary-metadata-value-91d2")


def test_erasure_removes_the_replayable_response_of_the_customers_creation(
    api: Api, db_url: str
) -> None:
    response = api.call(
        "POST",
        "/v1/customers",
        who="service",
        json=canary_body(payment_method=None),
        headers={"Idempotency-Key": "canary-create"},
    )
    token = response.json()["id"]

    assert api.call("DELETE", f"/v1/customers/{token}", who="admin").status_code == 200

    api.ctx.engine.dispose()
    assert not holds(raw_database_bytes(db_url).lower(), "canary-metadata-value-91d2")


def test_canaries_never_reach_the_logs(
    api: Api, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    token = exercise_every_operation(api)
    secrets_held = [*CANARY_STRINGS, *processor_ids(api, token)]
    declined = canary_body(payment_method="pm_card_visa_chargeDeclined")
    assert api.call("POST", "/v1/customers", who="service", json=declined).status_code == 402

    captured = capsys.readouterr()
    logged = "\n".join(
        [caplog.text, captured.out, captured.err]
        + [f"{r.getMessage()} {r.__dict__}" for r in caplog.records]
    ).lower()
    for value in secrets_held:
        assert value.lower() not in logged, value


def test_a_ciphertext_moved_to_another_row_or_column_does_not_decrypt(api: Api) -> None:
    first = create(api, payment_method=None)["id"]
    second = create(api, payment_method=None, name="Other Person")["id"]
    with transaction(api.ctx.session_factory) as session:
        source = session.get(Customer, first)
        assert source is not None
        name_blob, email_blob = source.name_ciphertext, source.email_ciphertext
        session.execute(
            update(Customer).where(Customer.id == second).values(name_ciphertext=name_blob)
        )
        session.execute(
            update(Customer).where(Customer.id == first).values(name_ciphertext=email_blob)
        )

    for token in (first, second):
        response = api.call("GET", f"/v1/customers/{token}", who="service")
        body = assert_problem(response, 500, "internal_error")
        assert "Zebulon" not in str(body)
    with transaction(api.ctx.session_factory) as session:
        moved = session.get(Customer, first)
        assert moved is not None
        key = data_key(moved, api.ctx.key_service, DataKeyCache(max_entries=0))
        with pytest.raises(DecryptionFailed):
            unseal(moved, key, sensitive.NAME)
        assert unseal(moved, key, sensitive.EMAIL) == canary_body()["email"]


def test_a_whole_row_copied_under_another_token_does_not_decrypt(api: Api) -> None:
    """Same data key, same ciphertexts: only the record id in the associated data differs."""
    original = create(api, payment_method=None)["id"]
    clone_token = "cus_tok_" + "c" * 24
    with transaction(api.ctx.session_factory) as session:
        source = session.get(Customer, original)
        assert source is not None
        values = {c.key: getattr(source, c.key) for c in Customer.__table__.columns}
        session.add(Customer(**{**values, "id": clone_token}))

    response = api.call("GET", f"/v1/customers/{clone_token}", who="service")

    assert_problem(response, 500, "internal_error")
    assert "Zebulon" not in response.text


def test_after_erasure_neither_the_database_nor_the_key_service_can_recover_the_data(
    api: Api, db_url: str
) -> None:
    token = create(api)["id"]
    before = customer_row(api, token)
    assert before is not None and before.wrapped_data_key is not None
    wrapped = before.wrapped_data_key
    own = [c for c in sensitive.SENSITIVE_COLUMNS if c.table == sensitive.CUSTOMERS_TABLE]
    ciphertexts = [getattr(before, c.column) for c in own]
    assert all(ciphertexts)

    assert api.call("DELETE", f"/v1/customers/{token}", who="admin").status_code == 200

    after = customer_row(api, token)
    assert after is not None and after.erased_at is not None
    assert after.wrapped_data_key is None and after.key_version is None
    assert after.email_index is None
    assert all(getattr(after, c.column) is None for c in own)
    # Nothing left in the row that the key service could unwrap.
    with transaction(api.ctx.session_factory) as session:
        row = session.execute(select(*Customer.__table__.columns).where(Customer.id == token)).one()
    assert not any(isinstance(v, str) and v.startswith("vault:") for v in row)

    api.ctx.engine.dispose()  # SQLite: checkpoint the WAL into the file an attacker copies
    raw = raw_database_bytes(db_url)
    assert token.encode() in raw  # the audit and the tombstone keep the token
    assert wrapped.encode() not in raw
    for blob in ciphertexts:
        assert bytes(blob) not in raw and bytes(blob).hex().encode() not in raw
    assert_problem(api.call("GET", f"/v1/customers/{token}"), 410, "gone")
