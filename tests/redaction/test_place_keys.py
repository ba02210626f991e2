"""A value under a key of place words (`region`, `Store Location`, `warehouse`, `store_name`)
that holds a word naming a part of a town (`Zuid`, `Mitte`, `Centraal`, `Airport`) or opens
as a place's name does (`Sao Paulo`) is a place, which NER read as a person's
name: each kept line below lost its value to `<PERSON>`
before. Without such a word the value is judged as before: an attacker review found people's
names under place keys (`{"location": "Anna Weber"}`, a parcel left with a neighbour). Places
and names made up for these tests."""

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
        '{"store_name": "Utrecht Centraal"}',
        '{"siteName": "Graz Süd"}',
        # a place's opening word, as in free text (`values.PLACE_OPENERS`)
        '{"office": "Sao Paulo"}',
        "location='Amsterdam Zuid' status=open",
    ],
)
def test_a_part_of_a_town_under_a_place_key_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ('{"location": "Anna Weber"}', '{"location": "<PERSON>"}'),
        ('{"office": "Lucía Fernández", "floor": 3}', '{"office": "<PERSON>", "floor": 3}'),
        ("site=Sophie Martin shift=night", "site=<PERSON> shift=night"),
        ('{"store_name": "Giulia Bianchi"}', '{"store_name": "<PERSON>"}'),
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
def test_a_person_under_or_beside_a_place_key_is_found(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted
