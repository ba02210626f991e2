"""The skeleton's HTTP contract: problem+json everywhere, request ids, ops endpoints, docs."""

from __future__ import annotations

import json

from tests.fixtures.app import Api


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert set(body) >= {"type", "title", "status", "detail", "code"}
    return body


def test_unknown_path_is_a_problem_json_404_and_is_audited(sqlite_api: Api) -> None:
    response = sqlite_api.call("GET", "/v1/no-such-thing", who=None)
    assert_problem(response, 404, "not_found")
    events = sqlite_api.call("GET", "/v1/audit/events?action=http:route:unknown").json()["data"]
    assert [e["status"] for e in events] == [404]
    assert events[0]["actor"] == "anonymous"
    assert events[0]["outcome"] == "error"


def test_wrong_method_is_a_problem_json_405(sqlite_api: Api) -> None:
    assert_problem(sqlite_api.call("DELETE", "/v1/audit/verify"), 405, "method_not_allowed")


def test_every_response_carries_a_request_id_echoing_a_valid_one(sqlite_api: Api) -> None:
    mine = sqlite_api.call("GET", "/healthz", who=None, headers={"X-Request-Id": "abc-123.x:y"})
    assert mine.headers["x-request-id"] == "abc-123.x:y"
    bad = sqlite_api.call("GET", "/healthz", who=None, headers={"X-Request-Id": "bad id;drop"})
    assert bad.headers["x-request-id"] != "bad id;drop"
    assert bad.headers["x-request-id"].startswith("req_")
    error = sqlite_api.call("GET", "/v1/nope", who=None)
    assert error.headers["x-request-id"].startswith("req_")


def test_request_id_is_recorded_in_the_audit_event(sqlite_api: Api) -> None:
    sqlite_api.call("GET", "/v1/audit/events", headers={"X-Request-Id": "trace-42"})
    events = sqlite_api.call("GET", "/v1/audit/events?request_id=trace-42").json()["data"]
    assert len(events) == 1 and events[0]["action"] == "audit:event:list"


def test_healthz_and_readyz_answer_without_a_key(sqlite_api: Api) -> None:
    assert sqlite_api.call("GET", "/healthz", who=None).json() == {"status": "ok"}
    ready = sqlite_api.call("GET", "/readyz", who=None)
    assert ready.status_code == 200
    assert ready.json()["key_service"] == "ok"


def test_anonymous_metrics_show_process_health_only(sqlite_api: Api) -> None:
    sqlite_api.call("GET", "/v1/audit/events")
    sqlite_api.call("GET", "/v1/customers/cus_tok_nope", who=None)  # a failed sign-in
    anonymous = sqlite_api.call("GET", "/metrics", who=None)
    assert anonymous.status_code == 200
    assert "strongroom_up 1.0" in anonymous.text and "process_" in anonymous.text
    for detail in ("strongroom_requests", "strongroom_request_seconds", "strongroom_jobs"):
        assert detail not in anonymous.text
    assert "audit:event:list" not in anonymous.text and 'status="401"' not in anonymous.text


def test_detailed_metrics_count_requests_behind_a_role(sqlite_api: Api) -> None:
    sqlite_api.call("GET", "/v1/audit/events")
    assert_problem(sqlite_api.call("GET", "/v1/metrics", who=None), 401, "unauthenticated")
    assert_problem(sqlite_api.call("GET", "/v1/metrics", who="compliance"), 403, "forbidden")
    text = sqlite_api.call("GET", "/v1/metrics", who="service").text
    assert 'strongroom_requests_total{action="audit:event:list",status="200"} 1.0' in text
    assert "strongroom_up 1.0" in text
    audited = sqlite_api.call("GET", "/v1/audit/events?action=ops:metrics_detail:read").json()
    assert {e["outcome"] for e in audited["data"]} >= {"denied"}


def test_openapi_publishes_an_action_on_every_operation(sqlite_api: Api) -> None:
    schema = sqlite_api.call("GET", "/openapi.json", who=None).json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations
    assert all(":" in op["x-action"] for op in operations)


def test_docs_are_served_without_any_external_fetch(sqlite_api: Api) -> None:
    page = sqlite_api.call("GET", "/docs", who=None)
    assert page.status_code == 200
    assert "https://" not in page.text.split("<body>")[0].replace("https://strongroom", "")
    asset = sqlite_api.call("GET", "/docs/static/swagger-ui-bundle.js", who=None)
    assert asset.status_code == 200 and len(asset.content) > 100_000


def test_malformed_json_is_400_and_not_a_500(sqlite_api: Api) -> None:
    response = sqlite_api.call(
        "POST", "/v1/redact", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "invalid_request")


def test_body_over_the_limit_is_413(sqlite_api: Api) -> None:
    big = json.dumps({"text": "a" * (1024 * 1024 + 10)})
    response = sqlite_api.call(
        "POST", "/v1/redact", content=big, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


def test_non_json_body_is_415(sqlite_api: Api) -> None:
    response = sqlite_api.call(
        "POST",
        "/v1/redact",
        content=b"text=hello",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_problem(response, 415, "unsupported_media_type")


def test_security_headers_and_no_server_banner(sqlite_api: Api) -> None:
    response = sqlite_api.call("GET", "/v1/audit/events")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "server" not in response.headers


def test_an_unknown_query_parameter_is_422_like_an_unknown_body_field(sqlite_api: Api) -> None:
    body = assert_problem(
        sqlite_api.call("GET", "/v1/audit/events?actr=admin"), 422, "invalid_request"
    )
    assert "actr" not in body["detail"]
    assert sqlite_api.call("GET", "/v1/audit/events?actor=admin").status_code == 200
