"""A quoted value in lower case under a key that does not say what it holds: the NER model
reads a title-cased copy, where it called a third of a billing system's phrases a person
(`'invalid token'`, `'dark mode'`, `'kafka topic'`, `'hunter green'`). A given name is no
ordinary English word, and after one WordNet knows the surname is none either. An exception's
quoted message is judged so too (`KeyError: 'emily thomas'`), whatever its class's name says
(`key` values are otherwise no one's). Names and phrases written for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("item='natasha brown'", "item='<PERSON>'"),
        ('lookup failed: "taylor wright"', 'lookup failed: "<PERSON>"'),
        ("KeyError: 'emily thomas'", "KeyError: '<PERSON>'"),
        ("ValueError: 'jennifer hall'", "ValueError: '<PERSON>'"),
        ("KeyError: 'Emily Thomas'", "KeyError: '<PERSON>'"),
    ],
)
def test_a_lower_case_name_in_quotes(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "item='invalid token'",
        "item='dark mode'",
        "item='kafka topic'",
        "item='hunter green'",
        "item='victoria station'",
        "item='stolen card'",
        "item='store credit'",
        "item='daisy chain'",
        'lookup failed: "password reset"',
        'lookup failed: "family bundle"',
        "KeyError: 'billing address'",
        "KeyError: 'stripe_customer_id'",
        "raise KeyError('kafka topic')",
    ],
)
def test_a_lower_case_phrase_in_quotes_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
