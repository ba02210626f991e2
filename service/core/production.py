"""What ``strongroom serve`` refuses to start with: settings that are fine for development and
tests but unsafe in production, each allowed only with a loudly named override."""

from __future__ import annotations

from urllib.parse import urlsplit

from service.core.config import Settings

UNSAFE_TEST_CLOCK_FLAG = "--unsafe-test-clock-in-production"
UNSAFE_TEST_CLOCK_ENV = "STRONGROOM_UNSAFE_TEST_CLOCK_IN_PRODUCTION"
INSECURE_VAULT_FLAG = "--insecure-vault-http"
INSECURE_VAULT_ENV = "STRONGROOM_INSECURE_VAULT_HTTP"


def production_refusals(
    settings: Settings, *, unsafe_test_clock: bool = False, insecure_vault_http: bool = False
) -> list[str]:
    """Why ``serve`` must not start with these settings (empty when it may)."""
    refusals: list[str] = []
    if settings.dev_mode:
        refusals.append("STRONGROOM_DEV_MODE is for `strongroom dev` only")
    if settings.test_clock and not unsafe_test_clock:
        refusals.append(
            "STRONGROOM_TEST_CLOCK=1 lets any admin move time (and so due charges and pauses); "
            f"serve refuses it unless {UNSAFE_TEST_CLOCK_FLAG} ({UNSAFE_TEST_CLOCK_ENV}=1) is set"
        )
    if settings.stripe_api_key is None:
        refusals.append("STRONGROOM_STRIPE_API_KEY is not set (serve has no default key)")
    if urlsplit(settings.vault_addr).scheme != "https" and not insecure_vault_http:
        refusals.append(
            f"STRONGROOM_VAULT_ADDR ({settings.vault_addr}) is not https: tokens and data keys "
            f"would cross the network in clear; serve refuses it unless {INSECURE_VAULT_FLAG} "
            f"({INSECURE_VAULT_ENV}=1) is set"
        )
    refusals.extend(_public_base_url_refusals(settings.public_base_url))
    return refusals


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def _public_base_url_refusals(base: str | None) -> list[str]:
    """Pause links carry their credential in the URL: built from a request's Host header, a
    caller could have them point anywhere (or at plain http behind a TLS proxy)."""
    if not base:
        return [
            "STRONGROOM_PUBLIC_BASE_URL is not set: pause links (a credential in a URL) must "
            "not be built from a request's Host header; set it to the https address "
            "subscribers reach"
        ]
    parts = urlsplit(base)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return []
    return [f"STRONGROOM_PUBLIC_BASE_URL ({base}) must be an https URL (http only on loopback)"]


def production_warnings(*, unsafe_test_clock: bool, insecure_vault_http: bool) -> list[str]:
    """What an override costs, printed at every start that uses one."""
    warnings: list[str] = []
    if unsafe_test_clock:
        warnings.append("UNSAFE: the test clock is on in production; admins can move time")
    if insecure_vault_http:
        warnings.append("INSECURE: the key service is reached over plain http")
    return warnings
