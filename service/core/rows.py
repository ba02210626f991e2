"""Writing many rows in one round trip: PostgreSQL's COPY, or executemany elsewhere.

Values go through each column type's bind processing (``UTCDateTime`` stores naive UTC), so a
row written here reads back exactly like one the ORM wrote. Bulk rows repeat the same few
times over and over, so each distinct value is processed once.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, text
from sqlalchemy.orm import Session

from service.core.db import mark_written


def random_tokens(prefix: str, count: int, nbytes: int = 12) -> list[str]:
    """``count`` tokens like ``prefix + secrets.token_hex(nbytes)``, drawn in one call."""
    pool = secrets.token_bytes(nbytes * count).hex()
    width = 2 * nbytes
    return [prefix + pool[i * width : (i + 1) * width] for i in range(count)]


COPY_FROM = 100


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``table``: one COPY on PostgreSQL
    from ``COPY_FROM`` rows on (below that, one INSERT is the fewer round trips)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or len(rows) < COPY_FROM:
        session.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    processed = [
        (position, process, {})
        for position, name in enumerate(columns)
        if (process := table.c[name].type.bind_processor(dialect)) is not None
    ]
    quote = dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(map(quote, columns))}) FROM STDIN"
    mark_written(connection)  # COPY goes past the cursor events that see every other write
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            if processed:
                row = list(row)
                for position, process, seen in processed:
                    value = row[position]
                    if value not in seen:
                        seen[value] = process(value)
                    row[position] = seen[value]
            copy.write_row(row)


def update_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Set ``columns`` of many rows of ``table``, each row its primary key then its values in
    ``columns`` order: one ``UPDATE ... FROM unnest(...)`` on PostgreSQL from ``COPY_FROM``
    rows on, one executemany UPDATE elsewhere."""
    if not rows:
        return
    (key,) = table.primary_key.columns
    names = (key.name, *columns)
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or len(rows) < COPY_FROM:
        statement = (
            table.update()
            .where(key == bindparam("_key"))
            .values({name: bindparam(f"_{name}") for name in columns})
        )
        binds = ("_key", *(f"_{name}" for name in columns))
        session.execute(statement, [dict(zip(binds, row, strict=True)) for row in rows])
        return
    quote = dialect.identifier_preparer.quote
    arrays: dict[str, list[Any]] = {}
    unnest = []
    for position, name in enumerate(names):
        type_ = table.c[name].type
        process = type_.bind_processor(dialect)
        values = [row[position] for row in rows]
        arrays[f"v{position}"] = values if process is None else [process(v) for v in values]
        unnest.append(f"CAST(:v{position} AS {type_.compile(dialect=dialect)}[])")
    sets = ", ".join(f"{quote(name)} = v.{quote(name)}" for name in columns)
    # Names come from the table's metadata (quoted), every value is bound.
    session.execute(
        text(
            f"UPDATE {quote(table.name)} AS t SET {sets}"  # noqa: S608
            f" FROM unnest({', '.join(unnest)}) AS v({', '.join(map(quote, names))})"
            f" WHERE t.{quote(key.name)} = v.{quote(key.name)}"
        ),
        arrays,
    )
