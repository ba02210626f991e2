"""Floors on the frozen held-out set (`tests/redaction/heldout/`), which the detector was not
built from (see `test_heldout_independence.py`).

Measured when these floors were set (2,400 lines, 3,161 values): recall 0.990 (PERSON 0.992,
street addresses 0.972 with 5 mostly visible, dates of birth 0.996, e-mails 1.000),
over-redaction 0 of 1,655 protected values, text kept 0.988. Text kept is below 0.99 mainly
because the set's access-log lines leave their client IP addresses unlabelled: the redactor
rightly redacts them (1,627 characters). Before issue 17 the same set scored recall 0.318.
The floors leave room for the NER model's version, not for losing a whole mechanism.
"""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor
from tests.redaction.heldout.evaluate import (
    Report,
    evaluate,
    findings_of,
    labelled_kinds,
    load_heldout,
)


@pytest.fixture(scope="module")
def report(redactor: Redactor) -> Report:
    samples = load_heldout()
    return evaluate(samples, findings_of(redactor, [sample.text for sample in samples]))


def test_held_out_recall_is_at_least_97_percent(report: Report) -> None:
    assert report.recall.recall >= 0.97


@pytest.mark.parametrize(
    ("entity", "floor"),
    [("PERSON", 0.97), ("LOCATION", 0.95), ("DATE_TIME", 0.97), ("EMAIL_ADDRESS", 0.99)],
)
def test_held_out_recall_per_entity(report: Report, entity: str, floor: float) -> None:
    assert report.entities[entity].recall >= floor


def test_held_out_addresses_are_rarely_left_mostly_visible(report: Report) -> None:
    assert report.entities["LOCATION"].mostly_visible <= 10


def test_held_out_over_redaction_and_text_kept(report: Report) -> None:
    assert report.over_redaction <= 0.01
    assert report.text_kept >= 0.98


def test_held_out_text_kept_apart_from_kinds_the_set_does_not_label(redactor: Redactor) -> None:
    """Text lost to people, addresses, e-mails and dates found where the set has none; the
    IP addresses the set leaves unlabelled are not counted (0.9914 when this floor was set)."""
    samples = load_heldout()
    texts = [sample.text for sample in samples]
    in_kinds = findings_of(redactor, texts, labelled_kinds(samples))
    assert evaluate(samples, in_kinds).text_kept >= 0.99
