"""``strongroom principals create|list|revoke``: works beside a running service."""

from __future__ import annotations

from datetime import datetime, timedelta

import typer
from rich.console import Console
from rich.table import Table

from service.access.principals import create_principal, list_principals, revoke_principal
from service.cli_support import cli_actor, cli_session, fail, now_utc
from service.core.errors import ServiceError

app = typer.Typer(
    help="Manage the principals (API keys) that may call the service.", no_args_is_help=True
)
console = Console()


@app.command("create")
def create(
    name: str,
    role: str = typer.Option(..., "--role", help="service, compliance or admin"),
    expires_in_days: int | None = typer.Option(None, "--expires-in-days", min=1),
) -> None:
    """Create a principal and print its key once. Only a hash of the key is stored."""
    now = now_utc()
    expires = now + timedelta(days=expires_in_days) if expires_in_days else None
    try:
        with cli_session() as session:
            created = create_principal(
                session, name, role, now, expires_at=expires, actor=cli_actor()
            )
    except ServiceError as error:
        fail(error.detail)
    console.print(f"[bold]{created.name}[/] ({created.role}) — key, shown once:", highlight=False)
    typer.echo(created.key)


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """List principals (names, roles, state; never keys)."""
    with cli_session() as session:
        rows = [
            (p.name, p.role, p.key_id, p.created_at, p.expires_at, p.revoked_at)
            for p in list_principals(session)
        ]
    now = now_utc()
    if as_json:
        import json

        typer.echo(
            json.dumps(
                [
                    {
                        "name": n,
                        "role": r,
                        "key_id": k,
                        "created_at": _iso(c),
                        "expires_at": _iso(e),
                        "revoked_at": _iso(v),
                        "state": _state(e, v, now),
                    }
                    for n, r, k, c, e, v in rows
                ]
            )
        )
        return
    table = Table("name", "role", "key id", "created", "expires", "state")
    for name, role, key_id, created, expires, revoked in rows:
        table.add_row(
            name, role, key_id, _iso(created), _iso(expires) or "-", _state(expires, revoked, now)
        )
    console.print(table)


@app.command("revoke")
def revoke(name: str) -> None:
    """Revoke a principal's key; effective for the very next request."""
    try:
        with cli_session() as session:
            revoke_principal(session, name, now_utc(), actor=cli_actor())
    except ServiceError as error:
        fail(error.detail)
    console.print(f"revoked {name}")


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _state(expires: datetime | None, revoked: datetime | None, now: datetime) -> str:
    if revoked is not None:
        return "revoked"
    if expires is not None and expires <= now:
        return "expired"
    return "active"
