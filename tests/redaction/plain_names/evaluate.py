"""Recall and over-redaction on the plain-names set (see `generate.py`).

.venv/bin/python -m tests.redaction.plain_names.evaluate
"""

from __future__ import annotations

from tests.redaction.corpus import Sample
from tests.redaction.heldout.evaluate import (
    Report,
    evaluate,
    format_report,
    load_frozen,
    redactor_findings,
)
from tests.redaction.plain_names.generate import CHECKSUM_PATH, SET_PATH


def load_plain_names() -> list[Sample]:
    return load_frozen(SET_PATH, CHECKSUM_PATH)


def plain_names_report() -> Report:
    samples = load_plain_names()
    findings, _ = redactor_findings([sample.text for sample in samples])
    return evaluate(samples, findings)


if __name__ == "__main__":
    print(format_report("plain names (frozen)", plain_names_report()))
