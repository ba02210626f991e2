"""Pause links: create, revoke, look up by token, and what a used link does (pause or resume).

Functions take the session and their collaborators as arguments; they flush, never commit.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.policy import Limits, SubscriberPause
from service.core.errors import Conflict, NotFound, PolicyViolation
from service.pauselinks import tokens
from service.pauselinks.models import PauseLink, PauseLinkState
from service.pauselinks.schemas import PauseLinkCreate
from service.pauses import operations as pauses
from service.pauses.schemas import PauseCreate
from service.subscriptions.models import Pause, SubscriptionStatus
from service.subscriptions.operations import get_subscription


def actor_of(link: PauseLink) -> str:
    """Who acts through a link, in the audit and on the pauses it creates."""
    return f"subscriber-link:{link.id}"


def create_link(
    session: Session,
    subscription_token: str,
    request: PauseLinkCreate,
    policy: SubscriberPause,
    created_by: str,
    now: datetime,
) -> tuple[PauseLink, str]:
    """A new link and its token (returned once, never stored)."""
    subscription = get_subscription(session, subscription_token)
    if subscription.status == SubscriptionStatus.CANCELED:
        raise Conflict("The subscription is canceled.")
    if request.lengths is not None and not all(policy.allows_days(d) for d in request.lengths):
        raise PolicyViolation(
            f"lengths: the policy allows pauses of {policy.min_days} to {policy.max_days} days."
        )
    token = tokens.new_token()
    link = PauseLink(
        id=tokens.new_link_id(),
        token_hash=tokens.token_hash(token),
        subscription=subscription.id,
        lengths=None if request.lengths is None else json.dumps(sorted(set(request.lengths))),
        return_url=request.return_url,
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(hours=request.expires_in_hours),
    )
    session.add(link)
    session.flush()
    return link, token


def link_exists(session: Session, link_id: str) -> bool:
    return session.execute(select(PauseLink.id).where(PauseLink.id == link_id)).first() is not None


def revoke_link(session: Session, link_id: str, now: datetime) -> PauseLink:
    """Revoke a link (again: nothing changes); Conflict once it has been used."""
    link = session.execute(
        select(PauseLink).where(PauseLink.id == link_id).with_for_update()
    ).scalar_one_or_none()
    if link is None:
        raise NotFound("No such pause link.")
    if link.used_at is not None:
        raise Conflict("The pause link has already been used.")
    if link.revoked_at is None:
        link.revoked_at = now
        session.flush()
    return link


def find_by_token(session: Session, token: str, *, for_update: bool = False) -> PauseLink | None:
    """The link a token opens; None for a malformed or unknown one (a malformed one costs no
    query at all)."""
    if not tokens.well_formed(token):
        return None
    query = select(PauseLink).where(PauseLink.token_hash == tokens.token_hash(token))
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def offered_lengths(link: PauseLink, policy: SubscriberPause) -> tuple[int, ...]:
    requested = None if link.lengths is None else tuple(json.loads(link.lengths))
    return policy.lengths(requested)


def _use(session: Session, link: PauseLink, pause: Pause, now: datetime) -> None:
    link.used_at = now
    link.pause = pause.id
    session.flush()


def lock_usable(session: Session, link: PauseLink, now: datetime) -> None:
    """Lock the link's row and re-read it; Conflict unless it can still be used."""
    session.refresh(link, with_for_update=True)
    if link.state(now) != PauseLinkState.USABLE:
        raise Conflict("This link can no longer be used.")


def confirm_pause(
    session: Session,
    link: PauseLink,
    days: int,
    mode: str,
    policy: SubscriberPause,
    limits: Limits,
    now: datetime,
) -> Pause:
    """Create the pause the subscriber chose (``pause.scheduled`` is emitted); the link is used."""
    lock_usable(session, link, now)
    if days not in offered_lengths(link, policy) or mode not in policy.modes:
        raise PolicyViolation("Choose one of the lengths and modes offered.")
    request = PauseCreate(start=policy.start, days=days, resume_mode=mode)
    pause, _ = pauses.create_pause(session, link.subscription, request, limits, actor_of(link), now)
    _use(session, link, pause, now)
    return pause


def confirm_resume(session: Session, link: PauseLink, now: datetime) -> Pause:
    """End the running pause now; the link is used."""
    lock_usable(session, link, now)
    pause, _ = pauses.resume(session, link.subscription, now)
    _use(session, link, pause, now)
    return pause
