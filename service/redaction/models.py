"""The values the redactor hands out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its presidio entity name and its span in the original text."""

    entity: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Redacted:
    """A text with every finding replaced, and the findings with offsets into the original."""

    text: str
    findings: list[Finding]
