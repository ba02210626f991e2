"""Masks as API.md shows them, and the normal forms they are computed from."""

from __future__ import annotations

import pytest

from service.customers.masks import mask_email, mask_name, mask_phone
from service.customers.validation import normalised_email, phone_number


@pytest.mark.parametrize(
    ("name", "masked"),
    [("Jane Smith", "J*** S***"), ("Ólafur  Arnalds", "Ó*** A***"), ("X", "X***")],
)
def test_a_name_shows_each_words_first_letter(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_an_email_shows_the_first_character_and_the_domain() -> None:
    assert mask_email("jane.smith@example.com") == "j***@example.com"


@pytest.mark.parametrize(
    ("submitted", "masked"),
    [
        ("+1 415 555 0134", "+1 ***0134"),
        ("+44 20 7946 0958", "+44 ***0958"),
        ("+353 1 234 5678", "+353 ***5678"),
    ],
)
def test_a_phone_shows_its_country_code_and_last_four_digits(submitted: str, masked: str) -> None:
    assert mask_phone(phone_number(submitted)) == masked


def test_emails_are_searched_trimmed_and_lower_cased() -> None:
    assert normalised_email("  Jane.Smith@Example.COM \t") == "jane.smith@example.com"
