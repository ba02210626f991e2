"""Every stored wrapped data key, whichever table holds it, as rotation and reports see them.

Customers, subscriptions (metadata), webhook endpoints (signing secrets) and the idempotency
store (sealed responses) each keep data keys wrapped by the Transit key; a rotation must rewrap
all of them before an old version can be retired, or their data would become unreadable.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.keys.port import wrapped_key_version


@dataclass(frozen=True)
class KeyHolder:
    """A table holding wrapped data keys: its model, id, wrapped-key and version columns (the
    version column may be absent: the version is then read from the wrapped value)."""

    name: str
    model: Any
    id_column: str
    wrapped_column: str
    version_column: str | None


def holders() -> tuple[KeyHolder, ...]:
    from service.customers.models import Customer, ProcessorErasure
    from service.events.models import WebhookEndpoint
    from service.idempotency.claims import IdempotencyRecord
    from service.subscriptions.models import BulkOperation, Subscription

    return (
        KeyHolder("customers", Customer, "id", "wrapped_data_key", "key_version"),
        KeyHolder("subscriptions", Subscription, "id", "wrapped_data_key", "key_version"),
        KeyHolder("webhook_endpoints", WebhookEndpoint, "id", "wrapped_key", "key_version"),
        KeyHolder("idempotency_keys", IdempotencyRecord, "key", "wrapped_key", None),
        KeyHolder("bulk_operations", BulkOperation, "id", "wrapped_key", "key_version"),
        KeyHolder(
            "processor_erasures", ProcessorErasure, "customer", "wrapped_data_key", "key_version"
        ),
    )


def _columns(holder: KeyHolder) -> tuple[Any, Any, Any]:
    model = holder.model
    version = getattr(model, holder.version_column) if holder.version_column else None
    return getattr(model, holder.id_column), getattr(model, holder.wrapped_column), version


def _versions_in_python(session: Session, holder: KeyHolder) -> list[tuple[str, str, int]]:
    ident, wrapped, _ = _columns(holder)
    rows = session.execute(select(ident, wrapped).where(wrapped.is_not(None)))
    return [(str(i), w, wrapped_key_version(w)) for i, w in rows]


def count_by_key_version(session: Session) -> dict[int, int]:
    """How many stored data keys each Transit key version wraps, over every holder."""
    counts: dict[int, int] = {}
    for holder in holders():
        _, wrapped, version = _columns(holder)
        if version is None:
            pairs = [(v, 1) for _, _, v in _versions_in_python(session, holder)]
        else:
            pairs = list(
                session.execute(
                    select(version, func.count()).where(wrapped.is_not(None)).group_by(version)
                )
            )
        for key_version, count in pairs:
            if key_version is not None:
                counts[int(key_version)] = counts.get(int(key_version), 0) + int(count)
    return counts


def count_wrapped_below(session: Session, version: int) -> int:
    return sum(count for v, count in count_by_key_version(session).items() if v < version)


def wrapped_below(
    session: Session, version: int, limit: int, *, excluding: Collection[str] = ()
) -> list[tuple[str, str]]:
    """Up to ``limit`` (reference, wrapped key) pairs still wrapped under a version below this;
    a reference is ``holder|id``."""
    found: list[tuple[str, str]] = []
    for holder in holders():
        ident, wrapped, column = _columns(holder)
        skip = [ref.split("|", 1)[1] for ref in excluding if ref.startswith(holder.name + "|")]
        if column is None:
            rows = [
                (i, w)
                for i, w, v in _versions_in_python(session, holder)
                if v < version and i not in skip
            ]
        else:
            query = select(ident, wrapped).where(wrapped.is_not(None), column < version)
            if skip:
                query = query.where(ident.not_in(skip))
            rows = list(session.execute(query.order_by(ident).limit(limit - len(found))))
        found += [(f"{holder.name}|{i}", w) for i, w in rows[: limit - len(found)]]
        if len(found) >= limit:
            break
    return found


def replace_wrapped_key(session: Session, ref: str, *, old: str, new: str, version: int) -> bool:
    """Store a rewrapped key, only if the stored one is still ``old`` (not erased meanwhile)."""
    name, ident_value = ref.split("|", 1)
    holder = next(h for h in holders() if h.name == name)
    ident, wrapped, column = _columns(holder)
    values: dict[str, Any] = {holder.wrapped_column: new}
    if column is not None:
        values[holder.version_column or ""] = version
    result = session.execute(
        update(holder.model)
        .where(ident == ident_value, wrapped == old)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
