"""An event's leaf hash, computed from its stored columns: SHA-256(0x00 ‖ RFC 8785 JSON).

The standard library only, so that verify's reader process (:mod:`service.audit.leaf_reader`)
starts without importing the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from hashlib import sha256
from json.encoder import encode_basestring as _quoted  # type: ignore[attr-defined]
from typing import Any

QUEUED_COLUMNS = (
    "pk, id, at, actor, role, action, targets, purpose, fields, outcome, status, request_id,"
    " source_ip"
)


def event_leaf(row: Any) -> bytes:
    """The leaf hash of a stored event row with the columns as attributes (any ``SELECT`` of
    them); see :func:`columns_leaf`."""
    return columns_leaf((None, *(getattr(row, name) for name in _LEAF_COLUMNS)))


_LEAF_COLUMNS = tuple(name.strip() for name in QUEUED_COLUMNS.split(","))[1:]  # all but pk


def mapping_leaf(row: Mapping[str, Any]) -> bytes:
    """The leaf hash of an event given as a mapping of its columns (a row about to be queued)."""
    return columns_leaf((None, *(row[name] for name in _LEAF_COLUMNS)))


def columns_leaf(row: Sequence[Any]) -> bytes:
    """The leaf hash of a stored event row whose first 13 columns are in ``QUEUED_COLUMNS``
    order; see :func:`columns_leaves`."""
    return columns_leaves([row])[0]


def readable_leaves(rows: Sequence[Sequence[Any]]) -> list[bytes | None]:
    """:func:`columns_leaves`, with None for a row no event could have stored (a column of the
    wrong type: written by someone else), so that one such row cannot stop the caller."""
    try:
        return list(columns_leaves(rows))
    except Exception:  # noqa: BLE001 - whatever a planted value raises (types, ∞, objects)
        return [_leaf_or_none(row) for row in rows]


def _leaf_or_none(row: Sequence[Any]) -> bytes | None:
    try:
        return columns_leaves([row])[0]
    except Exception:  # noqa: BLE001 - see readable_leaves
        return None


def columns_leaves(rows: Sequence[Sequence[Any]]) -> list[bytes]:
    """The leaf hashes of stored event rows whose first 13 columns are in ``QUEUED_COLUMNS``
    order: SHA-256(0x00 ‖ RFC 8785 JSON of the event), built straight from the stored text —
    the same bytes :func:`checker.leaf_hash` makes from the event as the API returns it
    (``targets`` and ``fields`` are stored as canonical JSON lists by ``encode_list``). One
    comprehension with positional unpacking and one f-string per row, no call or look-up per
    column: sequencing and verify spend their time here."""
    return [
        sha256(
            f'\x00{{"action":{_quoted(action)},"actor":{_quoted(actor)},"at":{_quoted(at)},'
            f'"fields":{"null" if fields is None else fields},"id":{_quoted(id_)},'
            f'"outcome":{_quoted(outcome)},'
            f'"purpose":{"null" if purpose is None else _quoted(purpose)},'
            f'"request_id":{"null" if request_id is None else _quoted(request_id)},'
            f'"role":{_quoted(role)},'
            f'"source_ip":{"null" if source_ip is None else _quoted(source_ip)},'
            f'"status":{"null" if status is None else int(status)},"targets":{targets}}}'.encode()
        ).digest()
        for (
            _,
            id_,
            at,
            actor,
            role,
            action,
            targets,
            purpose,
            fields,
            outcome,
            status,
            request_id,
            source_ip,
            *_,
        ) in rows
    ]
