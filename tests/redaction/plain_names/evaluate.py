"""Recall and over-redaction on the plain-names set (see `generate.py`).

.venv/bin/python -m tests.redaction.plain_names.evaluate
"""

from __future__ import annotations

import hashlib
import json

from tests.redaction.corpus import Sample, Span
from tests.redaction.heldout.evaluate import (
    ChecksumMismatch,
    Report,
    evaluate,
    format_report,
    redactor_findings,
)
from tests.redaction.plain_names.generate import CHECKSUM_PATH, SET_PATH


def load_plain_names() -> list[Sample]:
    raw = SET_PATH.read_bytes()
    recorded = CHECKSUM_PATH.read_text(encoding="utf-8").split()[0]
    if hashlib.sha256(raw).hexdigest() != recorded:
        raise ChecksumMismatch(f"{SET_PATH} does not match {CHECKSUM_PATH}")
    samples = []
    for line in raw.decode("utf-8").splitlines():
        record = json.loads(line)
        samples.append(
            Sample(
                record["text"],
                tuple(Span(*span) for span in record["pii"]),
                tuple(Span(*span) for span in record["protected"]),
                record["shape"],
            )
        )
    return samples


def plain_names_report() -> Report:
    samples = load_plain_names()
    findings, _ = redactor_findings([sample.text for sample in samples])
    return evaluate(samples, findings)


if __name__ == "__main__":
    print(format_report("plain names (frozen)", plain_names_report()))
