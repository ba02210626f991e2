"""Cross-domain reactions without cross-domain imports: what each domain must settle at the
processor before a customer's processor reference is destroyed, what it must do when a
customer is erased (in the same transaction), and which tokens it holds that belong to a
customer. The lists are installed by service/app/wiring.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.core.slots import Slot

CustomerErased = Callable[[Session, str, datetime], None]
OwnedTokens = Callable[[Session, str], list[str]]


@dataclass
class GiveUp:
    """Passed to the settlements when the erasure has waited long enough for the processor:
    nothing waits any longer, and what the processor still reports unfinished is recorded
    failed without its outcome. Each handler appends to ``forced`` the tokens it so recorded,
    as each is committed (so an outage after some of them loses none), and only those: one
    that finished meanwhile, or that another replica recorded first, is not there."""

    forced: list[str] = field(default_factory=list)


# (context, customer token, processor customer reference, now, give_up) -> True when nothing of
# the customer's still waits on the processor; each commits in transactions of its own. The
# context is the jobs' ``JobContext`` (service/jobs/registry.py), typed Any: core imports no
# other package.
SettleBeforeProcessorErasure = Callable[[Any, str, str, datetime, GiveUp | None], bool]


@dataclass(frozen=True)
class ErasureHooks:
    # Run in the erasing transaction, in this order.
    on_customer_erased: tuple[CustomerErased, ...]
    # Providers of the tokens a domain holds for one customer (subscriptions, pauses,
    # charges): erasure forgets whatever names them.
    owned_tokens: tuple[OwnedTokens, ...]
    # Run while the processor reference is still known, before the processor's customer is
    # deleted (at the erasure, or by the job that finishes a deferred one): a processor
    # outage (ProcessorFailed) or a False defers that deletion, and the reference is kept.
    before_processor_erasure: tuple[SettleBeforeProcessorErasure, ...] = ()


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


def settled_before_processor_erasure(
    context: Any,
    customer: str,
    processor_ref: str,
    now: datetime,
    *,
    give_up: GiveUp | None = None,
) -> bool:
    """Every domain's settlement with the processor for this customer; all of them run."""
    handlers = erasure_hooks.get().before_processor_erasure
    return all([handler(context, customer, processor_ref, now, give_up) for handler in handlers])
