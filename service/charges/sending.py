"""The charge jobs' sender: recorded charges sent a batch per transaction.

A batch's charges are locked in one statement (``SKIP LOCKED``: one taken by another sender is
left to it), sent ``renewal_concurrency`` at a time, and their outcomes, events, subscription
updates and audit events (one per recorded outcome) written together in that transaction's one
commit. The processor calls run as ``settle``'s do (``call_processor``): on PostgreSQL with the
row locks held, on SQLite outside the write lock, recording only the charges still ``pending``.

A crash before the commit, a stop request before a send, or a processor outage leaves the
unrecorded charges ``pending``: the reconciler sends them later with the same processor key,
looking for an earlier payment first (the processor never pays a key twice).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.access.actions import Action
from service.audit.log import system_record
from service.charges.models import CUSTOMER_ERASED, Charge, ChargeStatus
from service.charges.settle import (
    ChargeDeps,
    call_processor,
    customer_states,
    holds_row_locks,
    lock_pending,
    record_outcomes,
    refs_or_failures,
)
from service.core.errors import ProcessorFailed
from service.customers.operations import PaymentRefs, awaits_processor_erasure
from service.jobs.registry import JobContext

log = logging.getLogger(__name__)

# A recorded charge to send, with its customer's processor ids when they were read already.
ToSend = tuple[str, PaymentRefs | None]
# Batches sending at once: while one waits for its slowest calls, the next keeps the
# processor busy.
BATCHES_IN_FLIGHT = 2


def charge_targets(charge: Charge) -> list[str]:
    """What a charge's audit event names: the charge, its customer, its subscription."""
    targets = [charge.id, charge.customer]
    if charge.subscription is not None:
        targets.append(charge.subscription)
    return targets


def deps_of(context: JobContext) -> ChargeDeps:
    return ChargeDeps(
        processor=context.processor,
        key_service=context.key_service,
        cache=context.app.data_keys,
        policy=context.app.policy,
    )


class Senders:
    """Sends batches of recorded charges, ``BATCHES_IN_FLIGHT`` at a time, their processor calls
    ``renewal_concurrency`` at a time. Once the processor is down nothing more is sent in this
    run: the charges stay ``pending`` and the reconciler sends them later."""

    def __init__(self, context: JobContext) -> None:
        self.context = context
        self._down = threading.Event()
        self._calls = ThreadPoolExecutor(
            max_workers=context.app.policy.limits.renewal_concurrency,
            thread_name_prefix="renewal",
        )
        self._batches = ThreadPoolExecutor(
            max_workers=BATCHES_IN_FLIGHT, thread_name_prefix="renewal-batch"
        )
        # each sending batch with the subscriptions its charges are for
        self._in_flight: deque[tuple[Future[None], set[str]]] = deque()

    @property
    def processor_down(self) -> bool:
        return self._down.is_set()

    def __enter__(self) -> Senders:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self.drain()
        finally:
            self._batches.shutdown(wait=True, cancel_futures=True)
            self._calls.shutdown(wait=True, cancel_futures=True)

    def submit(
        self, charges: Sequence[ToSend], now: datetime, subscriptions: Iterable[str] = ()
    ) -> None:
        """Start sending a batch (its charges for ``subscriptions``); first waits while
        ``BATCHES_IN_FLIGHT`` are sending, and for every sending batch with a charge of one of
        these subscriptions: a subscription's periods are settled in order (a later period's
        success must not be overtaken by an earlier one's final failure)."""
        owners = set(subscriptions)
        while len(self._in_flight) >= BATCHES_IN_FLIGHT or any(
            owners & sending for _, sending in self._in_flight
        ):
            self._in_flight.popleft()[0].result()
        if charges and not self.processor_down:
            batch = self._batches.submit(self._send_batch, list(charges), now)
            self._in_flight.append((batch, owners))

    def send(self, charges: Sequence[ToSend], now: datetime) -> None:
        self.submit(charges, now)
        self.drain()

    def drain(self) -> None:
        while self._in_flight:
            self._in_flight.popleft()[0].result()

    def _send_batch(self, charges: list[ToSend], now: datetime) -> None:
        if not send_batch(self.context, charges, now, self._calls, self._down):
            self._down.set()


def send_charge(
    context: JobContext, charge_id: str, now: datetime, refs: PaymentRefs | None = None
) -> bool:
    """Send one recorded charge if nobody else is; False when the processor is down."""
    with ThreadPoolExecutor(max_workers=1) as calls:
        return send_batch(context, [(charge_id, refs)], now, calls, threading.Event())


def send_batch(
    context: JobContext,
    charges: Sequence[ToSend],
    now: datetime,
    calls: ThreadPoolExecutor,
    down: threading.Event,
) -> bool:
    """Send the batch's charges that are still ``pending`` and not taken by another sender,
    and record their outcomes in one commit; False when the processor was found down (the
    charges not sent stay ``pending``). ``down``: once set, calls not yet started are skipped.
    """
    deps = deps_of(context)
    given = dict(charges)
    first_send_allowed = context.app.policy.limits.renewal_first_send_skips_lookup
    with context.session_factory() as session:
        locked = lock_pending(session, list(given), wait=False)
        if not locked:
            session.rollback()
            return True
        found = _refs_of(session, deps, locked, given)
        row_locks = holds_row_locks(session)
        outcomes: list[tuple[Charge, str, str | None]] = []
        requests: dict[str, dict[str, Any]] = {}
        for charge in locked:
            refs = found[charge.id]
            if isinstance(refs, str):
                if refs == CUSTOMER_ERASED and awaits_processor_erasure(session, charge.customer):
                    # kept for the processor-erasure job, which settles it by look-up (it may
                    # have been paid before the erasure): neither sent nor failed here
                    continue
                outcomes.append((charge, ChargeStatus.FAILED, refs))
                continue
            requests[charge.id] = {
                "customer_ref": refs.processor_customer,
                "payment_method_ref": refs.payment_method,
                "amount": charge.amount,
                "currency": charge.currency,
                "idempotency_key": charge.processor_key,
                # only a held row lock keeps the count true while the processor is asked
                "first_send": first_send_allowed and row_locks and charge.send_attempts == 1,
            }

        def send_all() -> dict[str, tuple[str, str | None] | None]:
            futures = {
                charge_id: calls.submit(_call, context, request, down)
                for charge_id, request in requests.items()
            }
            return {charge_id: future.result() for charge_id, future in futures.items()}

        results, still = call_processor(session, locked, send_all)
        outcomes = [(still[c.id], s, f) for c, s, f in outcomes if c.id in still]
        for charge_id, result in results.items():
            if result is not None and charge_id in still:
                outcomes.append((still[charge_id], result[0], result[1]))
        recorded = record_outcomes(session, deps, outcomes, now)
        context.app.audit.records(
            session,
            [system_record(Action.JOB_CHARGE, charge_targets(charge)) for charge in recorded],
            at=now,
        )
        session.commit()
    return not any(result is _DOWN for result in results.values())


_DOWN = ("pending", "processor_down")


def _call(
    context: JobContext, request: dict[str, Any], down: threading.Event
) -> tuple[str, str | None] | None:
    """One processor call: (status, failure code), ``_DOWN`` for an outage, None when not
    sent (stopping, or the processor was already found down)."""
    if down.is_set() or context.stopping.is_set():
        return None
    try:
        outcome = context.processor.charge(**request)
    except ProcessorFailed:
        down.set()
        return _DOWN
    except Exception:
        # One unexpected failure must not roll back the batch's other, paid outcomes: this
        # charge stays pending and the reconciler looks for its payment before sending again.
        log.exception("a renewal charge's processor call failed; left pending")
        return None
    return outcome.status, outcome.failure_code


def _refs_of(
    session: Session,
    deps: ChargeDeps,
    charges: list[Charge],
    given: dict[str, PaymentRefs | None],
) -> dict[str, PaymentRefs | str]:
    """Each charge's customer refs, or why it cannot be sent. Refs read earlier for a whole
    batch are used only if the customer is still active under the charge's lock (it may have
    been erased since); the others are read once per customer."""
    states = customer_states(session, {c.customer for c in charges if given.get(c.id)})
    unread = {c.customer for c in charges if given.get(c.id) is None}
    read = refs_or_failures(session, deps, unread) if unread else {}
    found: dict[str, PaymentRefs | str] = {}
    for charge in charges:
        refs = given.get(charge.id)
        if refs is None:
            found[charge.id] = read[charge.customer]
        else:
            active = states.get(charge.customer) == "active"
            found[charge.id] = refs if active else CUSTOMER_ERASED
    return found
