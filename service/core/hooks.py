"""Cross-domain reactions without cross-domain imports: what each domain must do when a
customer is erased (in the same transaction), and which tokens it holds that belong to a
customer. Both lists are installed by service/app/wiring.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from service.core.slots import Slot

CustomerErased = Callable[[Session, str, datetime], None]
OwnedTokens = Callable[[Session, str], list[str]]


@dataclass(frozen=True)
class ErasureHooks:
    # Run in the erasing transaction, in this order.
    on_customer_erased: tuple[CustomerErased, ...]
    # Providers of the tokens a domain holds for one customer (subscriptions, pauses,
    # charges): erasure forgets whatever names them.
    owned_tokens: tuple[OwnedTokens, ...]


erasure_hooks: Slot[ErasureHooks] = Slot("the erasure hooks")


def tokens_owned_by(session: Session, customer: str) -> list[str]:
    """The customer's own token and every token another domain holds for it."""
    tokens = [customer]
    for provider in erasure_hooks.get().owned_tokens:
        tokens += provider(session, customer)
    return tokens


def customer_erased(session: Session, customer: str, at: datetime) -> None:
    for handler in erasure_hooks.get().on_customer_erased:
        handler(session, customer, at)
