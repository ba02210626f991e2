"""A key made only of a place's words (`region`, `Store Location`, `warehouse_name`) holds a
place's name, which NER reads as a person's as often as not: such a value is no person as a
whole. A person's name inside a longer value, or under a key that also names a person
(`store_manager`), is still found. Each kept line below lost its value to `<PERSON>` before.
Places and names made up for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    "line",
    [
        '{"Store Location": "Amsterdam Zuid"}',
        '{"store_location": "Amsterdam Zuid"}',
        '{"warehouse": "Rotterdam Noord"}',
        '{"Branch": "Berlin Mitte"}',
        '{"region": "Sao Paulo"}',
        '{"office": "Buenos Aires"}',
        "location='Amsterdam Zuid' status=open",
    ],
)
def test_a_place_under_a_place_key_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ('{"store_manager": "Pieter de Vries"}', '{"store_manager": "<PERSON>"}'),
        (
            "location='Amsterdam Zuid' customer='Pieter de Vries'",
            "location='Amsterdam Zuid' customer='<PERSON>'",
        ),
        (
            '{"location": "Jane Doe, 12 Main Street, Springfield"}',
            '{"location": "<PERSON>, <LOCATION>, Springfield"}',
        ),
    ],
)
def test_a_person_beside_or_inside_a_place_is_found(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted
