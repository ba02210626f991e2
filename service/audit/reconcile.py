"""The trail held against the service's access log: every request the log shows answered must
have its audit event in the database, in the tree or queued.

A queued event (not yet a leaf) is sealed by its writer, so no one can change it or insert one
of their own unnoticed, but deleting it in the second or so before the sequencer integrates it
leaves nothing in the database to miss it by. The access log names each request's event
(``aud_…``, see :mod:`service.redaction.access_line`); kept by a log pipeline that the
database's writers cannot reach, it can vouch for the trail: an id the log names and the trail
lacks is an event that was deleted. (A request whose event could not be written — the
database was down — names none: its line ends in ``-``, and the service logs an error.)

Reconcile proves that each event is there; `verify` that each is genuine (sealed, in the signed
tree). An attacker who replaces a deleted event with a row of their own under the same id
passes reconcile until the sequencer refuses the row (then reconcile fails too) and fails
`verify` at once: run both.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import Connection, func, select

from service.audit.models import AuditEvent
from service.redaction.access_line import ACCESS_LOGGER, NONE, AccessLine, parse_access_line

BATCH = 1000
MAX_LISTED = 100


@dataclass
class Reconciliation:
    """What the access lines read say of the trail."""

    requests: int = 0
    with_event: int = 0
    in_tree: int = 0
    queued: int = 0
    refused: int = 0  # present, but refused by the sequencer: `audit verify` says why
    missing: int = 0
    missing_lines: list[AccessLine] = field(default_factory=list)  # the first MAX_LISTED
    without_event: Counter[str] = field(default_factory=Counter)  # `METHOD route` → requests
    unreadable: int = 0  # entries of the access logger that are no access line of this shape
    # The further events some requests wrote under their request id (`aud_…+N`: a bulk
    # pause's one per subscription), counted per request id; those of requests whose id the
    # line does not show cannot be told apart, and are only counted.
    more_events: int = 0
    more_missing: int = 0
    more_missing_by_request: dict[str, int] = field(default_factory=dict)  # the first MAX_LISTED
    more_unchecked: int = 0

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.refused == 0 and self.more_missing == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "requests": self.requests,
            "with_event": self.with_event,
            "in_tree": self.in_tree,
            "queued": self.queued,
            "refused": self.refused,
            "missing": self.missing,
            "missing_listed": [vars(line) for line in self.missing_lines],
            "without_event": dict(self.without_event),
            "unreadable": self.unreadable,
            "more_events": self.more_events,
            "more_missing": self.more_missing,
            "more_missing_by_request": self.more_missing_by_request,
            "more_unchecked": self.more_unchecked,
        }


UNREADABLE = AccessLine("", "", 0, NONE, "")


def access_lines(lines: Iterable[str]) -> Iterator[AccessLine]:
    """The access lines among log lines: the service's JSON entries of the access logger, or
    bare access lines (a pipeline that kept only the messages); other lines are skipped. An
    entry of the access logger that does not parse (an older release's line, a line the
    redactor replaced) yields :data:`UNREADABLE`, counted rather than dropped."""
    for raw in lines:
        text = raw.strip()
        from_access_logger = False
        if text.startswith("{"):
            try:
                entry = json.loads(text)
            except ValueError:
                continue
            if not isinstance(entry, dict) or entry.get("logger") != ACCESS_LOGGER:
                continue
            from_access_logger = True
            text = entry.get("message")
            if not isinstance(text, str):
                yield UNREADABLE
                continue
        parsed = parse_access_line(text)
        if parsed is not None:
            yield parsed
        elif from_access_logger:
            yield UNREADABLE


def reconcile(connection: Connection, lines: Iterable[AccessLine]) -> Reconciliation:
    """Look up the event of every access line, a batch of ids per statement; then count the
    events under each request id whose requests wrote more than their own."""
    result = Reconciliation()
    expected: Counter[str] = Counter()  # events under each shown request id, by the log
    own_uncounted: Counter[str] = Counter()  # own events missing or refused, reported already
    with_more: set[str] = set()
    iterator = iter(lines)
    while batch := list(islice(iterator, BATCH)):
        result.unreadable += sum(line is UNREADABLE for line in batch)
        batch = [line for line in batch if line is not UNREADABLE]
        result.requests += len(batch)
        named = [line for line in batch if line.event_id != NONE]
        for line in batch:
            if line.event_id == NONE:
                result.without_event[f"{line.method} {line.route}"] += 1
        if not named:
            continue
        result.with_event += len(named)
        rows = connection.execute(
            select(AuditEvent.id, AuditEvent.seq, AuditEvent.refused).where(
                AuditEvent.id.in_({line.event_id for line in named})
            )
        ).all()
        present = {row.id: row for row in rows}
        for line in named:
            result.more_events += line.more_events
            if line.request_id != NONE:
                expected[line.request_id] += 1 + line.more_events
                if line.more_events:
                    with_more.add(line.request_id)
            else:
                result.more_unchecked += line.more_events
            row = present.get(line.event_id)
            if row is None:
                result.missing += 1
                own_uncounted[line.request_id] += 1
                if len(result.missing_lines) < MAX_LISTED:
                    result.missing_lines.append(line)
            elif row.seq is not None:
                result.in_tree += 1
            elif row.refused is not None:
                result.refused += 1
                own_uncounted[line.request_id] += 1
            else:
                result.queued += 1
    _count_more_events(connection, result, expected, own_uncounted, sorted(with_more))
    return result


def _count_more_events(
    connection: Connection,
    result: Reconciliation,
    expected: Counter[str],
    own_uncounted: Counter[str],
    request_ids: list[str],
) -> None:
    """Events under each request id, refused ones left out, against what its lines say it
    wrote (its own events, checked one by one above, do not count twice)."""
    for start in range(0, len(request_ids), BATCH):
        chunk = request_ids[start : start + BATCH]
        found = dict(
            connection.execute(
                select(AuditEvent.request_id, func.count())
                .where(AuditEvent.request_id.in_(chunk), AuditEvent.refused.is_(None))
                .group_by(AuditEvent.request_id)
            ).all()
        )
        for request_id in chunk:
            short = expected[request_id] - own_uncounted[request_id] - found.get(request_id, 0)
            if short > 0:
                result.more_missing += short
                if len(result.more_missing_by_request) < MAX_LISTED:
                    result.more_missing_by_request[request_id] = short
