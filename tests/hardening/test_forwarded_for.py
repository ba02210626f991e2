"""`source_ip` behind a proxy: X-Forwarded-For is believed only from a configured trusted
proxy. The real server (uvicorn) on loopback, real HTTP, the audit trail read back."""

from __future__ import annotations

import time
import uuid

import pytest

from service.core.config import Settings


def source_ip_of(server, forwarded: str) -> str:
    request_id = uuid.uuid4().hex
    response = server.call(
        "GET",
        "/v1/audit/events?limit=1",
        who="compliance",
        headers={"X-Forwarded-For": forwarded, "X-Request-Id": request_id},
    )
    assert response.status_code == 200, response.text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # queued first, then sequenced by the background thread
        for queued in ("true", "false"):
            found = server.call(
                "GET", f"/v1/audit/events?request_id={request_id}&queued={queued}"
            ).json()["data"]
            if found:
                return found[0]["source_ip"]
        time.sleep(0.2)
    raise AssertionError("the request's audit event never showed up")


def test_forwarded_for_is_ignored_from_an_untrusted_peer(
    make_live_server, openbao, localstripe, tmp_path
) -> None:
    server = make_live_server(
        db_url=f"sqlite:///{tmp_path / 'xff.db'}",
        vault_addr=openbao.addr,
        vault_token=openbao.token,
        stripe_api_base=localstripe.url,
    )
    assert source_ip_of(server, "203.0.113.9") == "127.0.0.1"


def test_forwarded_for_is_walked_past_trusted_proxies_only(
    make_live_server, openbao, localstripe, tmp_path
) -> None:
    server = make_live_server(
        db_url=f"sqlite:///{tmp_path / 'xff.db'}",
        vault_addr=openbao.addr,
        vault_token=openbao.token,
        stripe_api_base=localstripe.url,
        env={"STRONGROOM_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"},
    )
    assert source_ip_of(server, "203.0.113.9") == "203.0.113.9"
    # the client forged a first hop; the proxies (10.x, then loopback) appended the real one
    assert source_ip_of(server, "198.51.100.66, 203.0.113.9, 10.1.2.3") == "203.0.113.9"
    assert source_ip_of(server, "garbage, 10.1.2.3") == "10.1.2.3"


def test_a_bad_trusted_proxy_entry_fails_at_start() -> None:
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(trusted_proxies="10.0.0.0/8, not-an-address")
