"""The ``strongroom`` command line."""

from __future__ import annotations

import os

import typer

from service.access.cli import app as principals_app
from service.cli_support import cli_engine, cli_settings
from service.core.config import Settings
from service.core.production import (
    INSECURE_VAULT_ENV,
    INSECURE_VAULT_FLAG,
    UNSAFE_TEST_CLOCK_ENV,
    UNSAFE_TEST_CLOCK_FLAG,
)

app = typer.Typer(
    help="Strongroom: tokenized vault and pause/charge engine.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(principals_app, name="principals")


@app.callback()
def _wire() -> None:
    # Before any command: jobs, erasure and key rotation read the lists the wiring installs.
    from service.app.wiring import wire

    wire()


def _register_optional() -> None:
    """Command groups whose modules import optional packages: when one is missing, the group
    is still listed and says which extra to install (service/extras.py)."""
    import importlib

    from service.extras import EXTRA_OF_MODULE, register_missing_extra

    for module_name, name, help_text in (
        ("service.audit.cli", "audit", "The audit trail."),
        ("service.keys.cli", "keys", "Rotate and inspect the data-wrapping key."),
        ("service.keys.vault_cli", "vault", "Set up OpenBao/Vault for Strongroom."),
        ("service.inventory.cli", "inventory", "What is held, about whom."),
        ("service.demo.cli", "demo", "A holiday pause on a few thousand fake subscriptions."),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            top = (exc.name or "").split(".")[0]
            if top in EXTRA_OF_MODULE:
                register_missing_extra(app, name, top, help_text)
                continue
            raise
        app.add_typer(module.app, name=name)
    from service.redaction.cli import redact

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
    unsafe_test_clock: bool = typer.Option(
        False,
        UNSAFE_TEST_CLOCK_FLAG,
        envvar=UNSAFE_TEST_CLOCK_ENV,
        help="Allow STRONGROOM_TEST_CLOCK=1 (admins can move time). Never in production.",
    ),
    insecure_vault_http: bool = typer.Option(
        False,
        INSECURE_VAULT_FLAG,
        envvar=INSECURE_VAULT_ENV,
        help="Allow a plain-http STRONGROOM_VAULT_ADDR (tokens and keys in clear).",
    ),
) -> None:
    """Production: configuration from the environment only."""
    from service.devstack.runner import serve_api

    serve_api(
        Settings(),
        host=host,
        port=port,
        workers=workers,
        unsafe_test_clock=unsafe_test_clock,
        insecure_vault_http=insecure_vault_http,
    )


@app.command()
def dev(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    data_dir: str | None = typer.Option(None, "--data-dir"),
    test_clock: bool = typer.Option(False, "--test-clock"),
    vault_port: int = typer.Option(8200, "--vault-port"),
    vault_cluster_port: int | None = typer.Option(
        None, "--vault-cluster-port", help="OpenBao's cluster port [default: --vault-port + 1]"
    ),
    stripe_port: int = typer.Option(8420, "--stripe-port"),
    workers: int = typer.Option(1, "--workers", help="worker processes for the API"),
) -> None:
    """The embedded default: SQLite, a persistent local OpenBao, localstripe, the API
    (needs the 'embedded' extra)."""
    from service.devstack.runner import run_dev
    from service.extras import require_embedded

    require_embedded("dev")

    settings = cli_settings()
    run_dev(
        settings,
        host=host,
        port=port,
        data_dir=data_dir,
        test_clock=test_clock,
        vault_port=vault_port,
        vault_cluster_port=vault_cluster_port if vault_cluster_port is not None else vault_port + 1,
        stripe_port=stripe_port,
        workers=workers,
    )


_register_optional()


if __name__ == "__main__":
    app()
