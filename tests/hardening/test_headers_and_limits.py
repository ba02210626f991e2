"""Security headers and limits on every route: no-store and a request id on every answer
(404, 405, 413 and 500 included), per-principal rate limits from the policy with Retry-After,
and a 500 that reveals nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from service.app.context import get_data_key_cache
from tests.canaries import NAME, canary_customer, scan
from tests.conftest import LOG_CAPTURE
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api
from tests.hardening.support import ROLES, Book, operations, problem_errors

# Not about storage: SQLite only.
sqlite_only = pytest.mark.parametrize("shared_api", ["sqlite"], indirect=True)


SECURITY_HEADERS = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_stamped(response: object, label: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers.get("x-request-id"), f"{label}: no X-Request-Id"
    assert "server" not in headers, f"{label}: server banner"
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, f"{label}: {name} is {headers.get(name)!r}"


@sqlite_only
def test_every_operation_as_every_role_answers_no_store_with_a_request_id(
    shared_api: Api, book: Book
) -> None:
    """Any response may carry revealed data, so none may be cached: checked on every route
    the app publishes, for each role and without a key."""
    for operation in operations(shared_api.app):
        if operation.method == "DELETE":
            continue  # erasing the seeded book would change what the other routes answer
        url = operation.url(book.for_operation(operation))
        for who in (*ROLES, None):
            response = shared_api.call(
                operation.method,
                url,
                who=who,
                json={} if operation.has_body else None,
                headers={"X-Purpose": "hardening check", "Idempotency-Key": "k-" + str(who)},
            )
            assert_stamped(response, f"{operation.method} {operation.path} as {who}")
    revealed = shared_api.call(
        "GET",
        f"/v1/customers/{book.tokens['customer_id']}/reveal?fields=email",
        who="compliance",
        headers={"X-Purpose": "hardening check"},
    )
    assert revealed.status_code == 200
    assert_stamped(revealed, "reveal")


@sqlite_only
def test_404_405_413_and_500_carry_a_request_id_and_the_security_headers(
    shared_api: Api, book: Book
) -> None:
    assert_stamped(shared_api.call("GET", "/v1/nowhere"), "404")
    assert_stamped(shared_api.call("PUT", "/v1/customers"), "405")
    too_big = shared_api.call(
        "POST",
        "/v1/redact",
        content=b'{"text": "' + b"A" * (2 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(too_big, 413, "payload_too_large")
    assert_stamped(too_big, "413")
    shared_api.app.dependency_overrides[get_data_key_cache] = lambda: None
    try:
        failed = shared_api.call(
            "GET", f"/v1/customers/{book.tokens['customer_id']}", who="service"
        )
    finally:
        shared_api.app.dependency_overrides.pop(get_data_key_cache)
    body = assert_problem(failed, 500, "internal_error")
    assert body["detail"] == "An internal error occurred."
    assert "Traceback" not in failed.text and "AttributeError" not in failed.text
    assert_stamped(failed, "500")


def strict_policy(tmp_path: Path, per_minute: int) -> Path:
    default = Path(__file__).resolve().parents[2] / "policies" / "default.yaml"
    policy = yaml.safe_load(default.read_text())
    policy["limits"]["requests_per_minute"] = per_minute
    path = tmp_path / "strict.yaml"
    path.write_text(yaml.safe_dump(policy))
    return path


def test_rate_limits_come_from_the_policy_are_per_principal_and_say_when_to_retry(
    make_api: Callable[..., Api], sqlite_url: str, tmp_path: Path
) -> None:
    api = make_api(sqlite_url, settings_overrides={"policy_file": strict_policy(tmp_path, 5)})
    answers = [api.call("GET", "/v1/events", who="service").status_code for _ in range(7)]
    assert answers[:5] == [200] * 5
    limited = api.call("GET", "/v1/events", who="service")
    assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) >= 1
    assert_stamped(limited, "429")
    # Another principal has its own budget.
    assert api.call("GET", "/v1/audit/events", who="compliance").status_code == 200
    events = api.call("GET", "/v1/audit/events?outcome=error", who="admin").json()["data"]
    assert any(e["status"] == 429 and e["actor"] == "service" for e in events)


def test_a_request_that_fails_inside_the_service_leaves_no_personal_data_in_any_log(
    sqlite_api: Api,
) -> None:
    """A forced internal failure while the body carries canary personal data: the traceback
    that is logged holds none of it, nor does the answer."""
    log_path = LOG_CAPTURE["path"]
    offset = log_path.stat().st_size
    sqlite_api.app.dependency_overrides[get_data_key_cache] = lambda: None
    try:
        failed = sqlite_api.call("POST", "/v1/customers", who="service", json=canary_customer())
    finally:
        sqlite_api.app.dependency_overrides.pop(get_data_key_cache)
    assert failed.status_code == 500
    assert not problem_errors(failed)
    assert NAME not in failed.text
    with log_path.open("rb") as handle:
        handle.seek(offset)
        log = handle.read().decode("utf-8", errors="replace")
    assert "Traceback" in log, "the failure was not logged: the scan below proves nothing"
    assert scan(log) == []
