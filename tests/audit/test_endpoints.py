"""``/v1/audit``: what compliance officers read — filters, pages, verify, exports."""

from __future__ import annotations

import csv
import io
import json

from tests.core.test_app import assert_problem
from tests.fixtures.app import Api


def test_denied_requests_are_audited_with_outcome_denied(api: Api) -> None:
    assert_problem(api.call("GET", "/v1/audit/events", who="service"), 403, "forbidden")
    events = api.call("GET", "/v1/audit/events?actor=service").json()["data"]
    assert [(e["outcome"], e["status"], e["role"]) for e in events] == [("denied", 403, "service")]


def test_a_failed_request_is_audited_with_outcome_error(api: Api) -> None:
    api.call("GET", "/v1/audit/events?limit=501")
    events = api.call("GET", "/v1/audit/events?outcome=error").json()["data"]
    assert [(e["status"], e["action"]) for e in events] == [(422, "audit:event:list")]


def test_events_page_in_ascending_sequence_with_a_cursor(sqlite_api: Api) -> None:
    for _ in range(5):
        sqlite_api.call("GET", "/healthz")
        sqlite_api.call("GET", "/v1/audit/verify")
    seen: list[int] = []
    cursor = None
    while True:
        query = "/v1/audit/events?limit=2&action=audit:tree:verify"
        page = sqlite_api.call("GET", query + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [e["seq"] for e in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and seen == sorted(seen)


def test_time_window_is_from_inclusive_to_exclusive(sqlite_api: Api) -> None:
    sqlite_api.call("GET", "/v1/audit/verify")
    first = sqlite_api.call("GET", "/v1/audit/events").json()["data"][0]
    at = first["at"]
    inside = sqlite_api.call("GET", f"/v1/audit/events?from={at}&to={at}")
    assert inside.status_code == 200 and inside.json()["data"] == []
    assert sqlite_api.call("GET", f"/v1/audit/events?from={at}").json()["data"][0]["seq"] == 1
    assert sqlite_api.call("GET", f"/v1/audit/events?to={at}").json()["data"] == []


def test_bad_filters_are_422_without_echoing_them(sqlite_api: Api) -> None:
    response = sqlite_api.call("GET", "/v1/audit/events?from=yesterday-ish&outcome=maybe")
    body = assert_problem(response, 422, "invalid_request")
    assert "yesterday-ish" not in response.text and "maybe" not in response.text
    assert {e["field"] for e in body["errors"]} == {"query.from", "query.outcome"}


def test_verify_reports_the_tree_its_heads_and_anchors(api: Api) -> None:
    api.call("GET", "/v1/audit/events")
    result = api.call("GET", "/v1/audit/verify").json()
    assert result["ok"] is True, result
    assert result["checked"] == result["tree_size"] >= 4  # 3 principals + 1 request
    assert result["sths"]["count"] == result["sths"]["verified"] >= 1
    assert result["anchors"]["consistent"] is True
    assert result["anchors"]["latest_tree_size"] == result["tree_size"]
    assert result["first_bad_seq"] is None and result["reason"] is None
    assert len(result["root_hash"]) == 64 and result["queued"] == 0


def test_export_streams_jsonl_and_csv(sqlite_api: Api) -> None:
    sqlite_api.call("GET", "/v1/audit/verify")
    jsonl = sqlite_api.call("GET", "/v1/audit/export?format=jsonl")
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in jsonl.text.splitlines()]
    trailer = lines.pop()
    assert trailer["sth"]["tree_size"] == len(lines) and trailer["proofs"]
    assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1))
    # the export request itself is committed before the stream starts, so it is included
    assert [e["action"] for e in lines[-2:]] == ["audit:tree:verify", "audit:event:export"]
    exported = sqlite_api.call("GET", "/v1/audit/export?format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert list(rows[0].keys())[:3] == ["seq", "id", "at"]
    assert rows[0]["targets"] == "principal:service"
    assert len(rows) >= len(lines)
    assert rows[0]["leaf_hash"] == lines[0]["leaf_hash"]


def test_export_rejects_an_unknown_format(sqlite_api: Api) -> None:
    assert_problem(sqlite_api.call("GET", "/v1/audit/export?format=xml"), 422, "invalid_request")
