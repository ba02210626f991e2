"""Which subscriptions a bulk selector names, read with what the bulk planner needs: two
queries (the subscriptions, locked on PostgreSQL, then their pauses), however many match."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, select, type_coerce
from sqlalchemy.orm import Session

from service.core.db import UTCDateTime
from service.pauses.models import Pause, PauseStatus
from service.pauses.schemas import BulkSelector
from service.subscriptions.calendar import Calendar, Interval
from service.subscriptions.models import Subscription, SubscriptionStatus, SubscriptionTag
from service.subscriptions.schedule import PauseWindow, ResumeMode
from service.subscriptions.service import ScheduleInputs


@dataclass
class Match:
    id: str
    status: str
    amount: int
    currency: str
    cancel_at: datetime | None
    charged_through_index: int
    next_charge_at: datetime | None
    start_at: datetime
    interval: str
    interval_count: int
    pauses: list[tuple[str, str, datetime, datetime | None, str]]  # id, status, start, end, mode

    @property
    def calendar(self) -> Calendar:
        return Calendar(self.start_at, Interval(self.interval), self.interval_count)

    def inputs(self) -> ScheduleInputs:
        windows = [
            PauseWindow(pid, start, end, ResumeMode(mode))
            for pid, status, start, end, mode in self.pauses
            if status != PauseStatus.CANCELED and (end is None or end > start)
        ]
        return ScheduleInputs(self.calendar, self.amount, windows, self.cancel_at)


def matching(selector: BulkSelector) -> Select[Any]:
    query = select(Subscription.id).where(Subscription.status != SubscriptionStatus.CANCELED)
    if selector.plan is not None:
        query = query.where(Subscription.plan == selector.plan)
    if selector.currency is not None:
        query = query.where(Subscription.currency == selector.currency)
    if selector.customer is not None:
        query = query.where(Subscription.customer == selector.customer)
    for tag in dict.fromkeys(selector.tags or []):
        query = query.where(
            exists().where(
                and_(SubscriptionTag.subscription == Subscription.id, SubscriptionTag.tag == tag)
            )
        )
    return query


def load_matches(session: Session, selector: BulkSelector, *, lock: bool) -> list[Match]:
    ids = matching(selector)
    query = select(
        Subscription.id,
        Subscription.status,
        Subscription.amount,
        Subscription.currency,
        Subscription.interval,
        Subscription.interval_count,
        Subscription.start_at,
        type_coerce(
            func.coalesce(Subscription.cancel_at, Subscription.canceled_at), UTCDateTime()
        ).label("stops_at"),
        Subscription.charged_through_index,
        Subscription.next_charge_at,
    ).where(Subscription.id.in_(ids))
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    matches: dict[str, Match] = {}
    for row in session.execute(query.order_by(Subscription.id)):
        matches[row.id] = Match(
            id=row.id,
            status=row.status,
            amount=row.amount,
            currency=row.currency,
            cancel_at=row.stops_at,
            charged_through_index=row.charged_through_index,
            next_charge_at=row.next_charge_at,
            start_at=row.start_at,
            interval=row.interval,
            interval_count=row.interval_count,
            pauses=[],
        )
    pauses = session.execute(
        select(Pause.id, Pause.subscription, Pause.status, Pause.starts_at, Pause.ends_at)
        .add_columns(Pause.resume_mode)
        .where(Pause.subscription.in_(ids), Pause.status != PauseStatus.CANCELED)
        .order_by(Pause.starts_at)
    )
    for pid, sub, status, start, end, mode in pauses:
        if sub in matches:
            matches[sub].pauses.append((pid, status, start, end, mode))
    return list(matches.values())
