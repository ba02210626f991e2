"""What every CLI command shares: settings, a migrated database, a clean exit on errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import NoReturn

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.core.config import Settings
from service.core.db import make_engine, make_session_factory, transaction
from service.core.migrate import upgrade


@cache
def cli_settings() -> Settings:
    return Settings()


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
