"""Cross-domain reactions without cross-domain imports: a domain registers what it must do
when another domain's event happens (in the same transaction)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

CustomerErased = Callable[[Session, str, datetime], None]

_on_customer_erased: list[CustomerErased] = []


def on_customer_erased(handler: CustomerErased) -> CustomerErased:
    if handler not in _on_customer_erased:
        _on_customer_erased.append(handler)
    return handler


# Modules whose import registers handlers (besides the models modules, which are loaded too).
HANDLER_MODULES = ("service.subscriptions.erasure", "service.events.erasure")


def customer_erased(session: Session, customer: str, at: datetime) -> None:
    import importlib

    from service.models import load_all_models

    load_all_models()
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    for handler in _on_customer_erased:
        handler(session, customer, at)
