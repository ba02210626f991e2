"""``strongroom inventory``: what is held, one subject's record, and the breach report.

Rich tables on a terminal; ``--format json`` or ``csv`` for machines (JSON is the default when
the output is not a terminal).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from service.access.actions import Action
from service.cli_support import cli_session, fail, now_utc, record_cli_access
from service.core.errors import ServiceError
from service.inventory import operations
from service.inventory.schemas import MAX_KEY_VERSION
from service.keys.vault_client import DATA_KEY_NAME
from service.reports.timeargs import parse_cli_time

app = typer.Typer(
    help="The data inventory: categories held, one subject's record, breach reports.",
    invoke_without_command=True,
)

Format = Literal["table", "json", "csv"]
FORMAT_HELP = "table (a terminal's default), json (otherwise the default) or csv"


def _format(chosen: Format | None) -> Format:
    if chosen is not None:
        return chosen
    return "table" if sys.stdout.isatty() else "json"


def _csv(rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()


def _versions(versions: dict[str, int]) -> str:
    return " ".join(f"v{version}:{count}" for version, count in versions.items())


# -- the inventory ------------------------------------------------------------------------------


def _print_inventory(body: dict[str, Any], output: Format) -> None:
    if output == "json":
        typer.echo(json.dumps(body, indent=2))
        return
    columns = ["category", "location", "subjects", "records", "encrypted", "key", "versions"]
    rows = [
        [
            c["category"],
            c["location"],
            c["subjects"],
            c["records"],
            "yes" if c["encrypted"] else "NO",
            c["key"]["name"],
            _versions(c["key"]["versions"]),
        ]
        for c in body["categories"]
    ]
    if output == "csv":
        typer.echo(_csv([columns, *rows]), nl=False)
        return
    table = Table(title=f"Personal and payment data held ({body['generated_at']})")
    for column in columns:
        justify = "right" if column in ("subjects", "records") else "left"
        table.add_column(column, justify=justify, overflow="fold")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    Console().print(table)


@app.callback()
def inventory(
    ctx: typer.Context,
    output: Format | None = typer.Option(None, "--format", help=FORMAT_HELP),
) -> None:
    """Every category of personal and payment data held, where, for how many subjects."""
    if ctx.invoked_subcommand is not None:
        return
    with cli_session() as session:
        body = operations.inventory(session, DATA_KEY_NAME, now_utc())
        record_cli_access(session, Action.INVENTORY_READ)
    _print_inventory(body, _format(output))


# -- one subject --------------------------------------------------------------------------------


@app.command()
def subject(
    token: str = typer.Argument(..., help="The customer token (cus_tok_…)."),
    output: Format | None = typer.Option(None, "--format", help=FORMAT_HELP),
) -> None:
    """What is held about one customer, since when, and every access to it (GDPR Art. 15)."""
    try:
        with cli_session() as session:
            body = operations.subject_report(session, token)
            record_cli_access(session, Action.INVENTORY_SUBJECT, [token])
    except ServiceError as error:
        fail(error.detail)
    chosen = _format(output)
    if chosen == "json":
        typer.echo(json.dumps(body, indent=2))
        return
    columns = ["at", "actor", "action", "outcome", "fields", "purpose"]
    rows = [
        [
            a["at"],
            a["actor"],
            a["action"],
            a["outcome"],
            " ".join(a["fields"] or []),
            a["purpose"],
        ]
        for a in body["accesses"]
    ]
    if chosen == "csv":
        header = [
            ["customer", body["customer"]],
            ["created_at", body["created_at"]],
            ["categories", *body["categories"]],
            ["subscriptions", *body["subscriptions"]],
            [],
        ]
        typer.echo(_csv([*header, columns, *rows]), nl=False)
        return
    console = Console()
    console.print(f"[bold]{body['customer']}[/bold], held since {body['created_at']}")
    console.print("categories: " + (", ".join(body["categories"]) or "none"))
    console.print("subscriptions: " + (", ".join(body["subscriptions"]) or "none"))
    table = Table(title="Accesses recorded in the audit trail")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


# -- breach report ------------------------------------------------------------------------------


def _time(text: str, option: str) -> datetime:
    try:
        return parse_cli_time(text)
    except ValueError:
        fail(f"{option} must be a date (2026-03-01) or an RFC 3339 time with an offset")


@app.command()
def breach(
    start: str = typer.Option(..., "--from", help="Inclusive (date or RFC 3339)."),
    end: str = typer.Option(..., "--to", help="Exclusive (date or RFC 3339)."),
    actors: list[str] | None = typer.Option(None, "--actor", help="Repeat for several."),
    key_versions: list[int] | None = typer.Option(
        None, "--key-version", min=1, max=MAX_KEY_VERSION, help="Repeat for several."
    ),
    output: Format | None = typer.Option(None, "--format", help=FORMAT_HELP),
) -> None:
    """Subjects and categories exposed in a window (to actors, or under key versions)."""
    query = operations.BreachQuery(
        start=_time(start, "--from"),
        end=_time(end, "--to"),
        actors=actors or None,
        key_versions=key_versions or None,
    )
    if query.start > query.end:
        fail("--from must not be after --to")
    with cli_session() as session:
        body = operations.breach_report(session, query)
        record_cli_access(session, Action.INVENTORY_BREACH)
    chosen = _format(output)
    if chosen == "json":
        typer.echo(json.dumps(body, indent=2))
        return
    rows = [[s["customer"], " ".join(s["categories"])] for s in body["subjects"]]
    if chosen == "csv":
        typer.echo(_csv([["customer", "categories"], *rows]), nl=False)
        return
    console = Console()
    counts = body["counts"]
    console.print(f"[bold]{counts['subjects']} subjects exposed[/bold]")
    by_category = Table(title="Subjects by category")
    by_category.add_column("category")
    by_category.add_column("subjects", justify="right")
    for category, count in counts["by_category"].items():
        by_category.add_row(category, str(count))
    console.print(by_category)
    subjects = Table(title="Subjects")
    subjects.add_column("customer", overflow="fold")
    subjects.add_column("categories", overflow="fold")
    for row in rows:
        subjects.add_row(*row)
    console.print(subjects)
    console.print(
        f"{counts['reads']} responses returned customer data in the window "
        f"({counts['reveals']} of them reveals)"
    )
    reads = Table(title="Reads by category (per response and subject)")
    reads.add_column("category")
    reads.add_column("reads", justify="right")
    for category, count in counts["reads_by_category"].items():
        reads.add_row(category, str(count))
    console.print(reads)
    searches = body["email_searches"]
    console.print(
        f"{searches['count']} email searches ({searches['matched']} matched, "
        f"{searches['rate_limited']} rate-limited)"
    )
