"""What every CLI command shares: settings, a migrated database, a clean exit on errors."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import NoReturn

import typer
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.audit.seal import EventSealer
from service.core.config import Settings
from service.core.db import make_engine, make_session_factory, transaction
from service.core.migrate import upgrade
from service.keys.port import KeyService

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
    """A transaction on the CLI's database; the audit events it writes are sealed with the key
    service of :func:`cli_key_service`, reached at the first one."""
    sealer = EventSealer(_KeysAtFirstUse())
    with transaction(make_session_factory(cli_engine(), sealer)) as session:
        yield session


def cli_key_service() -> KeyService:
    """The key service of the CLI's settings; a clear error when none is configured."""
    from service.app.bootstrap import build_key_service

    try:
        return build_key_service(cli_settings())
    except ValueError as error:
        fail(
            f"{error}: set STRONGROOM_VAULT_ADDR and STRONGROOM_VAULT_TOKEN (or "
            "STRONGROOM_VAULT_ROLE_ID and STRONGROOM_VAULT_SECRET_ID)"
        )


class _KeysAtFirstUse:
    """The seal key's source for a CLI session: a command that writes no event (a listing)
    needs no key service."""

    def __init__(self) -> None:
        self._keys: KeyService | None = None

    def keyed_digests(
        self, values: Sequence[bytes], key_version: int | None = None
    ) -> tuple[list[str], int]:
        if self._keys is None:
            self._keys = cli_key_service()
        return self._keys.keyed_digests(values, key_version)


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
