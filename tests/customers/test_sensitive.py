"""The sensitive-column declarations are the single source the vault and the inventory read."""

from __future__ import annotations

from sqlalchemy import LargeBinary

from service.access.policy import REVEALABLE_FIELDS
from service.customers.models import Customer
from service.customers.sensitive import REVEALABLE, SENSITIVE_COLUMNS


def test_every_declared_column_is_a_binary_ciphertext_column_of_its_table() -> None:
    from service.app.wiring import wire
    from service.core.db import Base

    wire()
    for declared in SENSITIVE_COLUMNS:
        columns = Base.metadata.tables[declared.table].columns
        assert isinstance(columns[declared.column].type, LargeBinary), declared.column


def test_the_seven_inventory_categories_are_declared_with_each_place() -> None:
    assert [c.category for c in SENSITIVE_COLUMNS] == [
        "contact.name",
        "contact.email",
        "contact.phone",
        "contact.address",
        "payment.card",
        "payment.processor_ref",
        "customer.metadata",
        "customer.metadata",
        "customer.metadata",
        "customer.metadata",
    ]
    assert [c.table for c in SENSITIVE_COLUMNS][-3:] == ["subscriptions", "pauses", "charges"]
    places = {(c.table, c.column) for c in SENSITIVE_COLUMNS}
    assert len(places) == len(SENSITIVE_COLUMNS)


def test_no_other_column_of_the_customers_table_could_hold_clear_data() -> None:
    declared = {c.column for c in SENSITIVE_COLUMNS if c.table == "customers"}
    undeclared = {c.name for c in Customer.__table__.columns} - declared
    assert undeclared == {
        "id",
        "created_at",
        "erased_at",
        "wrapped_data_key",
        "key_version",
        "data_key_generation",
        "email_index",
        "email_index_version",
    }


def test_the_revealable_fields_are_exactly_those_the_policy_may_grant() -> None:
    assert tuple(REVEALABLE) == REVEALABLE_FIELDS
