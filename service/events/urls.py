"""Webhook URLs: https to a public host; plain-http loopback only where explicitly allowed.

Checked when an endpoint is created (so a mistake is a 422, not a silent failure later) and
again on every connection (:mod:`service.events.egress`), which is the check that counts: a
name that does not resolve yet is accepted here and refused at delivery until it resolves to a
public address.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from service.core.errors import ValidationFailed
from service.events.egress import (
    LOOPBACK_NAMES,
    EgressRefused,
    NameDoesNotResolve,
    Resolver,
    checked_addresses,
    refusal,
    system_resolver,
)

NOT_PUBLIC = "The url must point to a public host."


def validate_webhook_url(
    url: str, *, allow_http_loopback: bool, resolver: Resolver = system_resolver
) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValidationFailed("The url is not a valid URL.") from exc
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        raise ValidationFailed("The url must not carry credentials.")
    if not host or parts.scheme not in ("https", "http") or port == 0:
        raise ValidationFailed("The url must be an absolute https URL.")
    numeric = _numeric_address(host)
    loopback = host in LOOPBACK_NAMES or (numeric is not None and numeric.is_loopback)
    if parts.scheme == "http" and not (allow_http_loopback and loopback):
        raise ValidationFailed(
            "The url must use https (plain http only for loopback receivers in development)."
        )
    if numeric is not None:
        if refusal(numeric, allow_loopback=allow_http_loopback) is not None:
            raise ValidationFailed(NOT_PUBLIC)
        return url
    try:
        checked_addresses(
            host,
            port or 443,
            allow_loopback=allow_http_loopback and loopback,
            resolver=resolver,
        )
    except NameDoesNotResolve:
        pass
    except EgressRefused:
        raise ValidationFailed(NOT_PUBLIC) from None
    return url


def _numeric_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a numeric host means in any spelling the socket layer accepts
    (``127.1``, ``2130706433``, ``0x7f.1``, ``[::1]``), or None for a name."""
    try:
        infos = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError):
        return None
    return ipaddress.ip_address(str(infos[0][4][0]).split("%", 1)[0])
