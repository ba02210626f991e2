"""Recomputing credits and ``next_charge_at`` for many subscriptions at once (after a bulk
operation's pauses were canceled): one query for the subscriptions, one for their pauses."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

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
