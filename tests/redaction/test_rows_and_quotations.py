"""Names in rows of an export without a header.

spaCy's English tokenizer kept `5531,Linda` and `Pike;Springfield` as single tokens, so the
NER model saw no name in a headerless row; it now splits a comma between a digit and a letter
and a semicolon or bar between words (and a row's first and last bar: `|Linda Pike|5|` keeps
its bar). Tools and things in such rows stay (`Jenkins Build`: a tool's name first, where a
product's part follows it; `Will Kafka`: last, a surname). Each name below was left readable
before."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("5531,Daniel Rodriguez,Paultown,active", "Rodriguez"),
        ("row 17: 5531,Linda Pike,Springfield,active", "Pike"),
        ("5531;Linda Pike;Springfield;active", "Pike"),
        ("5531|Daniel Rodriguez|Paultown|active", "Rodriguez"),
        ("|Linda Pike|5|", "Pike"),
        # a surname that is a tool's name, after an ordinary given name
        ("5531,Will Kafka,Paultown,active", "Kafka"),
        ("Mark Jenkins logged in", "Jenkins"),
    ],
)
def test_the_name_is_redacted(redactor: Redactor, line: str, gone: str) -> None:
    assert gone not in redactor.redact(line).text


@pytest.mark.parametrize(
    "line",
    [
        "2024-03-01,Premium Plan,49.00,EUR,active",
        "1001;Standard Shipping;4.99;DE",
        "sku_123|Blue Widget|12|Warehouse North",
        "2,Jenkins Build,failed,42s",
        "4,Apple Pay,declined,insufficient_funds",
        "12,Black Friday,2024-11-29,Campaign",
        "price 1,000 and 2,5x",
        "Kafka Connect said ok",
    ],
)
def test_rows_of_things_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
