"""What every CLI command shares: settings, a migrated database, a clean exit on errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import NoReturn

import typer
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.core.config import Settings
from service.core.db import make_engine, make_session_factory, transaction
from service.core.migrate import upgrade

DEV_STATE_FILE = "dev.json"


@cache
def cli_settings() -> Settings:
    """Settings from the environment; against the embedded default's data directory, the
    addresses and the dev-only OpenBao token that ``strongroom dev`` recorded there."""
    settings = Settings()
    if settings.vault_token or settings.vault_role_id or settings.database_url:
        return settings
    state_path = settings.data_dir / DEV_STATE_FILE
    if not state_path.exists():
        return settings
    from service.devstack.openbao import read_dev_root_token

    state = json.loads(state_path.read_text(encoding="utf-8"))
    root_token = SecretStr(read_dev_root_token(settings.data_dir))
    return settings.model_copy(
        update={
            "vault_addr": state["vault_addr"],
            "vault_token": root_token,
            "vault_operator_token": settings.vault_operator_token or root_token,
            "stripe_api_base": state.get("stripe_api_base"),
        }
    )


def operator_settings(what: str) -> Settings:
    """``cli_settings()`` acting with the operator's OpenBao token, not the serving one: the
    serving policy grants no rotation or key configuration (policies/openbao/)."""
    settings = cli_settings()
    if settings.vault_operator_token is None:
        fail(
            f"{what} needs an OpenBao operator token (policy strongroom-operator): set "
            "STRONGROOM_VAULT_OPERATOR_TOKEN. The serving token or AppRole cannot do it."
        )
    return settings.model_copy(
        update={
            "vault_token": settings.vault_operator_token,
            "vault_role_id": None,
            "vault_secret_id": None,
        }
    )


@cache
def cli_engine() -> Engine:
    settings = cli_settings()
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    return engine


@contextmanager
def cli_session() -> Iterator[Session]:
    with transaction(make_session_factory(cli_engine())) as session:
        yield session


def now_utc() -> datetime:
    return datetime.now(UTC)


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg="red")
    raise typer.Exit(code)


CLI_ROLE = "system"


def cli_actor() -> str:
    """Who acts from the command line: ``cli:<operating-system user>@<host>`` (the database
    may be shared by many hosts; PCI DSS 10.2.2 wants the individual and the origin)."""
    import os
    import pwd
    import socket

    # The effective user from the password database, never $LOGNAME/$USER (which
    # getpass.getuser() trusts, so anyone could name someone else as the actor).
    try:
        user = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        user = f"uid{os.geteuid()}"
    host = socket.gethostname() or "unknown-host"
    return f"cli:{user}@{host}"


def record_cli_access(session: Session, action: str, targets: list[str] | None = None) -> None:
    """Reading the trail or the inventory from the command line is an access too (PCI DSS
    10.2.1.3): it is audited, with the operating-system user and host as the actor."""
    from service.audit.log import wall_clock_audit

    wall_clock_audit().system(session, action, targets or [], actor=cli_actor(), role=CLI_ROLE)
