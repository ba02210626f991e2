"""The Vault client's HTTP session reads the environment once, when it is built: requests'
per-call look-up (every environment variable scanned for proxies, twice, and a ~/.netrc
searched) cost a quarter of the client's CPU per Transit call. What the environment says
still applies."""

from __future__ import annotations

import pytest

from service.keys.vault_client import build_vault_client


def test_proxies_and_ca_bundle_are_read_once_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    client = build_vault_client("https://vault.invalid:8200", token="t")
    session = client.adapter.session
    assert session.trust_env is False  # nothing read per call
    assert session.proxies["https"] == "http://proxy.invalid:3128"
    assert session.verify == "/etc/ssl/certs/ca-certificates.crt"
    assert client.adapter._kwargs["proxies"] == session.proxies


def test_no_proxy_and_an_explicit_ca_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "vault.internal")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    client = build_vault_client("https://vault.internal:8200", token="t", ca_cert="/ca.pem")
    session = client.adapter.session
    assert "https" not in session.proxies
    assert session.verify == "/ca.pem"
    assert client.adapter._kwargs["verify"] == "/ca.pem"
