"""Delivering events: at least once, exponential backoff with jitter, then a visible failure.

A due delivery is leased in a short transaction (its next attempt pushed past the request
timeout), sent outside any transaction, and its result recorded with an audit event. A slow or
dead receiver costs at most one timeout per pass and never holds a lock that billing needs.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from service.access.actions import Action
from service.core.timeparse import format_api_time
from service.events.egress import EgressRefused, webhook_client
from service.events.models import Delivery, Event, WebhookEndpoint
from service.events.signature import HEADER, sign
from service.events.webhooks import endpoint_secret, loopback_receivers_allowed
from service.jobs.registry import JobContext, lock_for_work

MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 6 * 3600
LEASE = timedelta(seconds=60)
BATCH = 50
NO_RESPONSE = "no_response"

log = logging.getLogger("strongroom.webhooks")


@dataclass(frozen=True)
class Attempt:
    delivery_id: int
    url: str
    body: bytes
    secret: str
    event_id: str
    endpoint_id: str


def event_body(event: Event) -> bytes:
    payload = {
        "id": event.id,
        "type": event.type,
        "created_at": format_api_time(event.created_at),
        "data": json.loads(event.data),
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Full jitter: a random delay up to base x 2^(attempts-1), capped."""
    ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=(rng or random.SystemRandom()).uniform(ceiling / 2, ceiling))


def deliver_due_events(context: JobContext, now: datetime) -> int:
    attempts = _lease(context, now)
    if not attempts:
        return 0
    client = webhook_client(
        timeout=context.app.settings.webhook_timeout_seconds,
        allow_loopback=loopback_receivers_allowed(context.app),
    )
    with client:
        for attempt in attempts:
            status, error = _send(client, attempt)
            _record(context, attempt, now, status, error)
    # deliveries never make other work due; reporting 0 keeps run_due_jobs from looping on
    # receivers that keep failing
    return 0


def _lease(context: JobContext, now: datetime) -> list[Attempt]:
    leased: list[Attempt] = []
    with context.session_factory() as session:
        query = lock_for_work(
            session,
            select(Delivery)
            .where(
                Delivery.status == "pending",
                Delivery.next_attempt_at <= now,
            )
            .order_by(Delivery.id)
            .limit(BATCH),
        )
        for delivery in session.scalars(query):
            event = session.scalar(select(Event).where(Event.id == delivery.event_id))
            endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
            if event is None or endpoint is None or endpoint.deleted_at is not None:
                delivery.status = "failed"
                delivery.last_error = "endpoint deleted"
                continue
            delivery.next_attempt_at = now + LEASE
            leased.append(
                Attempt(
                    delivery.id,
                    endpoint.url,
                    event_body(event),
                    endpoint_secret(context.key_service, endpoint),
                    event.id,
                    endpoint.id,
                )
            )
        session.commit()
    return leased


def _send(client: httpx.Client, attempt: Attempt) -> tuple[int | None, str | None]:
    # t is wall-clock time even under the test clock: receivers check it against their own.
    header = sign(attempt.secret, attempt.body, int(time.time()))
    try:
        response = client.post(
            attempt.url,
            content=attempt.body,
            headers={
                "Content-Type": "application/json",
                HEADER: header,
                "User-Agent": "Strongroom-Webhooks/1",
            },
        )
    except httpx.HTTPError as exc:
        # One coarse class for every failure before an HTTP answer (refused address, DNS,
        # connect, TLS, timeout): telling them apart would turn deliveries into a port scanner.
        log.warning("webhook %s not delivered: %s", attempt.endpoint_id, _reason(exc))
        return None, NO_RESPONSE
    return response.status_code, None if response.is_success else f"status {response.status_code}"


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return f"{type(exc).__name__}: {cause if isinstance(cause, EgressRefused) else exc}"


def _record(
    context: JobContext, attempt: Attempt, now: datetime, status: int | None, error: str | None
) -> None:
    with context.session_factory() as session:
        delivery = session.get(Delivery, attempt.delivery_id)
        if delivery is None or delivery.status != "pending":
            return
        delivery.attempts += 1
        delivery.last_status = status
        delivery.last_error = error
        if error is None:
            delivery.status = "delivered"
            delivery.delivered_at = now
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        context.app.audit.system(
            session, Action.JOB_EVENT_DELIVER, [attempt.event_id, attempt.endpoint_id], at=now
        )
        session.commit()


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    return {
        "event": delivery.event_id,
        "endpoint": delivery.endpoint_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": format_api_time(delivery.next_attempt_at)
        if delivery.status == "pending"
        else None,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
    }
