"""Streaming exports of the trail: JSON lines or CSV (targets space-separated)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy.orm import Session, sessionmaker

from service.audit.queries import EVENT_FIELDS, EventFilter, event_view, iter_events


def export_jsonl(factory: sessionmaker[Session], filters: EventFilter) -> Iterator[bytes]:
    with factory() as session:
        for event in iter_events(session, filters):
            yield (json.dumps(event_view(event), ensure_ascii=False) + "\n").encode()


def export_csv(factory: sessionmaker[Session], filters: EventFilter) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EVENT_FIELDS)
    with factory() as session:
        for event in iter_events(session, filters):
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
