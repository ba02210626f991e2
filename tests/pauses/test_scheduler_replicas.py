"""Two scheduler processes on one PostgreSQL never apply the same pause transition twice."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.core.clock import FrozenClock
from service.core.db import transaction
from service.events.models import Event
from service.subscriptions.models import Pause
from tests.fixtures.app import Api
from tests.subscriptions.support import new_customer, new_subscription, pause

SUBSCRIPTIONS = 40
RUN_AT = datetime(2026, 12, 9, tzinfo=UTC)


def _scheduler(url: str, vault_addr: str, vault_token: str, stripe_base: str) -> None:
    from service.app.bootstrap import build_context, build_processor
    from service.core.config import Settings
    from service.jobs.scheduler import run_due_jobs
    from tests.fixtures.openbao import key_service_for

    settings = Settings(database_url=url, stripe_api_base=stripe_base, scheduler_enabled=False)
    ctx = build_context(
        settings,
        clock=FrozenClock(RUN_AT),
        key_service=key_service_for(vault_addr, vault_token),
        processor=build_processor(settings),
    )
    run_due_jobs(ctx, RUN_AT)
    ctx.engine.dispose()


def test_two_scheduler_processes_start_and_end_each_pause_exactly_once(
    make_api: Callable[..., Api],
    pg_url: str,
    test_clock: FrozenClock,
    openbao: Any,
    localstripe: Any,
) -> None:
    api = make_api(pg_url, clock=test_clock, settings_overrides={"test_clock": True})
    customer = new_customer(api)
    for n in range(SUBSCRIPTIONS):
        token = new_subscription(api, customer, start_at="2026-12-10T00:00:00Z", plan=f"p{n}")["id"]
        made = pause(
            api, token, start=f"2026-12-0{2 + n % 3}T00:00:00Z", days=3, resume_mode="skip"
        )
        assert made.status_code == 201, made.text

    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(
            target=_scheduler, args=(pg_url, openbao.addr, openbao.token, localstripe.url)
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0

    with transaction(api.ctx.session_factory) as session:
        per_transition = dict(
            session.execute(
                select(AuditEvent.action, func.count())
                .where(AuditEvent.action.in_(["jobs:pause:start", "jobs:pause:end"]))
                .group_by(AuditEvent.action)
            ).all()
        )
        targets = list(
            session.execute(
                select(AuditEvent.targets).where(AuditEvent.action.like("jobs:pause:%"))
            ).scalars()
        )
        events = dict(
            session.execute(
                select(Event.type, func.count())
                .where(Event.type.like("pause.%"))
                .group_by(Event.type)
            ).all()
        )
        statuses = set(session.execute(select(Pause.status)).scalars())
    assert per_transition == {"jobs:pause:start": SUBSCRIPTIONS, "jobs:pause:end": SUBSCRIPTIONS}
    assert len(set(targets)) == SUBSCRIPTIONS  # one start and one end per pause, never twice
    assert events == {
        "pause.scheduled": SUBSCRIPTIONS,
        "pause.started": SUBSCRIPTIONS,
        "pause.ended": SUBSCRIPTIONS,
    }
    assert statuses == {"completed"}
