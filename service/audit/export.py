"""Streaming exports of the trail: JSON lines or CSV (targets space-separated).

An export covers the events sequenced when it starts, up to the latest tree head. The JSON-lines
form ends with ``{"sth": {…}, "proofs": "…"}``: that tree head and each exported event's
inclusion path (:func:`service.audit.checker.encode_paths`), so ``strongroom audit
check-export`` can prove every line is in the signed tree without the database."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy.orm import Session, sessionmaker

from service.audit.checker import encode_paths
from service.audit.proofs import StoredTree
from service.audit.queries import EVENT_FIELDS, EventFilter, event_view, iter_events
from service.audit.tree_heads import latest_head, sth_view


def export_jsonl(factory: sessionmaker[Session], filters: EventFilter) -> Iterator[bytes]:
    with factory() as session:
        head = latest_head(session)
        size = head.tree_size if head is not None else 0
        tree = StoredTree(session)
        paths = []
        for event in iter_events(session, filters, up_to_seq=size):
            paths.append(tree.inclusion_path(event.seq - 1, size))  # type: ignore[operator]
            yield (json.dumps(event_view(event), ensure_ascii=False) + "\n").encode()
        trailer = {
            "sth": sth_view(head) if head is not None else None,
            "proofs": encode_paths(paths),
        }
        yield (json.dumps(trailer) + "\n").encode()


def export_csv(factory: sessionmaker[Session], filters: EventFilter) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EVENT_FIELDS)
    with factory() as session:
        head = latest_head(session)
        size = head.tree_size if head is not None else 0
        for event in iter_events(session, filters, up_to_seq=size):
            view = event_view(event)
            view["targets"] = " ".join(view["targets"])
            view["fields"] = " ".join(view["fields"]) if view["fields"] is not None else ""
            writer.writerow(["" if view[f] is None else _csv_safe(view[f]) for f in EVENT_FIELDS])
            if buffer.tell() > 65536:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode()


def _csv_safe(value: object) -> object:
    # A cell starting with = + - @ is a formula to spreadsheet programs: neutralise it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
