"""``Strongroom-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`` — signing and verifying.

Internal services verify deliveries with :func:`verify_signature`::

    from service.events import signature
    signature.verify_signature(secret, request.headers["Strongroom-Signature"], raw_body)

It raises :class:`SignatureError` for a missing or malformed header, a wrong signature, or a
timestamp older than the tolerance (5 minutes by default) — reject the delivery then. Receivers
should also remember the event ``id`` for a while and drop duplicates: delivery is at least once.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Strongroom-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The delivery cannot be trusted."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check a delivery; returns its timestamp, or raises :class:`SignatureError`."""
    if not header:
        raise SignatureError("missing signature header")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError) as exc:
        raise SignatureError("malformed signature header") from exc
    current = time.time() if now is None else now
    if timestamp < current - tolerance:
        raise SignatureError("timestamp too old (possible replay)")
    if timestamp > current + tolerance:
        raise SignatureError("timestamp in the future")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", [])):
        raise SignatureError("signature does not match")
    return timestamp
