"""Recurring charges: one per due period, whatever crashes, retries or replicas do.

For each subscription whose ``next_charge_at`` has passed (claimed with ``lock_for_work``, so
replicas take different ones), the engine's entries with an index above
``charged_through_index`` and due by now are handled one per transaction: a skipped entry only
advances the index; a scheduled one adds its intent (a ``pending`` charge, unique per
(subscription, index, attempt), with a random processor key ``sr-rc-…`` recorded in it) and
advances the index in the same commit. Only then is the charge sent, in a transaction that
holds its row lock. A crash after the commit leaves a ``pending`` charge for the reconciler; a
crash before it leaves the period due, to be claimed again.

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
from service.charges.service import new_charge_id, recurring_processor_key
from service.charges.settle import ChargeDeps, record_outcome, settle
from service.charges.system_audit import audit_charge
from service.core.errors import ProcessorFailed
from service.jobs.registry import JobContext, lock_for_work
from service.subscriptions.models import Subscription, SubscriptionStatus
from service.subscriptions.schedule import ScheduledCharge, first_charge_from
from service.subscriptions.service import refresh_next_charge, schedule_inputs

log = logging.getLogger("strongroom.charges")


def deps_of(context: JobContext) -> ChargeDeps:
    return ChargeDeps(
        processor=context.processor,
        key_service=context.key_service,
        cache=context.app.data_keys,
        policy=context.app.policy,
    )


def charge_due_periods(context: JobContext, now: datetime) -> int:
    """Handle every period due by ``now``; returns how many periods were handled."""
    handled = 0
    done: set[str] = set()
    processor_down = False
    while True:
        with context.session_factory() as session:
            subscription = _claim_due_subscription(session, now, done)
            if subscription is None:
                return handled
            entry = _next_entry(session, subscription, now)
            if entry is None:
                refresh_next_charge(session, subscription)
                done.add(subscription.id)
                session.commit()
                continue
            charge = _handle_entry(session, context, subscription, entry, now)
            session.commit()
            handled += 1
        if charge is not None and not processor_down:
            processor_down = not send_charge(context, charge.id, now)


def retry_failed_charges(context: JobContext, now: datetime) -> int:
    """Start the next attempt of every failed charge whose retry time has come."""
    handled = 0
    while True:
        with context.session_factory() as session:
            failed = session.execute(
                lock_for_work(
                    session,
                    select(Charge)
                    .where(Charge.next_retry_at.is_not(None), Charge.next_retry_at <= now)
                    .order_by(Charge.next_retry_at, Charge.id)
                    .limit(1),
                )
            ).scalar_one_or_none()
            if failed is None:
                return handled
            failed.next_retry_at = None
            subscription = session.get(Subscription, failed.subscription)
            retry = None
            if subscription is not None and subscription.status != SubscriptionStatus.CANCELED:
                retry = _new_attempt(failed, now)
                session.add(retry)
            session.commit()
            handled += 1
        if retry is not None and not send_charge(context, retry.id, now):
            return handled


def send_charge(context: JobContext, charge_id: str, now: datetime) -> bool:
    """Send one recorded charge if nobody else is; False when the processor is down."""
    with context.session_factory() as session:
        try:
            charge, recorded = settle(session, deps_of(context), charge_id, now, wait=False)
        except ProcessorFailed:
            session.rollback()
            log.warning("processor unavailable; the charge stays pending for the reconciler")
            return False
        if charge is None or not recorded:
            session.rollback()
            return True
        audit_charge(session, context.app, Action.JOB_CHARGE, charge, now)
        session.commit()
    return True


def _claim_due_subscription(session: Session, now: datetime, done: set[str]) -> Subscription | None:
    query = (
        select(Subscription)
        .where(Subscription.next_charge_at.is_not(None), Subscription.next_charge_at <= now)
        .order_by(Subscription.next_charge_at, Subscription.id)
        .limit(1)
    )
    if done:
        query = query.where(Subscription.id.not_in(done))
    return session.execute(lock_for_work(session, query)).scalar_one_or_none()


def _next_entry(
    session: Session, subscription: Subscription, now: datetime
) -> ScheduledCharge | None:
    if subscription.status == SubscriptionStatus.CANCELED:
        return None
    inputs = schedule_inputs(session, subscription)
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
    now: datetime,
) -> Charge | None:
    """Record the period as handled; the intent of a charge to send, if there is one."""
    subscription.charged_through_index = entry.index
    charge = None
    if entry.status == "scheduled":
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
        )
        session.add(charge)
        session.flush()
    refresh_next_charge(session, subscription)
    if charge is not None and charge.amount == 0:
        # Credit covered the whole period: nothing to collect, nothing to send.
        record_outcome(session, deps_of(context), charge, ChargeStatus.SUCCEEDED, None, now)
        audit_charge(session, context.app, Action.JOB_CHARGE, charge, now)
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
    )
