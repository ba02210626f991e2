"""Running the service: ``serve`` (production) and ``dev`` (the embedded default stack)."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import typer
import uvicorn
from pydantic import SecretStr
from sqlalchemy import select

from service.access.models import Principal
from service.access.principals import create_principal
from service.app.bootstrap import build_context
from service.app.context import AppContext
from service.app.logging import configure_logging
from service.app.workers import SERVING_OPTIONS, run_workers, served_app
from service.cli_support import fail, now_utc
from service.core.config import Settings
from service.core.db import transaction
from service.core.errors import ServiceError
from service.core.migrate import upgrade
from service.core.production import production_refusals, production_warnings
from service.devstack import DevStackError, ensure_port_free
from service.devstack.keys_file import ENV as KEYS_FILE_ENV
from service.devstack.keys_file import KeysFileRefused, write_keys_file
from service.keys.approle import ApproleFileError

log = logging.getLogger("strongroom.dev")

DEV_PRINCIPALS = (
    ("dev-service", "service"),
    ("dev-compliance", "compliance"),
    ("dev-admin", "admin"),
)


def serve_api(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int = 1,
    unsafe_test_clock: bool = False,
    insecure_vault_http: bool = False,
) -> None:
    overrides = {"unsafe_test_clock": unsafe_test_clock, "insecure_vault_http": insecure_vault_http}
    refusals = production_refusals(settings, **overrides)
    for refusal in refusals:
        typer.secho(f"error: {refusal}", err=True, fg="red")
    if refusals:
        raise typer.Exit(2)
    _check_workers(settings, workers)
    configure_logging(settings.log_level)
    for warning in production_warnings(**overrides):
        log.critical(warning)  # at every start, in the service's own (JSON) log
    _check_port_free(host, port, "the API")
    try:
        ctx = build_context(settings)
        _prepare(ctx)
    except (ApproleFileError, ServiceError) as error:
        fail(getattr(error, "detail", None) or str(error))
    _serve(ctx, host=host, port=port, workers=workers)


def _serve(ctx: AppContext, *, host: str, port: int, workers: int) -> None:
    if workers > 1:
        ctx.engine.dispose()  # each worker opens its own connections
        run_workers(ctx.settings, host=host, port=port, workers=workers)
        return
    uvicorn.run(
        served_app(ctx),
        host=host,
        port=port,
        **SERVING_OPTIONS,
    )


def _check_workers(settings: Settings, workers: int) -> None:
    if workers < 1:
        fail("--workers must be at least 1")
    if workers > 1 and settings.test_clock:
        fail(
            "the test clock lives in one process: run with --workers 1 when "
            "STRONGROOM_TEST_CLOCK / --test-clock is on"
        )


def _prepare(ctx: AppContext) -> None:
    """Before serving: the schema, the Transit keys, and (when this replica runs no scheduler,
    whose first pass would do it) the charges a crash left pending."""
    upgrade(ctx.engine)
    ctx.key_service.ensure_keys()
    if not ctx.settings.scheduler_enabled:
        from service.charges.reconcile import reconcile_at_start

        reconcile_at_start(ctx)


def run_dev(
    settings: Settings,
    *,
    host: str,
    port: int,
    data_dir: str | None,
    test_clock: bool,
    vault_port: int,
    vault_cluster_port: int,
    stripe_port: int,
    workers: int = 1,
) -> None:
    from service.devstack.localstripe import LocalStripeServer
    from service.devstack.openbao import PersistentOpenBao

    root = Path(data_dir) if data_dir else settings.data_dir
    _prepare_data_dir(root)
    ports = {
        "the API": (host, port),
        "OpenBao": ("127.0.0.1", vault_port),
        "OpenBao's cluster port": ("127.0.0.1", vault_cluster_port),
        "localstripe": ("127.0.0.1", stripe_port),
    }
    _check_ports(ports)
    configure_logging(settings.log_level)
    with contextlib.ExitStack() as stack:
        bao = stack.enter_context(
            PersistentOpenBao(root, vault_port, cluster_port=vault_cluster_port)
        )
        stripe = stack.enter_context(
            LocalStripeServer("127.0.0.1", stripe_port, root / "localstripe.pickle")
        )
        settings = settings.model_copy(
            update={
                "data_dir": root,
                "vault_addr": bao.addr,
                "vault_token": SecretStr(bao.token),
                "stripe_api_base": stripe.url,
                "test_clock": test_clock or settings.test_clock,
                "dev_mode": True,  # API.md: plain-http loopback webhook receivers
            }
        )
        settings.__dict__.pop("resolved_database_url", None)
        _check_workers(settings, workers)
        _record_dev_state(root, bao.addr, stripe.url)
        ctx = build_context(settings)
        _prepare(ctx)
        _first_start_principals(ctx.session_factory)
        typer.echo(
            f"OpenBao on {bao.addr} (cluster port {bao.cluster_port}), localstripe on "
            f"{stripe.url}; both stop with this process, however it stops"
        )
        typer.echo(
            f"Strongroom (dev) on http://{host}:{port} — API docs at "
            f"http://{host}:{port}/docs — data in {root.resolve()}"
        )
        _serve(ctx, host=host, port=port, workers=workers)


def _record_dev_state(root: Path, vault_addr: str, stripe_url: str) -> None:
    """Where the children listen, so that CLI commands on this data directory find them."""
    import json

    from service.cli_support import DEV_STATE_FILE

    (root / DEV_STATE_FILE).write_text(
        json.dumps({"vault_addr": vault_addr, "stripe_api_base": stripe_url}), encoding="utf-8"
    )


def _prepare_data_dir(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = root / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        fail(f"the data directory {root} is not writable ({exc.strerror})")


def _check_ports(ports: dict[str, tuple[str, int]]) -> None:
    """Every port distinct and free, before anything starts; the message names them all."""
    seen: dict[int, str] = {}
    for what, (_host, number) in ports.items():
        if number in seen:
            listing = ", ".join(f"{name} {p}" for name, (_, p) in ports.items())
            fail(
                f"{what} and {seen[number]} would both use port {number} ({listing}). "
                "Choose distinct ports (--port, --vault-port, --vault-cluster-port, "
                "--stripe-port)."
            )
        seen[number] = what
    for what, (host, number) in ports.items():
        _check_port_free(host, number, what)


def _check_port_free(host: str, port: int, what: str) -> None:
    try:
        ensure_port_free(host, port, component=what)
    except DevStackError as error:
        fail(str(error))


def _first_start_principals(factory: object) -> None:
    with transaction(factory) as session:  # type: ignore[arg-type]
        if session.scalar(select(Principal).limit(1)) is not None:
            return
        created = [
            create_principal(session, name, role, now_utc()) for name, role in DEV_PRINCIPALS
        ]
    typer.secho(
        "First start: development principals (keys shown once, keep them):", fg="yellow", bold=True
    )
    for principal in created:
        typer.echo(f"  {principal.role:<11} {principal.name:<15} {principal.key}")
    if os.environ.get(KEYS_FILE_ENV):
        try:
            write_keys_file(
                Path(os.environ[KEYS_FILE_ENV]),
                "".join(f"{p.role}={p.key}\n" for p in created),
            )
        except KeysFileRefused as refused:
            typer.secho(f"error: {refused} (the keys are above)", err=True, fg="red")
