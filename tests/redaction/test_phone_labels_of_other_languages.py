"""Phone numbers after German, Dutch, Italian, Spanish and Portuguese labels, and Germany's
slashed form (`0221/1234567`): each was left readable. Slashed numbers count only after a
label (`ticket 0221/1234567` stays), groups with no trunk prefix only right after one of these
labels. Lines written for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("Telefon: 0221/1234567", "Telefon: <PHONE_NUMBER>"),
        ("Tel. 030/1234567", "Tel. <PHONE_NUMBER>"),
        ("telefoon: 0612345678", "telefoon: <PHONE_NUMBER>"),
        ("cellulare 347 123 4567", "cellulare <PHONE_NUMBER>"),
        ("móvil 612 34 56 78", "móvil <PHONE_NUMBER>"),
        ("handy 347 123 4567", "handy <PHONE_NUMBER>"),
    ],
)
def test_a_number_after_a_label(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "order 030/1234567 shipped",
        "ticket 0221/1234567",
        "phone queue 012/2026 backlog",
        "mobil 100 200 300 400",
        "call volume 300 120 4000 today",
        "tel 05/12/2026",
        "ratio 0/1",
    ],
)
def test_what_only_looks_like_one_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
