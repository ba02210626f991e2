"""Indian addresses as India Post writes them — a flat, house or door number, then the
building, street and locality set off by commas, then the town and its PIN — are redacted
whole; numbered lists that merely open with such a word stay.

Each address below was left readable, whole or for the most part, before this rule."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("ship to: Flat 3B, Sunrise Apartments, MG Road, Bengaluru 560001", "Sunrise"),
        ("ship to: Flat 3B, Sunrise Apartments, MG Road, Bengaluru 560001", "560001"),
        ("H.No. 1-2-345, Banjara Hills, Hyderabad 500034", "Banjara"),
        ("Door No 12, Gandhi Street, T Nagar, Chennai 600017", "Door No"),
        ("billing: Flat 12, Green Park, New Delhi - 110016 (verified)", "110016"),
        ("deliver to Flat 3B, Sunrise Apartments, MG Road today", "Sunrise"),
    ],
)
def test_an_indian_address_is_redacted(redactor: Redactor, line: str, gone: str) -> None:
    assert gone not in redactor.redact(line).text


@pytest.mark.parametrize(
    "line",
    [
        "Shop 12, Orders 4, Total 100000",
        "Shop 4, Block 2, 560001 rows",
        "Apt 3, retries 2, 100 000 ok",
        "Flat 2, Level 3, Server Room",
        # from an attacker's review: a figure's label before six digits is no town
        "Villa 12, Ocean View, Garden Villas, Rate 450000",
        "Apartment 3, Floor 2, Block C, Price 250000",
        "House 13, Haunted Block, Quest 4, XP 200000",
        "Apartment 7, Garden Block, Invoice 300145",
    ],
)
def test_numbered_lists_that_open_with_a_unit_word_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
