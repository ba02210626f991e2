"""Dates of birth after French, Dutch, Spanish, Italian and Portuguese labels: `né le` was in
the recogniser's labels but no word of it woke the recogniser, and `geboortedatum`, `nacida
el`, `nato il`, `nascido em` were no labels. Lines written for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("né le 3 mars 1985", "né le <DATE_TIME>"),
        ("née le 03/03/1985 à Lyon", "née le <DATE_TIME> à Lyon"),
        ("geboortedatum 12-03-1985", "geboortedatum <DATE_TIME>"),
        ("geboren op 12-03-1985", "geboren op <DATE_TIME>"),
        ("nacida el 12/03/1985", "nacida el <DATE_TIME>"),
        ("nato il 12/03/1985 a Roma", "nato il <DATE_TIME> a Roma"),
        ("nascido em 12/03/1985", "nascido em <DATE_TIME>"),
    ],
)
def test_a_date_of_birth_after_a_label(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line", ["job done le 3 mars 1985", "created 12/03/1985", "invoice dated 12/03/1985"]
)
def test_a_date_with_no_birth_label_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
