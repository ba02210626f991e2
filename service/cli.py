"""The ``strongroom`` command line."""

from __future__ import annotations

import os

import typer

from service.access.cli import app as principals_app
from service.cli_support import cli_engine, cli_settings
from service.core.config import Settings

app = typer.Typer(
    help="Strongroom: tokenized vault and pause/charge engine.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(principals_app, name="principals")


def _register_optional() -> None:
    import importlib

    for module_name, name in (
        ("service.audit.cli", "audit"),
        ("service.keys.cli", "keys"),
        ("service.inventory.cli", "inventory"),
        ("service.demo.cli", "demo"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                continue
            raise
        app.add_typer(module.app, name=name)
    try:
        from service.redaction.cli import redact
    except ModuleNotFoundError:
        return
    app.command("redact")(redact)


@app.command()
def migrate() -> None:
    """Apply the database migrations (also done on start of serve and dev)."""
    cli_engine()
    typer.echo("database is up to date")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(
        os.cpu_count() or 1, "--workers", help="worker processes (default: the CPU count)"
    ),
) -> None:
    """Production: configuration from the environment only."""
    from service.devstack.runner import serve_api

    serve_api(Settings(), host=host, port=port, workers=workers)


@app.command()
def dev(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    data_dir: str | None = typer.Option(None, "--data-dir"),
    test_clock: bool = typer.Option(False, "--test-clock"),
    vault_port: int = typer.Option(8200, "--vault-port"),
    stripe_port: int = typer.Option(8420, "--stripe-port"),
    workers: int = typer.Option(1, "--workers", help="worker processes for the API"),
) -> None:
    """The embedded default: SQLite, a persistent local OpenBao, localstripe, the API."""
    from service.devstack.runner import run_dev

    settings = cli_settings()
    run_dev(
        settings,
        host=host,
        port=port,
        data_dir=data_dir,
        test_clock=test_clock,
        vault_port=vault_port,
        stripe_port=stripe_port,
        workers=workers,
    )


_register_optional()


if __name__ == "__main__":
    app()
