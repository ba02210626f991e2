"""Reading queued events as they are stored, whatever someone wrote there.

SQLite refuses to hand back text that is not UTF-8 (``Could not decode to UTF-8 column …``):
one such row, planted by someone who can write the database, would make every read of the
queue fail, and so stop the sequencer and verify for good. No event the service writes can
hold it, so such a row is read as *unreadable* — by its ``pk`` alone — and the caller refuses
or reports it like any other row that is not the service's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from service.audit.leaves import QUEUED_COLUMNS

SELECTED = f"{QUEUED_COLUMNS}, seal, refused"


@dataclass(frozen=True)
class UnreadableRow:
    """A queued row that could not be read; it hashes to no leaf (``readable_leaves``)."""

    pk: int
    id: None = None
    seal: None = None
    refused: None = None


def read_queued(
    connection: Connection, condition: str, params: dict[str, Any], limit: int
) -> Sequence[Any]:
    """Queued rows (``seq IS NULL AND <condition>``) in ``pk`` order, at most ``limit``, with
    the columns of :data:`SELECTED`; rows that cannot be read come back as UnreadableRow."""
    where = f"seq IS NULL AND {condition}"
    try:
        return connection.execute(
            text(f"SELECT {SELECTED} FROM audit_events WHERE {where} ORDER BY pk LIMIT :n"),  # noqa: S608
            {**params, "n": limit},
        ).all()
    except OperationalError as error:
        if "decode" not in str(error.orig):
            raise
    pks = connection.execute(
        text(f"SELECT pk FROM audit_events WHERE {where} ORDER BY pk LIMIT :n"),  # noqa: S608
        {**params, "n": limit},
    ).scalars()
    return [_row_or_unreadable(connection, pk) for pk in list(pks)]


def _row_or_unreadable(connection: Connection, pk: int) -> Any:
    try:
        return connection.execute(
            text(f"SELECT {SELECTED} FROM audit_events WHERE pk = :pk"),  # noqa: S608
            {"pk": pk},
        ).one()
    except OperationalError as error:
        if "decode" not in str(error.orig):
            raise
        return UnreadableRow(pk)
