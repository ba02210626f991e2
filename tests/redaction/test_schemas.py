"""The `POST /v1/redact` bodies (API.md, "Redaction") and the function the endpoint calls."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.redaction.redactor import Redactor
from service.redaction.schemas import MAX_LINES, MAX_TEXT_CHARS, RedactRequest, redact_request


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": "a", "lines": ["a"]},
        {"text": "a", "mode": "strict"},
        {"text": 42},
        {"lines": "not a list"},
        {"lines": ["x"] * (MAX_LINES + 1)},
        {"text": "x" * (MAX_TEXT_CHARS + 1)},
        {"lines": ["x" * (MAX_TEXT_CHARS // 2 + 1)] * 2},
    ],
)
def test_requests_need_exactly_one_bounded_input_and_no_unknown_fields(body) -> None:
    with pytest.raises(ValidationError):
        RedactRequest.model_validate(body)


def test_text_response_has_offsets_into_the_original_multi_line_text(redactor: Redactor) -> None:
    text = "ok\ncard 4242 4242 4242 4242\n\nmail zo@example.com"
    response = redact_request(RedactRequest(text=text), redactor)
    assert response["redacted"] == "ok\ncard <CREDIT_CARD>4242\n\nmail <EMAIL_ADDRESS>"
    assert [(f["entity"], text[f["start"] : f["end"]]) for f in response["findings"]] == [
        ("CREDIT_CARD", "4242 4242 4242 4242"),
        ("EMAIL_ADDRESS", "zo@example.com"),
    ]
    assert set(response["findings"][0]) == {"entity", "start", "end", "score"}


def test_lines_response_has_one_findings_list_per_line(redactor: Redactor) -> None:
    lines = ["ip 192.0.2.1", "", "nothing"]
    response = redact_request(RedactRequest(lines=lines), redactor)
    assert response["lines"] == ["ip <IP_ADDRESS>", "", "nothing"]
    assert [len(findings) for findings in response["findings"]] == [1, 0, 0]
    assert response["findings"][0][0]["start"] == 3
    assert response["findings"][0][0]["end"] == 12
