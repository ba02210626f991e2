"""Webhook URLs: https to a public host; plain-http loopback only where explicitly allowed."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from service.core.errors import ValidationFailed

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def validate_webhook_url(url: str, *, allow_http_loopback: bool) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValidationFailed("The url is not a valid URL.") from exc
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        raise ValidationFailed("The url must not carry credentials.")
    if not host or parts.scheme not in ("https", "http"):
        raise ValidationFailed("The url must be an absolute https URL.")
    loopback = host in LOOPBACK_NAMES or _is_ip(host, "loopback")
    if parts.scheme == "http":
        if not (allow_http_loopback and loopback):
            raise ValidationFailed(
                "The url must use https (plain http only for loopback receivers in development)."
            )
        return url
    if loopback and not allow_http_loopback:
        raise ValidationFailed("The url must point to a public host.")
    if _is_ip(host, "private") or host.endswith((".local", ".internal")) or port == 0:
        raise ValidationFailed("The url must point to a public host.")
    return url


def _is_ip(host: str, kind: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if kind == "loopback":
        return address.is_loopback
    return not address.is_global
