"""Imports every domain's ORM models so that metadata (and Alembic) sees all tables."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "service.access.models",
    "service.audit.models",
    "service.idempotency.claims",
    "service.customers.models",
    "service.subscriptions.models",
    "service.charges.models",
    "service.events.models",
    "service.jobs.models",
    "service.console.models",
    "service.pauselinks.models",
)


def load_all_models() -> None:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not exc.name or not (name == exc.name or name.startswith(exc.name + ".")):
                raise
