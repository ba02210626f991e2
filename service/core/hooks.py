"""Cross-domain reactions without cross-domain imports: a domain registers what it must do
when another domain's event happens (in the same transaction), and which tokens it holds that
belong to a customer."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

CustomerErased = Callable[[Session, str, datetime], None]
OwnedTokens = Callable[[Session, str], list[str]]

_on_customer_erased: list[CustomerErased] = []
_owned_tokens: list[OwnedTokens] = []


def on_customer_erased(handler: CustomerErased) -> CustomerErased:
    if handler not in _on_customer_erased:
        _on_customer_erased.append(handler)
    return handler


def owned_tokens(provider: OwnedTokens) -> OwnedTokens:
    """Register a provider of the tokens a domain holds for one customer (subscriptions,
    pauses, charges): erasure forgets whatever names them."""
    if provider not in _owned_tokens:
        _owned_tokens.append(provider)
    return provider


# Modules whose import registers handlers (besides the models modules, which are loaded too).
HANDLER_MODULES = (
    "service.subscriptions.erasure",
    "service.events.erasure",
    "service.charges.erasure",
    "service.subscriptions.reasons",
    "service.charges.descriptions",
)


def _load_handlers() -> None:
    from service.models import load_all_models

    load_all_models()
    for module in HANDLER_MODULES:
        importlib.import_module(module)


def tokens_owned_by(session: Session, customer: str) -> list[str]:
    """The customer's own token and every token another domain holds for it."""
    _load_handlers()
    tokens = [customer]
    for provider in _owned_tokens:
        tokens += provider(session, customer)
    return tokens


def customer_erased(session: Session, customer: str, at: datetime) -> None:
    _load_handlers()
    for handler in _on_customer_erased:
        handler(session, customer, at)
