"""A quoted value in lower case under a key that does not say what it holds: the NER model
reads a title-cased copy, where it called a third of a billing system's phrases a person
(`'invalid token'`, `'kafka topic'`, `'stolen card'`). Not when its first and last words are
both ordinary English words, nor when one is software, a log word or a thing; names made of
nouns stay names (`'rose baker'`). An exception's quoted message is judged so too (`KeyError:
'emily thomas'`), whatever its class's name says (`key` values are otherwise no one's). Names
and phrases written for these tests."""

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
        ("{'label': 'rose baker', 'id': 42}", "{'label': '<PERSON>', 'id': 42}"),
        ('tag="ross bell"', 'tag="<PERSON>"'),
        (
            'java.lang.IllegalArgumentException: "virgilio luna"',
            'java.lang.IllegalArgumentException: "<PERSON>"',
        ),
    ],
)
def test_a_lower_case_name_in_quotes(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "item='invalid token'",
        "item='kafka topic'",
        "item='stolen card'",
        "item='store credit'",
        "item='mark down'",
        "item='password reset'",
        'lookup failed: "password reset"',
        "KeyError: 'billing address'",
        "KeyError: 'stripe_customer_id'",
        "raise KeyError('kafka topic')",
        'java.lang.IllegalArgumentException: "invalid token"',
        'java.lang.IllegalStateException: "payment method"',
        "org.acme.CacheException: 'stale entry'",
    ],
)
def test_a_lower_case_phrase_in_quotes_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
