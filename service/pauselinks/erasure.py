"""When a customer is erased: the links to its subscriptions are revoked and their return URLs
(the one free-form value a link keeps, which a caller might have filled with something
personal) are forgotten."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.pauselinks.models import PauseLink
from service.subscriptions.models import Subscription


def revoke_links_of_erased_customer(session: Session, customer: str, at: datetime) -> None:
    theirs = PauseLink.subscription.in_(
        select(Subscription.id).where(Subscription.customer == customer)
    )
    session.execute(
        update(PauseLink)
        .where(theirs, PauseLink.revoked_at.is_(None), PauseLink.used_at.is_(None))
        .values(revoked_at=at)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(PauseLink)
        .where(theirs)
        .values(return_url=None)
        .execution_options(synchronize_session=False)
    )
