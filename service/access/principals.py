"""Creating, listing and revoking principals (the CLI's ``strongroom principals``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.actions import Action, Role
from service.access.auth import forget_principal
from service.access.keys import generate_key, hash_secret
from service.access.models import Principal
from service.audit.log import wall_clock_audit
from service.audit.recorder import SYSTEM_ACTOR
from service.core.errors import Conflict, NotFound, ValidationFailed

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class CreatedPrincipal:
    name: str
    role: str
    key: str
    expires_at: datetime | None


def create_principal(
    session: Session,
    name: str,
    role: str,
    now: datetime,
    *,
    expires_at: datetime | None = None,
    actor: str = SYSTEM_ACTOR,
    request_audited: bool = False,
) -> CreatedPrincipal:
    """``actor``: who is creating it, for the audit (the CLI's OS user and host).
    ``request_audited``: the change is made by an audited request (the console), whose own
    event records it; no system event is added, so that one request stays one event."""
    if not NAME_PATTERN.match(name):
        raise ValidationFailed("A principal name is 1-100 letters, digits, '.', '_' or '-'.")
    if role not in {r.value for r in Role}:
        raise ValidationFailed("The role must be service, compliance or admin.")
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed("The expiry must be in the future.")
    if session.scalar(select(Principal).where(Principal.name == name)) is not None:
        raise Conflict("A principal with this name exists.")
    key = generate_key()
    session.add(
        Principal(
            key_id=key.key_id,
            name=name,
            role=role,
            secret_hash=hash_secret(key.secret),
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    if not request_audited:
        _audit(session, Action.PRINCIPAL_CREATE, name, now, actor)
    return CreatedPrincipal(name=name, role=role, key=key.token, expires_at=expires_at)


def list_principals(session: Session) -> list[Principal]:
    return list(session.scalars(select(Principal).order_by(Principal.created_at)))


def revoke_principal(
    session: Session,
    name: str,
    now: datetime,
    *,
    actor: str = SYSTEM_ACTOR,
    request_audited: bool = False,
) -> Principal:
    """``actor`` and ``request_audited`` as for :func:`create_principal`."""
    principal = session.scalar(select(Principal).where(Principal.name == name))
    if principal is None:
        raise NotFound("No principal with this name.")
    if principal.revoked_at is None:
        principal.revoked_at = now
    forget_principal(principal.key_id)  # other processes: at their next count of revocations
    if not request_audited:
        _audit(session, Action.PRINCIPAL_REVOKE, name, now, actor)
    return principal


def _audit(session: Session, action: str, name: str, now: datetime, actor: str) -> None:
    # Principal names are operator-chosen labels, not personal data; they are the audit's
    # actor names too, so the event names the principal it changed.
    wall_clock_audit().system(session, action, [f"principal:{name}"], actor=actor, at=now)
