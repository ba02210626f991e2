"""Subscriptions: create, read, cancel — and what the pause and charge engines need.

Functions take the session and their collaborators as arguments; they flush, never commit.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from service.core.errors import Gone, NotFound, ValidationFailed
from service.customers.models import Customer
from service.keys.cache import DataKeyCache
from service.keys.envelope import decrypt_field, encrypt_field
from service.keys.port import KeyService
from service.subscriptions.calendar import Calendar, Interval
from service.subscriptions.errors import NoUpcomingDueDate
from service.subscriptions.models import (
    METADATA_COLUMN,
    SUBSCRIPTION_ID_PREFIX,
    SUBSCRIPTIONS_TABLE,
    Pause,
    PauseStatus,
    Subscription,
    SubscriptionStatus,
    SubscriptionTag,
)
from service.subscriptions.schedule import (
    PauseWindow,
    ResumeMode,
    first_charge_from,
    next_due_after,
)
from service.subscriptions.schemas import SubscriptionCreate

START_GRACE = timedelta(minutes=1)
# A subscription's data key is never replaced, so its ciphertexts are bound to generation 1.
METADATA_KEY_GENERATION = 1


@dataclass(frozen=True)
class ScheduleInputs:
    """Everything the pure schedule engine needs about one subscription."""

    calendar: Calendar
    amount: int
    pauses: list[PauseWindow]
    cancel_at: datetime | None
    charged_through: int = -1  # the highest calendar index the charge job has handled


# A pause as the views and the schedule engine read it: the ORM object, or a row of its table
# (same attribute names) where nothing is written back.
PauseRecord: TypeAlias = Pause | Row[Any]


def new_subscription_token() -> str:
    return SUBSCRIPTION_ID_PREFIX + secrets.token_hex(12)


# -- lookups ------------------------------------------------------------------------------------


def subscription_exists(session: Session, token: str) -> bool:
    query = select(Subscription.id).where(Subscription.id == token)
    return session.execute(query).first() is not None


def find_subscription(session: Session, token: str, *, for_update: bool = False) -> Subscription:
    """The subscription, whatever its state; NotFound when the token names nothing."""
    query = select(Subscription).where(Subscription.id == token)
    if for_update:
        query = query.with_for_update()
    subscription = session.execute(query).scalar_one_or_none()
    if subscription is None:
        raise NotFound("No such subscription.")
    return subscription


def get_subscription(session: Session, token: str, *, for_update: bool = False) -> Subscription:
    """The subscription to act on: NotFound when unknown, Gone when its customer was erased.
    One statement: the subscription (locked, if asked) and whether its customer is live."""
    query = (
        select(Subscription, Customer.id, Customer.erased_at)
        .outerjoin(Customer, Customer.id == Subscription.customer)
        .where(Subscription.id == token)
    )
    if for_update:
        query = query.with_for_update(of=Subscription)  # not the customer's row
    row = session.execute(query).first()
    if row is None:
        raise NotFound("No such subscription.")
    subscription, customer, erased_at = row
    live = customer is not None and erased_at is None
    if live and subscription.status == SubscriptionStatus.CANCELED:
        # Waiting for the lock, PostgreSQL re-reads the locked row, not the customer's: an
        # erasure that canceled the subscription meanwhile shows here as a live customer.
        customer, erased_at = session.execute(
            select(Customer.id, Customer.erased_at).where(Customer.id == subscription.customer)
        ).one_or_none() or (None, None)
    if customer is None or erased_at is not None:
        raise Gone("This subscription's customer has been erased.")
    return subscription


def live_pauses(session: Session, subscription_id: str) -> list[Pause]:
    """Every pause of the subscription that was not canceled, oldest start first."""
    query = (
        select(Pause)
        .where(Pause.subscription == subscription_id, Pause.status != PauseStatus.CANCELED)
        .order_by(Pause.starts_at)
    )
    return list(session.execute(query).scalars())


def live_pauses_of(session: Session, subscription_ids: list[str]) -> dict[str, list[Pause]]:
    """``live_pauses`` of many subscriptions in one statement (the renewal job's batches)."""
    found: dict[str, list[Pause]] = {sid: [] for sid in subscription_ids}
    if subscription_ids:
        query = (
            select(Pause)
            .where(Pause.subscription.in_(subscription_ids), Pause.status != PauseStatus.CANCELED)
            .order_by(Pause.subscription, Pause.starts_at)
        )
        for pause in session.execute(query).scalars():
            found[pause.subscription].append(pause)
    return found


# -- the engine's inputs ------------------------------------------------------------------------


def calendar_of(subscription: Subscription) -> Calendar:
    return Calendar(
        subscription.start_at, Interval(subscription.interval), subscription.interval_count
    )


def pause_window(pause: PauseRecord) -> PauseWindow | None:
    """The engine's view of a pause; None for one that never paused anything."""
    if pause.status == PauseStatus.CANCELED:
        return None
    if pause.ends_at is not None and pause.ends_at <= pause.starts_at:
        return None
    return PauseWindow(pause.id, pause.starts_at, pause.ends_at, ResumeMode(pause.resume_mode))


def cancel_time(subscription: Subscription) -> datetime | None:
    return subscription.cancel_at or subscription.canceled_at


def inputs_from(subscription: Subscription, pauses: Sequence[PauseRecord]) -> ScheduleInputs:
    windows = [window for window in map(pause_window, pauses) if window is not None]
    return ScheduleInputs(
        calendar=calendar_of(subscription),
        amount=subscription.amount,
        pauses=windows,
        cancel_at=cancel_time(subscription),
        charged_through=subscription.charged_through_index,
    )


def schedule_inputs(session: Session, subscription: Subscription) -> ScheduleInputs:
    return inputs_from(subscription, live_pauses(session, subscription.id))


def next_charge_for(subscription: Subscription, inputs: ScheduleInputs) -> datetime | None:
    if subscription.status == SubscriptionStatus.CANCELED:
        return None
    entry = first_charge_from(
        inputs.calendar,
        inputs.amount,
        inputs.pauses,
        subscription.charged_through_index + 1,
        cancel_at=inputs.cancel_at,
    )
    return None if entry is None else entry.due_at


def refresh_next_charge(session: Session, subscription: Subscription) -> None:
    """Recompute ``next_charge_at`` from the engine (after pauses or cancellation changed)."""
    subscription.next_charge_at = next_charge_for(
        subscription, schedule_inputs(session, subscription)
    )
    session.flush()


def mark_past_due(session: Session, subscription: Subscription) -> None:
    """The charge engine gave up on a period: past_due, unless paused or canceled."""
    if subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
        subscription.status = SubscriptionStatus.PAST_DUE
        session.flush()


def period_end(inputs: ScheduleInputs, now: datetime) -> datetime:
    """The next due date after ``now``; Conflict when the schedule has none."""
    moment = next_due_after(
        inputs.calendar, inputs.amount, inputs.pauses, now, cancel_at=inputs.cancel_at
    )
    if moment is None:
        raise NoUpcomingDueDate()
    return moment


# -- create -------------------------------------------------------------------------------------


def create_subscription(
    session: Session,
    key_service: KeyService,
    cache: DataKeyCache,
    request: SubscriptionCreate,
    now: datetime,
) -> Subscription:
    from service.customers.operations import customer_state

    state = customer_state(session, request.customer)
    if state is None:
        raise ValidationFailed("customer: no such customer.")
    if state != "active":
        raise Gone("This customer has been erased.")
    start_at = request.start_at if request.start_at is not None else now
    if start_at < now - START_GRACE:
        raise ValidationFailed("start_at: must not be more than one minute in the past.")
    try:
        Calendar(start_at, request.interval, request.interval_count)
    except ValueError:
        raise ValidationFailed("interval_count: one interval is at most one year long.") from None

    token = new_subscription_token()
    subscription = Subscription(
        id=token,
        customer=request.customer,
        status=SubscriptionStatus.ACTIVE,
        plan=request.plan,
        amount=request.amount,
        currency=request.currency,
        interval=str(request.interval),
        interval_count=request.interval_count,
        start_at=start_at,
        created_at=now,
        charged_through_index=-1,
    )
    if request.metadata:
        key = key_service.generate_data_key()
        subscription.wrapped_data_key = key.wrapped
        subscription.key_version = key.version
        subscription.metadata_ciphertext = encrypt_field(
            key.plaintext,
            json.dumps(request.metadata, ensure_ascii=False, separators=(",", ":")).encode(),
            **_metadata_place(token),
        )
        cache.put(key.wrapped, key.plaintext)
    subscription.next_charge_at = next_charge_for(subscription, inputs_from(subscription, []))
    session.add(subscription)
    session.add_all(SubscriptionTag(subscription=token, tag=tag) for tag in request.tags)
    session.flush()
    return subscription


def _metadata_place(token: str) -> dict[str, Any]:
    return {
        "table": SUBSCRIPTIONS_TABLE,
        "column": METADATA_COLUMN,
        "record_id": token,
        "key_version": METADATA_KEY_GENERATION,
    }


def read_metadata(
    subscriptions: list[Subscription], key_service: KeyService, cache: DataKeyCache
) -> dict[str, dict[str, str]]:
    """Each subscription's clear metadata (empty when none or erased); one batch unwrap for
    the keys not in the cache."""
    sealed = [s for s in subscriptions if s.metadata_ciphertext and s.wrapped_data_key]
    missing = list(
        dict.fromkeys(s.wrapped_data_key for s in sealed if cache.get(s.wrapped_data_key) is None)
    )
    if missing:
        for wrapped, plaintext in zip(missing, key_service.unwrap_data_keys(missing), strict=True):
            cache.put(wrapped, plaintext)
    result: dict[str, dict[str, str]] = {s.id: {} for s in subscriptions}
    for subscription in sealed:
        key = cache.get(subscription.wrapped_data_key) or key_service.unwrap_data_key(
            subscription.wrapped_data_key
        )
        clear = decrypt_field(
            key, bytes(subscription.metadata_ciphertext), **_metadata_place(subscription.id)
        )
        result[subscription.id] = json.loads(clear)
    return result


def tags_of(session: Session, tokens: list[str]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {token: [] for token in tokens}
    if not tokens:
        return result
    rows = session.execute(
        select(SubscriptionTag.subscription, SubscriptionTag.tag)
        .where(SubscriptionTag.subscription.in_(tokens))
        .order_by(SubscriptionTag.tag)
    )
    for token, tag in rows:
        result[token].append(tag)
    return result


def pauses_of(session: Session, tokens: list[str]) -> dict[str, list[PauseRecord]]:
    """Every pause of each subscription, canceled ones included, newest first: read-only rows
    with the Pause's attribute names. A listed subscription shows its whole pause history, and
    building an ORM object per pause cost more than the rest of the listing."""
    result: dict[str, list[PauseRecord]] = {token: [] for token in tokens}
    if not tokens:
        return result
    pauses = Pause.__table__
    rows = session.execute(
        select(pauses)
        .where(pauses.c.subscription.in_(tokens))
        .order_by(pauses.c.created_at.desc(), pauses.c.starts_at.desc(), pauses.c.id)
    )
    for pause in rows:
        result[pause.subscription].append(pause)
    return result
