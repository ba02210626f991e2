"""Redacting texts: findings from a `PIIDetector`, replaced by `<ENTITY_TYPE>` tags."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

from service.redaction.csv_rows import LineStream
from service.redaction.models import Finding, Redacted
from service.redaction.policy import RedactionPolicy, load_policy

__all__ = ["Finding", "PIIDetector", "Redacted", "Redactor", "get_redactor", "redact_text"]


class PIIDetector(Protocol):
    """What the redactor needs: findings for each text, offsets into that text, no overlaps."""

    def detect_many(
        self, texts: Sequence[str], stream: LineStream | None = None
    ) -> list[list[Finding]]: ...


class Redactor:
    """Replaces personal data in texts, as the redaction policy says."""

    def __init__(
        self,
        policy: RedactionPolicy,
        detector: PIIDetector | None = None,
        *,
        preload: bool = True,
    ) -> None:
        self.policy = policy
        if detector is None:
            from service.redaction.detector import PresidioDetector

            detector = PresidioDetector(policy, preload=preload)
        self.detector = detector

    def redact(self, text: str) -> Redacted:
        return self.redact_many([text])[0]

    def redact_many(self, texts: Sequence[str], stream: LineStream | None = None) -> list[Redacted]:
        """Redact a batch; lines that are empty or blank never reach the detector. ``stream``:
        the stream this batch continues (its earlier batches' CSV header judges this one's
        rows); without one, the batch stands alone."""
        results: list[Redacted | None] = [None] * len(texts)
        pending = [index for index, text in enumerate(texts) if text and not text.isspace()]
        if pending:
            findings = self.detector.detect_many([texts[index] for index in pending], stream)
            for index, line_findings in zip(pending, findings, strict=True):
                results[index] = self._apply(texts[index], line_findings)
        return [
            result if result is not None else Redacted(text, [])
            for text, result in zip(texts, results, strict=True)
        ]

    def _apply(self, text: str, findings: list[Finding]) -> Redacted:
        if not findings:
            return Redacted(text, [])
        parts: list[str] = []
        cursor = 0
        for finding in sorted(findings, key=lambda f: f.start):
            parts.append(text[cursor : finding.start])
            parts.append(self.replacement(text[finding.start : finding.end], finding.entity))
            cursor = finding.end
        parts.append(text[cursor:])
        return Redacted("".join(parts), list(findings))

    def replacement(self, value: str, entity: str) -> str:
        tag = f"<{entity}>"
        keep = self.policy.replacement.card_keep_last
        if entity == "CREDIT_CARD" and keep:
            digits = [char for char in value if char.isdigit()]
            return tag + "".join(digits[-keep:])
        return tag


_instance: Redactor | None = None
_instance_lock = threading.Lock()


def get_redactor(*, preload: bool = True) -> Redactor:
    """The process-wide redactor, built from `policies/redaction.yaml` on first use.

    `preload=False` (`strongroom redact`) loads the NER model only when a line needs it;
    the first call decides.
    """
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                _instance = Redactor(load_policy(), preload=preload)
    return _instance


def redact_text(redactor: Redactor, text: str) -> Redacted:
    """A text of any number of lines, redacted line by line in one batch, its findings'
    offsets pointing into ``text``: the one way a free text is redacted (``POST /v1/redact``,
    pause reasons, charge descriptions, audit purposes), so a text redacts the same wherever
    it is sent."""
    lines = text.split("\n")
    results = redactor.redact_many(lines)
    findings: list[Finding] = []
    offset = 0
    for line, result in zip(lines, results, strict=True):
        findings.extend(
            Finding(f.entity, f.start + offset, f.end + offset, f.score) for f in result.findings
        )
        offset += len(line) + 1
    return Redacted("\n".join(result.text for result in results), findings)
