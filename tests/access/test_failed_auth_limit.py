"""An anonymous flood cannot starve the service: failed authentications are limited per source
address (policy ``failed_auth_per_minute``), still audited, and an unauthenticated body is
never read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from service.core.config import PROJECT_ROOT
from tests.core.test_app import assert_problem


def strict_policy(tmp_path: Path, limit: int) -> Path:
    text = (PROJECT_ROOT / "policies" / "default.yaml").read_text()
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("failed_auth_per_minute: 600", f"failed_auth_per_minute: {limit}"))
    return path


def test_failed_authentications_past_the_limit_are_429_and_still_audited(
    make_api: Any, sqlite_url: str, tmp_path: Path
) -> None:
    api = make_api(sqlite_url, settings_overrides={"policy_file": strict_policy(tmp_path, 5)})
    for n in range(5):
        bad = {"Authorization": f"Bearer srk_nope_{n}"}
        assert_problem(
            api.call("GET", "/v1/audit/sth", who=None, headers=bad), 401, "unauthenticated"
        )
    limited = api.call("GET", "/v1/audit/sth", who=None)
    body = assert_problem(limited, 429, "rate_limited")
    assert limited.headers["Retry-After"] == "60" and "slow down" in body["detail"]
    bogus = {"Authorization": "Bearer srk_abcdefgh_" + "x" * 43}
    assert_problem(api.call("GET", "/v1/audit/sth", who=None, headers=bogus), 429, "rate_limited")
    # A valid key from the same address (a shared NAT) still works.
    events = api.call("GET", "/v1/audit/events?actor=anonymous&limit=100").json()["data"]
    assert [e["status"] for e in events] == [401] * 5 + [429, 429]


def test_an_unauthenticated_body_is_not_read(make_api: Any, sqlite_url: str) -> None:
    api = make_api(sqlite_url)
    huge = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    response = api.call(
        "POST",
        "/v1/customers",
        who=None,
        content=huge,
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 401, "unauthenticated")  # not 413: the body was never looked at
