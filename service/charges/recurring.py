"""Recurring charges: one per due period, whatever crashes, retries or replicas do.

For each subscription whose ``next_charge_at`` has passed (claimed in batches with
``lock_for_work``, so replicas take different ones), the engine's entries with an index above
``charged_through_index`` and due by now are handled one per batch transaction: a skipped
entry only advances the index; a scheduled one adds its intent (a ``pending`` charge, unique
per (subscription, index, attempt), with a random processor key ``sr-rc-…`` recorded in it)
and advances the index in the same commit. Only then is the charge sent, in its batch's
sending transaction, which holds its row lock (``sending``). A crash after the commit leaves a
``pending`` charge for the reconciler; a crash before it leaves the period due, to be claimed
again.

Failed charges are tried again on the policy's schedule (``retries``), each attempt a charge
of its own with its own processor key.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.charges.models import PROCESSOR_NAME, Charge, ChargeKind, ChargeStatus
from service.charges.operations import new_charge_id, recurring_processor_key
from service.charges.sending import Senders, charge_targets, deps_of
from service.charges.settle import record_outcome, refs_or_failures
from service.customers.operations import PaymentRefs
from service.jobs.registry import JobContext, lock_for_work
from service.subscriptions.models import Subscription, SubscriptionStatus
from service.subscriptions.operations import (
    ScheduleInputs,
    inputs_from,
    live_pauses_of,
    next_charge_for,
)
from service.subscriptions.schedule import ScheduledCharge, first_charge_from

log = logging.getLogger("strongroom.charges")


RENEWAL_BATCH = 64


def charge_due_periods(context: JobContext, now: datetime) -> int:
    """Handle every period due by ``now``; returns how many periods were handled.

    Due subscriptions are claimed ``RENEWAL_BATCH`` at a time (``SKIP LOCKED``: replicas take
    different ones); each gets its next due entry recorded in the batch's transaction, then the
    batch's charges are sent (``Senders``: a transaction per batch, ``renewal_concurrency``
    calls at a time) while the next batch is claimed and recorded. A stop request is honoured
    between batches and before each send: recorded but unsent charges stay ``pending`` for the
    reconciler, which sends them with the same processor key."""
    handled = 0
    done: set[str] = set()
    with Senders(context) as senders:
        while not context.stopping.is_set():
            with context.session_factory() as session:
                batch = _claim_due_subscriptions(session, now, done)
                to_send: list[Charge] = []
                pauses = live_pauses_of(session, [s.id for s in batch])
                for subscription in batch:
                    inputs = inputs_from(subscription, pauses[subscription.id])
                    entry = _next_entry(subscription, inputs, now)
                    if entry is None:
                        subscription.next_charge_at = next_charge_for(subscription, inputs)
                        done.add(subscription.id)
                        continue
                    charge = _handle_entry(session, context, subscription, entry, inputs, now)
                    handled += 1
                    if charge is not None:
                        to_send.append(charge)
                session.commit()
                refs = _refs_by_customer(session, context, {c.customer for c in to_send})
                send = [(c.id, refs.get(c.customer)) for c in to_send]
            if not batch:
                return handled
            senders.submit(send, now, {c.subscription for c in to_send if c.subscription})
    return handled


def retry_failed_charges(context: JobContext, now: datetime) -> int:
    """Start the next attempt of every failed charge whose retry time has come."""
    handled = 0
    with Senders(context) as senders:
        while not context.stopping.is_set():
            with context.session_factory() as session:
                failed_charges = (
                    session.execute(
                        lock_for_work(
                            session,
                            select(Charge)
                            .where(Charge.next_retry_at.is_not(None), Charge.next_retry_at <= now)
                            .order_by(Charge.next_retry_at, Charge.id)
                            .limit(RENEWAL_BATCH),
                        )
                    )
                    .scalars()
                    .all()
                )
                if not failed_charges:
                    return handled
                retries: list[str] = []
                for failed in failed_charges:
                    failed.next_retry_at = None
                    subscription = session.get(Subscription, failed.subscription)
                    if (
                        subscription is not None
                        and subscription.status != SubscriptionStatus.CANCELED
                    ):
                        retry = _new_attempt(failed, now)
                        session.add(retry)
                        retries.append(retry.id)
                    handled += 1
                session.commit()
            senders.send([(retry_id, None) for retry_id in retries], now)
            if senders.processor_down:
                return handled
    return handled


def _refs_by_customer(
    session: Session, context: JobContext, customers: set[str]
) -> dict[str, PaymentRefs]:
    """The batch's customers' processor ids, read once per customer rather than once per
    charge; a customer that cannot be charged is left out (its send records why)."""
    found = refs_or_failures(session, deps_of(context), customers)
    return {c: refs for c, refs in found.items() if isinstance(refs, PaymentRefs)}


def _claim_due_subscriptions(session: Session, now: datetime, done: set[str]) -> list[Subscription]:
    query = (
        select(Subscription)
        .where(Subscription.next_charge_at.is_not(None), Subscription.next_charge_at <= now)
        .order_by(Subscription.next_charge_at, Subscription.id)
        .limit(RENEWAL_BATCH)
    )
    if done:
        query = query.where(Subscription.id.not_in(done))
    return list(session.execute(lock_for_work(session, query)).scalars())


def _next_entry(
    subscription: Subscription, inputs: ScheduleInputs, now: datetime
) -> ScheduledCharge | None:
    if subscription.status == SubscriptionStatus.CANCELED:
        return None
    entry = first_charge_from(
        inputs.calendar,
        inputs.amount,
        inputs.pauses,
        subscription.charged_through_index + 1,
        cancel_at=inputs.cancel_at,
    )
    if entry is None or entry.due_at > now:
        return None
    return entry


def _handle_entry(
    session: Session,
    context: JobContext,
    subscription: Subscription,
    entry: ScheduledCharge,
    inputs: ScheduleInputs,
    now: datetime,
) -> Charge | None:
    """Record the period as handled; the intent of a charge to send, if there is one. Nothing
    is flushed here: the batch's rows go to the database together when it commits."""
    subscription.charged_through_index = entry.index
    subscription.next_charge_at = next_charge_for(subscription, inputs)
    if entry.status != "scheduled":
        return None
    charge = Charge(
        id=new_charge_id(),
        kind=ChargeKind.RECURRING,
        status=ChargeStatus.PENDING,
        amount=entry.amount_due,
        currency=subscription.currency,
        customer=subscription.customer,
        subscription=subscription.id,
        processor=PROCESSOR_NAME,
        processor_key=recurring_processor_key(),
        period_index=entry.index,
        attempt=0,
        due_at=entry.due_at,
        credit_applied=entry.credit_applied,
        created_at=now,
        send_attempts=1,  # this job sends it next: see Charge.send_attempts
    )
    session.add(charge)
    if charge.amount == 0:
        # Credit covered the whole period: nothing to collect, nothing to send.
        session.flush()
        record_outcome(session, deps_of(context), charge, ChargeStatus.SUCCEEDED, None, now)
        context.app.audit.system(session, Action.JOB_CHARGE, charge_targets(charge), at=now)
        return None
    return charge


def _new_attempt(failed: Charge, now: datetime) -> Charge:
    attempt = failed.attempt + 1
    return Charge(
        id=new_charge_id(),
        kind=ChargeKind.RECURRING,
        status=ChargeStatus.PENDING,
        amount=failed.amount,
        currency=failed.currency,
        customer=failed.customer,
        subscription=failed.subscription,
        processor=PROCESSOR_NAME,
        processor_key=recurring_processor_key(),
        period_index=failed.period_index,
        attempt=attempt,
        due_at=failed.due_at,
        credit_applied=failed.credit_applied,
        created_at=now,
        send_attempts=1,  # this job sends it next: see Charge.send_attempts
    )
