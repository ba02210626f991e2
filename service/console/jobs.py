"""Housekeeping: console sessions that can no longer be used (expired, idle too long, signed
out) are deleted; their sign-ins and sign-outs stay in the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_

from service.console.models import ConsoleSession
from service.console.sessions import IDLE_TIMEOUT
from service.jobs.registry import JobContext


def expire_console_sessions(context: JobContext, now: datetime) -> int:
    with context.session_factory() as session:
        result = session.execute(
            delete(ConsoleSession).where(
                or_(
                    ConsoleSession.expires_at <= now,
                    ConsoleSession.last_seen_at <= now - IDLE_TIMEOUT,
                    ConsoleSession.revoked_at.is_not(None),
                )
            )
        )
        session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
