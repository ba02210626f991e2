"""The stored wrapped data keys, as key rotation and the status report see them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.customers.models import Customer


def count_by_key_version(session: Session) -> dict[int, int]:
    """How many stored data keys each Transit key version wraps."""
    rows = session.execute(
        select(Customer.key_version, func.count())
        .where(Customer.wrapped_data_key.is_not(None))
        .group_by(Customer.key_version)
    )
    return {int(version): int(count) for version, count in rows if version is not None}


def count_wrapped_below(session: Session, version: int) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(Customer)
            .where(Customer.wrapped_data_key.is_not(None), Customer.key_version < version)
        ).scalar_one()
    )


def wrapped_below(
    session: Session, version: int, limit: int, *, excluding: Collection[str] = ()
) -> list[tuple[str, str]]:
    """Up to ``limit`` (token, wrapped key) pairs still wrapped under a version below this."""
    query = (
        select(Customer.id, Customer.wrapped_data_key)
        .where(Customer.wrapped_data_key.is_not(None), Customer.key_version < version)
        .order_by(Customer.id)
        .limit(limit)
    )
    if excluding:
        query = query.where(Customer.id.not_in(list(excluding)))
    return [(token, wrapped) for token, wrapped in session.execute(query) if wrapped is not None]


def replace_wrapped_key(session: Session, token: str, *, old: str, new: str, version: int) -> bool:
    """Store a rewrapped key, only if the stored one is still ``old`` (not erased meanwhile)."""
    result = session.execute(
        update(Customer)
        .where(Customer.id == token, Customer.wrapped_data_key == old)
        .values(wrapped_data_key=new, key_version=version)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
