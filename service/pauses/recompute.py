"""Recomputing credits and ``next_charge_at`` for many subscriptions at once (after a bulk
operation's pauses were canceled): one query for the subscriptions, one for their pauses."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from service.core.db import UTCDateTime
from service.pauses.models import Pause, PauseStatus
from service.subscriptions.models import Subscription
from service.subscriptions.schedule import ResumeMode, credit_for_pause
from service.subscriptions.service import inputs_from, next_charge_for, pause_window

CHUNK = 2000


def recompute_subscriptions(session: Session, tokens: list[str]) -> None:
    distinct = list(dict.fromkeys(tokens))
    for start in range(0, len(distinct), CHUNK):
        chunk = distinct[start : start + CHUNK]
        subscriptions = session.execute(
            select(Subscription).where(Subscription.id.in_(chunk)).with_for_update()
        ).scalars()
        pauses: dict[str, list[Pause]] = defaultdict(list)
        for pause in session.execute(
            select(Pause)
            .where(Pause.subscription.in_(chunk), Pause.status != PauseStatus.CANCELED)
            .order_by(Pause.starts_at)
        ).scalars():
            pauses[pause.subscription].append(pause)
        for subscription in subscriptions:
            own = pauses[subscription.id]
            inputs = inputs_from(subscription, own)
            for pause in own:
                window = pause_window(pause)
                if pause.resume_mode == ResumeMode.CREDIT and window is not None:
                    pause.credit_amount = credit_for_pause(
                        inputs.calendar,
                        inputs.amount,
                        window,
                        inputs.pauses,
                        cancel_at=inputs.cancel_at,
                    )
            subscription.next_charge_at = next_charge_for(subscription, inputs)
        session.flush()


def set_next_charge(session: Session, changes: list[tuple[str, datetime | None]]) -> None:
    """Set many subscriptions' ``next_charge_at`` with one statement (PostgreSQL: unnest of
    two arrays) or one executemany."""
    if not changes:
        return
    if session.get_bind().dialect.name == "postgresql":
        process = UTCDateTime().bind_processor(session.get_bind().dialect)
        session.execute(
            text(
                "UPDATE subscriptions AS s SET next_charge_at = v.moved_to "
                "FROM unnest(CAST(:ids AS text[]), CAST(:moved AS timestamp[])) "
                "AS v(id, moved_to) WHERE s.id = v.id"
            ),
            {
                "ids": [token for token, _ in changes],
                "moved": [process(moment) if process else moment for _, moment in changes],
            },
        )
        return
    table = Subscription.__table__
    session.execute(
        update(table)
        .where(table.c.id == bindparam("target"))
        .values(next_charge_at=bindparam("moved_to")),
        [{"target": token, "moved_to": moment} for token, moment in changes],
    )
