"""Console sign-in: an API key is exchanged for a session whose secret lives only in an
HttpOnly cookie; the database keeps its SHA-256. Idle timeout 15 minutes, absolute 8 hours,
revoked on sign-out and whenever its principal's key stops being usable.

CSRF tokens are derived from the cookie's secret (HMAC), so they need no storage, differ per
session and cannot be computed by a page that cannot read the cookie. The sign-in form, which
comes before any session, is bound the same way to a short-lived pre-session cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import ip_address

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.access.auth import Caller
from service.access.models import Principal
from service.console.models import ConsoleSession

IDLE_TIMEOUT = timedelta(minutes=15)
ABSOLUTE_TIMEOUT = timedelta(hours=8)
# last_seen_at is written at most this often (one write per page view would be wasteful)
TOUCH_EVERY = timedelta(seconds=30)

SESSION_COOKIE = "strongroom_console"
PRE_SESSION_COOKIE = "strongroom_console_signin"
PRE_SESSION_SECONDS = 3600
CONSOLE_ROLES = frozenset({"compliance", "admin"})


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"strongroom-console-csrf", hashlib.sha256).hexdigest()


def csrf_matches(secret: str | None, submitted: str | None) -> bool:
    if not secret or not submitted:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters (a 500 otherwise).
    return hmac.compare_digest(csrf_token(secret).encode(), submitted.encode())


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ActiveSession:
    caller: Caller
    secret: str


def start_session(session: Session, caller: Caller, now: datetime) -> str:
    """A new session (a new id every time: no fixation) for an authenticated caller."""
    secret = new_secret()
    session.add(
        ConsoleSession(
            token_hash=_digest(secret),
            key_id=caller.key_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE_TIMEOUT,
        )
    )
    session.flush()
    return secret


def resume_session(session: Session, secret: str | None, now: datetime) -> ActiveSession | None:
    """The live session behind a cookie, or None (unknown, revoked, idle, expired, or its
    principal revoked or expired). A live session's last-seen time moves forward."""
    if not secret or len(secret) > 128:
        return None
    row = session.get(ConsoleSession, _digest(secret))
    if row is None or row.revoked_at is not None:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= IDLE_TIMEOUT:
        return None
    principal = session.get(Principal, row.key_id)
    if principal is None or not principal.is_usable(now) or principal.role not in CONSOLE_ROLES:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    caller = Caller(name=principal.name, role=principal.role, key_id=principal.key_id)
    return ActiveSession(caller=caller, secret=secret)


def end_session(session: Session, secret: str | None, now: datetime) -> None:
    if not secret:
        return
    session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.token_hash == _digest(secret), ConsoleSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_sessions_of(session: Session, key_id: str, now: datetime) -> None:
    session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.key_id == key_id, ConsoleSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def live_sessions_by_key(session: Session, now: datetime) -> dict[str, int]:
    """How many usable console sessions each key holds."""
    rows = session.execute(
        select(ConsoleSession.key_id, func.count())
        .where(
            ConsoleSession.revoked_at.is_(None),
            ConsoleSession.expires_at > now,
            ConsoleSession.last_seen_at > now - IDLE_TIMEOUT,
        )
        .group_by(ConsoleSession.key_id)
    )
    return {str(key_id): int(count) for key_id, count in rows}


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ip_address(name).is_loopback
    except ValueError:
        return False
