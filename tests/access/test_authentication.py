"""API keys: missing, unknown, malformed, revoked and expired keys are all 401 problem+json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from service.access.models import Principal
from service.access.principals import revoke_principal
from service.core.db import transaction
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "policies" / "default.yaml"


def test_missing_key_is_401_and_audited_as_denied_for_anonymous(api: Api) -> None:
    assert_problem(api.call("GET", "/v1/audit/events", who=None), 401, "unauthenticated")
    events = api.call("GET", "/v1/audit/events?outcome=denied").json()["data"]
    assert [(e["actor"], e["status"], e["action"]) for e in events] == [
        ("anonymous", 401, "audit:event:list")
    ]


def test_unknown_and_malformed_keys_are_401(sqlite_api: Api) -> None:
    real = sqlite_api.keys["admin"]
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    for header in (f"Bearer {forged}", "Bearer srk_nothing", "Basic abc", "Bearer ", real):
        response = sqlite_api.call(
            "GET", "/v1/audit/events", who=None, headers={"Authorization": header}
        )
        assert_problem(response, 401, "unauthenticated")


def test_a_revoked_key_fails_on_the_very_next_request(sqlite_api: Api) -> None:
    assert sqlite_api.call("GET", "/v1/audit/events", who="compliance").status_code == 200
    with transaction(sqlite_api.ctx.session_factory) as session:
        revoke_principal(session, "compliance", datetime.now(UTC))
    response = sqlite_api.call("GET", "/v1/audit/events", who="compliance")
    assert_problem(response, 401, "unauthenticated")


def test_an_expired_key_is_401(sqlite_api: Api) -> None:
    with transaction(sqlite_api.ctx.session_factory) as session:
        session.execute(
            update(Principal)
            .where(Principal.name == "compliance")
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert_problem(
        sqlite_api.call("GET", "/v1/audit/events", who="compliance"), 401, "unauthenticated"
    )


def test_only_a_hash_of_the_key_is_stored(sqlite_api: Api) -> None:
    key = sqlite_api.keys["admin"]
    secret = key.split("_", 2)[2]
    with transaction(sqlite_api.ctx.session_factory) as session:
        stored = session.scalars(select(Principal)).all()
    assert stored
    for principal in stored:
        assert secret not in principal.secret_hash
        assert len(principal.secret_hash) == 64


def test_the_key_secret_has_at_least_256_bits(sqlite_api: Api) -> None:
    secret = sqlite_api.keys["admin"].split("_", 2)[2]
    assert len(secret) >= 43  # 43 base64url characters = 258 bits


def test_over_the_rate_limit_is_429_with_retry_after(make_api, sqlite_url, tmp_path) -> None:
    policy = tmp_path / "policy.yaml"
    source = DEFAULT_POLICY.read_text()
    policy.write_text(source.replace("requests_per_minute: 60000", "requests_per_minute: 3"))
    limited = make_api(sqlite_url, settings_overrides={"policy_file": policy})
    statuses = [limited.call("GET", "/v1/audit/events").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = limited.call("GET", "/v1/audit/events")
    assert_problem(response, 429, "rate_limited")
    assert int(response.headers["retry-after"]) >= 1
    # another principal has its own budget
    assert limited.call("GET", "/v1/audit/events", who="compliance").status_code == 200
