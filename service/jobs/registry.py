"""The jobs every domain contributes, run in a fixed order by the scheduler.

A job is a function ``(JobContext, now) -> int`` that does the work due at ``now`` and returns
how many items it handled. It claims each item with a row lock (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the database write lock on SQLite), re-reads it, returns early if the work is done,
and commits each item in its own transaction together with its audit event — so any number of
replicas can run the scheduler and a crash loses at most the item in hand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from service.app.context import AppContext

Job = Callable[["JobContext", datetime], int]


@dataclass(frozen=True)
class JobContext:
    app: AppContext
    # Set when the process is shutting down: long jobs check it between items and return,
    # leaving what they have not started for the next run (or another replica).
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def session_factory(self) -> Any:
        return self.app.session_factory

    @property
    def key_service(self) -> Any:
        return self.app.key_service

    @property
    def processor(self) -> Any:
        return self.app.processor


@dataclass(frozen=True)
class RegisteredJob:
    name: str
    order: int
    run: Job


_jobs: dict[str, RegisteredJob] = {}


def register_job(name: str, order: int) -> Callable[[Job], Job]:
    """Register a job; lower ``order`` runs first (pause transitions before charges before
    notices before deliveries)."""

    def decorate(fn: Job) -> Job:
        _jobs[name] = RegisteredJob(name=name, order=order, run=fn)
        return fn

    return decorate


def registered_jobs() -> list[RegisteredJob]:
    import importlib

    for module in JOB_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not exc.name or not (module == exc.name or module.startswith(exc.name + ".")):
                raise
    return sorted(_jobs.values(), key=lambda job: (job.order, job.name))


JOB_MODULES = (
    "service.customers.processor_erasure",
    "service.pauses.jobs",
    "service.subscriptions.jobs",
    "service.charges.jobs",
    "service.events.jobs",
    "service.jobs.housekeeping",
    "service.console.jobs",
    "service.audit.jobs",
)


def lock_for_work(session: Session, query: Select[Any]) -> Select[Any]:
    """Rows a replica may take now: locked for this transaction, skipped if another has them."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query
