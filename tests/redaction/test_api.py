"""``POST /v1/redact`` and ``strongroom redact``: the contract seen from outside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.core.test_app import assert_problem

ROOT = Path(__file__).resolve().parents[2]
TEXT = "refund for jane.doe@example.com card 4111 1111 1111 1111 order cus_tok_abc123def456"


def test_text_is_redacted_with_findings_pointing_into_the_original(sqlite_api) -> None:
    response = sqlite_api.call("POST", "/v1/redact", who="service", json={"text": TEXT})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["redacted"] == (
        "refund for <EMAIL_ADDRESS> card <CREDIT_CARD>1111 order cus_tok_abc123def456"
    )
    entities = {f["entity"]: TEXT[f["start"] : f["end"]] for f in body["findings"]}
    assert entities == {
        "EMAIL_ADDRESS": "jane.doe@example.com",
        "CREDIT_CARD": "4111 1111 1111 1111",
    }


def test_lines_come_back_one_for_one(sqlite_api) -> None:
    lines = ["plain line", TEXT, "", "ip 203.0.113.9 connected"]
    body = sqlite_api.call("POST", "/v1/redact", who="service", json={"lines": lines}).json()
    assert len(body["lines"]) == len(body["findings"]) == 4
    assert body["lines"][0] == "plain line" and body["findings"][0] == []
    assert body["lines"][2] == ""
    assert "203.0.113.9" not in body["lines"][3]


def test_text_and_lines_together_or_neither_are_422(sqlite_api) -> None:
    for body in ({"text": "a", "lines": ["b"]}, {}, {"text": "a", "extra": 1}):
        assert_problem(
            sqlite_api.call("POST", "/v1/redact", who="service", json=body), 422, "invalid_request"
        )


def test_the_redacted_text_never_enters_the_audit(sqlite_api) -> None:
    sqlite_api.call("POST", "/v1/redact", who="service", json={"text": TEXT})
    exported = sqlite_api.call("GET", "/v1/audit/export").text
    # Searched with their punctuation: hex hashes and base64 proofs hold any short run of digits.
    assert "jane.doe@" not in exported and "4111 1111" not in exported
    assert '"action": "redaction:text:redact"' in exported


def test_cli_writes_exactly_one_line_per_input_line_in_order(tmp_path: Path) -> None:
    source = tmp_path / "app.log"
    lines = [
        f"line {i} user{i}@example.org paid" if i % 3 == 0 else f"line {i} ok" for i in range(600)
    ]
    lines[10] = ""
    source.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "redact", str(source)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    out = result.stdout.split("\n")[:-1]
    assert len(out) == 600
    assert out[10] == ""
    assert out[3] == "line 3 <EMAIL_ADDRESS> paid" and out[4] == "line 4 ok"
    assert "@example.org" not in result.stdout
