"""`strongroom serve` refuses development settings unless a loudly named override is given:
the test clock, a missing Stripe key, a plain-http key service. The real command, in a child
process; it exits before opening anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.devstack import free_port

ROOT = Path(__file__).resolve().parents[2]
SAFE = {
    "STRONGROOM_VAULT_ADDR": "https://vault.example.com:8200",
    "STRONGROOM_STRIPE_API_KEY": "sk_test_configured",
    "STRONGROOM_PUBLIC_BASE_URL": "https://pay.example.com",
}


def serve(env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_")}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(free_port()), *flags],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({**SAFE, "STRONGROOM_TEST_CLOCK": "1"}, "STRONGROOM_TEST_CLOCK=1"),
        ({"STRONGROOM_VAULT_ADDR": SAFE["STRONGROOM_VAULT_ADDR"]}, "STRONGROOM_STRIPE_API_KEY"),
        ({**SAFE, "STRONGROOM_VAULT_ADDR": "http://127.0.0.1:8200"}, "is not https"),
        ({**SAFE, "STRONGROOM_DEV_MODE": "1"}, "STRONGROOM_DEV_MODE"),
        (
            {k: v for k, v in SAFE.items() if k != "STRONGROOM_PUBLIC_BASE_URL"},
            "STRONGROOM_PUBLIC_BASE_URL is not set",
        ),
        ({**SAFE, "STRONGROOM_PUBLIC_BASE_URL": "http://pay.example.com"}, "must be an https"),
    ],
    ids=[
        "test-clock",
        "no-stripe-key",
        "plain-http-vault",
        "dev-mode",
        "no-public-base-url",
        "plain-http-public-base-url",
    ],
)
def test_serve_refuses_development_settings(env: dict[str, str], refused: str) -> None:
    result = serve(env)
    assert result.returncode == 2, result.stderr
    assert refused in result.stderr
    assert "Uvicorn running" not in result.stderr


def test_the_overrides_are_named_and_shouted() -> None:
    """With both overrides the checks pass (the start then fails on the unreachable key
    service, which is not this test's subject) and each override is announced."""
    env = {
        **SAFE,
        "STRONGROOM_TEST_CLOCK": "1",
        "STRONGROOM_VAULT_ADDR": f"http://127.0.0.1:{free_port()}",
        "STRONGROOM_VAULT_TIMEOUT_SECONDS": "1",
        "STRONGROOM_DATABASE_URL": "sqlite:///:memory:",
    }
    result = serve(
        env, "--workers", "1", "--unsafe-test-clock-in-production", "--insecure-vault-http"
    )
    assert "error: STRONGROOM" not in result.stderr
    assert "UNSAFE: the test clock is on" in result.stderr
    assert "INSECURE: the key service is reached over plain http" in result.stderr
