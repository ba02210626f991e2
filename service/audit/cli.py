"""``strongroom audit``: sequence and verify the trail, export or tail it, check proofs and exports
without the database, run a named audit."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select

from service.access.actions import Action
from service.audit import checker
from service.audit.export import export_csv, export_jsonl
from service.audit.log import build_sequencer
from service.audit.models import AuditEvent
from service.audit.ports import TrailKeys
from service.audit.queries import EventFilter, event_view, list_events
from service.audit.reconcile import Reconciliation, access_lines
from service.audit.reconcile import reconcile as reconcile_trail
from service.audit.seal import EventSealer
from service.audit.verify import VerifyResult, verify_with
from service.cli_support import (
    cli_engine,
    cli_key_service,
    cli_session,
    cli_settings,
    fail,
    now_utc,
    record_cli_access,
)
from service.core.db import make_read_session_factory, make_session_factory, snapshot
from service.core.errors import ServiceError
from service.core.printable import one_line
from service.reports.render import render
from service.reports.runner import run_audit
from service.reports.spec import AuditSpecError, available_audits, load_audit
from service.reports.timeargs import parse_cli_time

app = typer.Typer(
    help="Verify, export and tail the audit trail; run named audits (audits/*.yaml).",
    no_args_is_help=True,
)

PROGRESS_THRESHOLD = 50_000
DEFAULT_WINDOW = timedelta(days=30)


def _time(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_cli_time(text)
    except ValueError:
        fail(f"{option} must be a date (2026-03-01) or an RFC 3339 time with an offset")


def _window(start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    window = _time(start, "--from"), _time(end, "--to")
    if window[0] is not None and window[1] is not None and window[0] > window[1]:
        fail("--from must not be after --to")
    return window


def _key_service() -> TrailKeys:
    """The key service that signs the tree heads; a clear error when it is not configured."""
    return cli_key_service()


def _verify(show_progress: bool) -> VerifyResult:
    key_service = _key_service()
    anchor_file = cli_settings().audit_anchor_file
    with cli_session() as session:
        total = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    with snapshot(cli_engine()) as connection:
        if not show_progress or total < PROGRESS_THRESHOLD:
            return verify_with(connection, key_service, anchor_file=anchor_file)
        with Progress(
            TextColumn("[bold]verifying the audit trail"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        ) as progress:
            task = progress.add_task("verify", total=total)
            return verify_with(
                connection,
                key_service,
                anchor_file=anchor_file,
                progress=lambda n: progress.advance(task, n),
            )


@app.command()
def verify(
    output: Literal["text", "json"] = typer.Option("text", "--format", help="text or json"),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Recompute every leaf and the tree, check every signed tree head and hold the database
    against the anchored heads; exit 1 when anything fails."""
    with cli_session() as session:  # the access is audited before it happens
        record_cli_access(session, Action.AUDIT_VERIFY)
    try:
        result = _verify(show_progress=not quiet and output == "text")
    except ServiceError as error:
        fail(error.detail)
    if output == "json":
        typer.echo(json.dumps(result.as_dict()))
    elif result.ok:
        typer.secho(
            f"audit trail intact: {result.checked} events, tree size {result.tree_size}, root "
            f"{result.root_hash}, {result.sths_verified} of {result.sths_count} signed tree heads "
            f"verified, {result.anchors.get('checked', 0)} anchored heads matched, "
            f"{result.queued} queued",
            fg="green",
        )
    else:
        typer.secho(
            f"audit trail BROKEN: {result.reason} (first bad sequence number "
            f"{result.first_bad_seq}; {result.checked} events checked, {result.sths_verified} of "
            f"{result.sths_count} signed tree heads verified)",
            fg="red",
            err=True,
        )
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def sequence() -> None:
    """Integrate every queued event into the tree now, sign and anchor the tree head."""
    key_service = _key_service()
    settings = cli_settings()
    factory = make_session_factory(cli_engine(), EventSealer(key_service))
    sequencer = build_sequencer(settings, factory, key_service)
    try:
        count = sequencer.run()
    except ServiceError as error:
        fail(error.detail)
    typer.echo(f"sequenced {count} events")


@app.command("public-key")
def public_key() -> None:
    """The PEM of every version of the audit signing key, for auditors' offline checks."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        keys = _key_service().audit_public_keys()
    except ServiceError as error:
        fail(error.detail)
    for version, raw in sorted(keys.items()):
        pem = Ed25519PublicKey.from_public_bytes(raw).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        typer.echo(f"# key_version {version}")
        typer.echo(pem.decode(), nl=False)


def _offline_check(kind: str, file: Path, key_file: Path) -> None:
    code = checker.main([kind, str(file), "--public-key", str(key_file)])
    if code:
        raise typer.Exit(code)


@app.command("check-proof")
def check_proof(
    file: Path = typer.Argument(..., help="A proof from /v1/audit/events/{id}/proof (JSON)."),
    key_file: Path = typer.Option(..., "--public-key", help="PEM from `audit public-key`."),
) -> None:
    """Check an inclusion proof and its signed tree head, without the database."""
    _offline_check("proof", file, key_file)


@app.command("check-export")
def check_export(
    file: Path = typer.Argument(..., help="A JSON-lines export."),
    key_file: Path = typer.Option(..., "--public-key", help="PEM from `audit public-key`."),
) -> None:
    """Check that every event of an export is in its closing signed tree head."""
    _offline_check("export", file, key_file)


@app.command()
def export(
    format: Literal["jsonl", "csv"] = typer.Option("jsonl", "--format"),
    start: str | None = typer.Option(None, "--from", help="Inclusive (date or RFC 3339)."),
    end: str | None = typer.Option(None, "--to", help="Exclusive (date or RFC 3339)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default stdout)."),
) -> None:
    """Export the events in a window as JSON lines or CSV."""
    window = _window(start, end)
    with cli_session() as session:
        record_cli_access(session, Action.AUDIT_EXPORT)
    factory = make_read_session_factory(cli_engine())
    filters = EventFilter(start=window[0], end=window[1])
    chunks = export_csv(factory, filters) if format == "csv" else export_jsonl(factory, filters)
    if output is None:
        sys.stdout.flush()
        stream = sys.stdout.buffer
        for chunk in chunks:
            stream.write(chunk)
        stream.flush()
        return
    with output.open("wb") as target:
        for chunk in chunks:
            target.write(chunk)


@app.command()
def reconcile(
    logs: list[Path] = typer.Argument(
        ..., help="The service's log files (JSON lines, or bare access lines); - for stdin."
    ),
    output: Literal["text", "json"] = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Hold the trail against access logs kept outside the database: the audit event each
    logged request names must be in the trail, in the tree or queued. Finds events deleted
    before they were sequenced, which `verify` cannot; exit 1 when any is missing."""
    for path in logs:
        if str(path) != "-" and (not path.exists() or path.is_dir()):
            fail(f"{path}: no such file")
    with cli_session() as session:
        record_cli_access(session, Action.AUDIT_VERIFY)
    with snapshot(cli_engine()) as connection:
        result = reconcile_trail(connection, access_lines(_log_lines(logs)))
    if output == "json":
        typer.echo(json.dumps(result.as_dict()))
    else:
        _print_reconciliation(result)
    if not result.ok:
        raise typer.Exit(1)


def _log_lines(paths: list[Path]) -> Iterator[str]:
    for path in paths:
        if str(path) == "-":
            yield from sys.stdin
            continue
        with path.open(encoding="utf-8", errors="replace") as lines:
            yield from lines


def _print_reconciliation(result: Reconciliation) -> None:
    typer.echo(
        f"{result.requests} requests logged, {result.with_event} naming an audit event: "
        f"{result.in_tree} in the tree, {result.queued} queued, {result.refused} refused by the "
        f"sequencer, {result.missing} missing"
    )
    for route, count in sorted(result.without_event.items()):
        typer.echo(f"  no audit event: {route} ({count})")
    if result.more_events:
        typer.echo(
            f"  {result.more_events} further events (a bulk operation's, one per subscription): "
            f"{result.more_missing} missing, {result.more_unchecked} unchecked (their request's "
            "id is not in the log)"
        )
    for request_id, short in result.more_missing_by_request.items():
        typer.secho(f"  missing {short} further events of request {request_id}", fg="red")
    if result.unreadable:
        typer.echo(f"  {result.unreadable} entries of the access logger could not be read")
    if result.refused:
        typer.secho(
            "  refused events are rows the sequencer would not sign (not written by the service, "
            "or marked refused): see `audit verify`",
            fg="red",
        )
    for line in result.missing_lines:
        typer.secho(
            f"  missing {line.event_id}: request {line.request_id}, {line.method} {line.route} "
            f"answered {line.status}",
            fg="red",
        )
    if result.missing > len(result.missing_lines):
        typer.secho(f"  … and {result.missing - len(result.missing_lines)} more", fg="red")
    if result.ok:
        typer.secho("every logged request's audit event is in the trail", fg="green")
    else:
        typer.secho(
            "the trail does not hold every logged request's event: deleted, or replaced by rows "
            "the service did not write",
            fg="red",
        )
    typer.echo("reconcile shows each event is there; `audit verify` shows each is genuine")


def _line(event: dict[str, Any]) -> str:
    extra = ""
    if event["purpose"]:
        extra += f" purpose={event['purpose']!r}"
    if event["fields"]:
        extra += " fields=" + ",".join(event["fields"])
    return one_line(
        f"{event['seq']:>8} {event['at']} {event['outcome']:<7} {event['actor']}({event['role']}) "
        f"{event['action']} {' '.join(event['targets'])}{extra}"
    )


@app.command()
def tail(
    lines: int = typer.Option(10, "-n", "--lines", min=1, max=10_000),
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new events."),
    interval: float = typer.Option(1.0, "--interval", min=0.05, help="Seconds between polls."),
) -> None:
    """The last events of the trail, and (with --follow) each new one as it is appended."""
    with cli_session() as session:
        record_cli_access(session, Action.AUDIT_LIST)
        head = session.execute(select(func.max(AuditEvent.seq))).scalar_one() or 0
        events = list_events(session, EventFilter(), after_seq=max(head - lines, 0), limit=lines)
        for event in events:
            typer.echo(_line(event_view(event)))
        last = events[-1].seq if events else head
    try:
        while follow:
            time.sleep(interval)
            with cli_session() as session:
                for event in list_events(session, EventFilter(), after_seq=last, limit=1000):
                    typer.echo(_line(event_view(event)))
                    last = event.seq
    except KeyboardInterrupt:
        return


@app.command()
def run(
    name: str = typer.Argument(..., help="An audit in audits/ (see `strongroom audit list`)."),
    start: str | None = typer.Option(None, "--from", help="Inclusive; default 30 days ago."),
    end: str | None = typer.Option(None, "--to", help="Exclusive; default now."),
    format: Literal["md", "csv", "json", "html"] = typer.Option("md", "--format"),
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default stdout)."),
) -> None:
    """Run a named audit over a window, stamped with the trail's verification."""
    settings = cli_settings()
    try:
        spec = load_audit(settings.audits_dir, name)
    except AuditSpecError as error:
        fail(str(error))
    now = now_utc()
    window_start, window_end = _window(start, end)
    window_end = window_end or now
    window_start = window_start or window_end - DEFAULT_WINDOW
    if window_start > window_end:
        fail("--from must not be after --to")
    key_service = _key_service()
    try:
        with cli_session() as session:
            report = run_audit(
                spec, session, key_service, start=window_start, end=window_end, now=now
            )
            record_cli_access(session, Action.AUDIT_REPORT_RUN, [f"audit:{name}"])
    except ServiceError as error:
        fail(error.detail)
    text = render(report, format)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output} ({format}, {len(report.sections)} sections)", err=True)
    if not report.stamp.chain_ok:
        typer.secho(
            f"warning: the audit trail is broken at sequence {report.stamp.first_bad_seq}",
            fg="red",
            err=True,
        )
        raise typer.Exit(1)


@app.command("list")
def list_audits() -> None:
    """The named audits available."""
    directory = cli_settings().audits_dir
    for name in available_audits(directory):
        try:
            typer.echo(f"{name}: {load_audit(directory, name).title}")
        except AuditSpecError as error:
            typer.secho(f"{name}: INVALID ({error})", fg="red")
