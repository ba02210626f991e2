"""``strongroom demo holiday``: the merchant's holiday pause, on the embedded default.

Creates a few thousand subscriptions across plans and currencies, previews a 15-day pause
from Dec 24 in shift mode (the revenue affected per currency), applies it with a progress bar
(one bulk operation per plan), shows a sample of moved renewal dates and ends by verifying the
audit chain. It needs the key service: the one ``strongroom dev`` runs, or — when nothing
answers at STRONGROOM_VAULT_ADDR — the embedded persistent OpenBao, which it starts itself.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.access.actions import Action
from service.access.policy import load_policy
from service.audit.log import build_sequencer, wall_clock_audit
from service.audit.seal import EventSealer
from service.audit.verify import verify_with
from service.cli_support import cli_engine, cli_settings, now_utc
from service.core.db import make_session_factory, transaction
from service.core.timeparse import format_api_time
from service.demo.book import DEMO_ACTOR, PLANS, create_customers, create_subscriptions
from service.demo.keys import demo_key_service
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.pauses.bulk import SKIPPED_STATUS, BulkActor, bulk_pause
from service.pauses.schemas import BulkPauseCreate, BulkSelector
from service.pauses.selection import matching
from service.subscriptions.models import Subscription
from service.subscriptions.operations import schedule_inputs
from service.subscriptions.schedule import upcoming
from service.web.humanize import format_money

app = typer.Typer(help="Demonstrations on the embedded default.", no_args_is_help=True)
console = Console()
BATCH = 50
SAMPLE = 8
Factory = sessionmaker[Session]


def holiday_start(now: datetime) -> datetime:
    """Dec 24 of this year, or of the next one once this year's has begun."""
    start = datetime(now.year, 12, 24, tzinfo=UTC)
    return start if start > now else datetime(now.year + 1, 12, 24, tzinfo=UTC)


@app.command()
def holiday(
    customers: int = typer.Option(1000, "--customers", min=1, max=20_000),
    per_customer: int = typer.Option(3, "--per-customer", min=1, max=10),
    seed: int = typer.Option(2026, "--seed"),
) -> None:
    """Pause a few thousand subscriptions for 15 days from Dec 24 and move their renewals."""
    settings = cli_settings()
    rng = random.Random(seed)  # noqa: S311 - made-up demo data, not secrets
    now = now_utc()
    tag = "holiday-" + secrets.token_hex(4)
    window = {"start": holiday_start(now).isoformat(), "days": 15, "resume_mode": "shift"}
    with demo_key_service(settings) as key_service:
        factory = make_session_factory(cli_engine(), EventSealer(key_service))
        tokens = _create_book(factory, key_service, customers, per_customer, tag, now, rng)
        preview = _bulk(factory, key_service, {"tags": [tag]}, window, now, dry_run=True)
        _show_preview(preview, holiday_start(now))
        sample = rng.sample(tokens, min(SAMPLE, len(tokens)))
        before = _renewals(factory, sample, now)
        _apply(factory, key_service, tag, window, now)
        _show_moved(sample, before, _renewals(factory, sample, now))
        build_sequencer(settings, factory, key_service).run()
        with cli_engine().connect() as connection:
            result = verify_with(connection, key_service)
    verdict = "[green]verified[/green]" if result.ok else "[red]BROKEN[/red]"
    console.print(
        f"Audit trail {verdict}: {result.checked:,} events, "
        f"{result.sths_verified}/{result.sths_count} signed tree heads."
    )
    if not result.ok:
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _create_book(
    factory: Factory,
    key_service: KeyService,
    customers: int,
    per_customer: int,
    tag: str,
    now: datetime,
    rng: random.Random,
) -> list[str]:
    cache = DataKeyCache()
    tokens: list[str] = []
    with _progress() as progress:
        task = progress.add_task("customers and subscriptions", total=customers)
        for offset in range(0, customers, BATCH):
            size = min(BATCH, customers - offset)
            with transaction(factory) as session:
                made = create_customers(
                    session, key_service, cache, size, now, rng.randrange(10**9)
                )
                tokens += create_subscriptions(
                    session, key_service, cache, made, per_customer, tag, now, rng
                )
            progress.advance(task, size)
    console.print(f"Created {customers:,} customers and {len(tokens):,} subscriptions ({tag}).")
    return tokens


def _bulk(
    factory: Factory,
    key_service: KeyService,
    selector: dict[str, Any],
    window: dict[str, Any],
    now: datetime,
    *,
    dry_run: bool,
) -> dict[str, Any]:
    """One bulk operation, audited as the API would: an event per subscription paused and
    one for the operation itself."""
    request = BulkPauseCreate.model_validate({"selector": selector, **window, "dry_run": dry_run})
    with transaction(factory) as session:
        limits = load_policy(cli_settings().policy_file).limits
        outcome = bulk_pause(
            session,
            request,
            limits,
            BulkActor(name=DEMO_ACTOR, role="admin"),
            now,
            reason="holiday pause (demo)",
        )
        bulk_id = outcome.body["id"]
        if bulk_id is not None:
            audit = wall_clock_audit()
            audit.records(session, outcome.paused_events, at=now)
            audit.records(session, outcome.skipped_events, status=SKIPPED_STATUS, at=now)
            audit.system(
                session,
                Action.BULK_PAUSE_CREATE,
                [bulk_id],
                actor=DEMO_ACTOR,
                role="admin",
                status=201,
                at=now,
            )
    return outcome.body


def _show_preview(preview: dict[str, Any], start: datetime) -> None:
    table = Table(title=f"Holiday pause preview: 15 days from {start:%Y-%m-%d}, shift mode")
    table.add_column("currency")
    table.add_column("subscriptions", justify="right")
    table.add_column("recurring revenue affected", justify="right")
    for currency, figures in preview["affected"].items():
        table.add_row(
            currency,
            f"{figures['subscriptions']:,}",
            format_money(figures["recurring_amount"], currency),
        )
    console.print(table)
    console.print(
        f"{preview['matched']:,} matched, {preview['paused']:,} would be paused, "
        f"{len(preview['skipped']):,} skipped. Nothing created yet (dry run)."
    )


def _apply(
    factory: Factory, key_service: KeyService, tag: str, window: dict[str, Any], now: datetime
) -> None:
    selectors = [{"tags": [tag], "plan": plan.name} for plan in PLANS]
    with transaction(factory) as session:
        sizes = [
            session.scalar(
                select(func.count()).select_from(
                    matching(BulkSelector.model_validate(selector)).subquery()
                )
            )
            or 0
            for selector in selectors
        ]
    paused = 0
    with _progress() as progress:
        task = progress.add_task("applying the holiday pause", total=sum(sizes))
        for selector, size in zip(selectors, sizes, strict=True):
            if size:
                outcome = _bulk(factory, key_service, selector, window, now, dry_run=False)
                paused += outcome["paused"]
            progress.advance(task, size)
    console.print(f"Paused {paused:,} subscriptions, one bulk operation per plan.")


def _renewals(factory: Factory, tokens: list[str], now: datetime) -> dict[str, list[datetime]]:
    """The next three due dates of each subscription, as the engine will run them."""
    result: dict[str, list[datetime]] = {}
    with transaction(factory) as session:
        for token in tokens:
            subscription = session.get(Subscription, token)
            if subscription is None:
                continue
            inputs = schedule_inputs(session, subscription)
            entries = upcoming(
                inputs.calendar,
                inputs.amount,
                inputs.pauses,
                now=now,
                count=3,
                cancel_at=inputs.cancel_at,
            )
            result[token] = [entry.due_at for entry in entries]
    return result


def _show_moved(
    sample: list[str], before: dict[str, list[datetime]], after: dict[str, list[datetime]]
) -> None:
    table = Table(title="A sample of renewal dates (next three)")
    table.add_column("subscription")
    table.add_column("before the pause")
    table.add_column("after the pause")
    for token in sample:
        old = ", ".join(str(format_api_time(moment))[:10] for moment in before.get(token, []))
        new = ", ".join(str(format_api_time(moment))[:10] for moment in after.get(token, []))
        table.add_row(token, old, new)
    console.print(table)
