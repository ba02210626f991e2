"""Request and response bodies of `POST /v1/redact` (API.md, "Redaction")."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.redaction.models import Finding
from service.redaction.redactor import Redactor, redact_text

MAX_TEXT_CHARS = 1024 * 1024
MAX_LINES = 10_000

Line = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


class RedactRequest(BaseModel):
    """Exactly one of `text` (one text, any number of lines) or `lines` (one result per line)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    lines: list[Line] | None = Field(default=None, max_length=MAX_LINES)

    @model_validator(mode="after")
    def _exactly_one_input(self) -> RedactRequest:
        if (self.text is None) == (self.lines is None):
            raise ValueError("give exactly one of 'text' and 'lines'")
        if self.lines is not None and sum(len(line) for line in self.lines) > MAX_TEXT_CHARS:
            raise ValueError(f"'lines' may hold at most {MAX_TEXT_CHARS} characters in all")
        return self


class FindingRead(BaseModel):
    entity: str
    start: int
    end: int
    score: float

    @classmethod
    def of(cls, finding: Finding) -> FindingRead:
        return cls(
            entity=finding.entity,
            start=finding.start,
            end=finding.end,
            score=round(finding.score, 4),
        )


class RedactTextRead(BaseModel):
    redacted: str
    findings: list[FindingRead]


class RedactLinesRead(BaseModel):
    lines: list[str]
    findings: list[list[FindingRead]]


def redact_request(body: RedactRequest, redactor: Redactor) -> dict[str, Any]:
    """The response body for a validated request; offsets point into the submitted text."""
    if body.lines is not None:
        results = redactor.redact_many(body.lines)
        return RedactLinesRead(
            lines=[result.text for result in results],
            findings=[[FindingRead.of(f) for f in result.findings] for result in results],
        ).model_dump()
    text = body.text or ""
    result = redact_text(redactor, text)
    return RedactTextRead(
        redacted=result.text, findings=[FindingRead.of(f) for f in result.findings]
    ).model_dump()
