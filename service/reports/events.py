"""``events`` sections: matching audit events counted by dimensions, charted and listed."""

from __future__ import annotations

import json
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.audit.chain import format_time
from service.audit.models import AuditEvent
from service.reports.model import Cell, Chart, SectionResult, Table
from service.reports.spec import Dimension, EventMatch, EventsSection

MAX_GROUPS = 500
MAX_CHART_DAYS = 400
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: str
    actor: str
    role: str
    action: str
    targets: list[str]
    purpose: str | None
    fields: list[str] | None
    outcome: str

    @property
    def day(self) -> str:
        return self.at[:10]


def matching_events(
    session: Session, where: EventMatch, start: datetime, end: datetime
) -> Iterator[EventRow]:
    query = select(
        AuditEvent.seq,
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.role,
        AuditEvent.action,
        AuditEvent.targets,
        AuditEvent.purpose,
        AuditEvent.fields,
        AuditEvent.outcome,
    ).where(AuditEvent.at >= format_time(start), AuditEvent.at < format_time(end))
    if where.actions or where.action_prefixes:
        query = query.where(
            or_(
                AuditEvent.action.in_(where.actions),
                *(
                    AuditEvent.action.startswith(prefix, autoescape=True)
                    for prefix in where.action_prefixes
                ),
            )
        )
    if where.outcomes:
        query = query.where(AuditEvent.outcome.in_(where.outcomes))
    if where.roles:
        query = query.where(AuditEvent.role.in_(where.roles))
    if where.actors:
        query = query.where(AuditEvent.actor.in_(where.actors))
    for row in session.execute(query.order_by(AuditEvent.seq).execution_options(yield_per=5000)):
        yield EventRow(
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            role=row.role,
            action=row.action,
            targets=json.loads(row.targets),
            purpose=row.purpose,
            fields=json.loads(row.fields) if row.fields is not None else None,
            outcome=row.outcome,
        )


def _values(event: EventRow, dimension: Dimension) -> list[str]:
    """The event's value(s) for a dimension; ``field`` and ``target`` may give several."""
    if dimension == "field":
        return event.fields or [NONE_LABEL]
    if dimension == "target":
        return event.targets or [NONE_LABEL]
    if dimension == "day":
        return [event.day]
    value: str | None = getattr(event, dimension)
    return [value if value else NONE_LABEL]


def _keys(event: EventRow, dimensions: list[Dimension]) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = [()]
    for dimension in dimensions:
        keys = [(*key, value) for key in keys for value in _values(event, dimension)]
    return keys


def run_events_section(
    session: Session, section: EventsSection, start: datetime, end: datetime
) -> SectionResult:
    counts: Counter[tuple[str, ...]] = Counter()
    targets_by_group: dict[tuple[str, ...], set[str]] = defaultdict(set)
    per_actor_day: dict[str, Counter[str]] = defaultdict(Counter)
    actors: set[str] = set()
    all_targets: set[str] = set()
    listed: deque[EventRow] = deque(maxlen=section.list_events or 1)
    total = 0
    for event in matching_events(session, section.where, start, end):
        total += 1
        actors.add(event.actor)
        all_targets.update(event.targets)
        for key in _keys(event, section.group_by):
            counts[key] += 1
            targets_by_group[key].update(event.targets)
        if section.chart == "daily":
            per_actor_day[event.actor][event.day] += 1
        if section.list_events:
            listed.append(event)

    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    table = Table(
        columns=[*section.group_by, "events", "distinct targets"],
        rows=[[*key, count, len(targets_by_group[key])] for key, count in ordered[:MAX_GROUPS]],
    )
    result = SectionResult(
        id=section.id,
        title=section.title,
        description=section.description,
        figures={"events": total, "actors": len(actors), "distinct targets": len(all_targets)},
        table=table,
    )
    if len(ordered) > MAX_GROUPS:
        result.note = f"showing the {MAX_GROUPS} largest of {len(ordered)} groups"
    if section.chart == "bars":
        result.chart = _bars(section, counts)
    elif section.chart == "daily":
        result.chart = _daily(section, per_actor_day)
    if section.list_events:
        result.events = _listing(list(listed))
    return result


def _bars(section: EventsSection, counts: Counter[tuple[str, ...]]) -> Chart:
    first: Counter[str] = Counter()
    for key, count in counts.items():
        first[key[0]] += count
    return Chart(
        kind="bars",
        title=f"{section.title}: events by {section.group_by[0]}",
        bars=sorted(first.items(), key=lambda item: (-item[1], item[0]))[:40],
    )


def _daily(section: EventsSection, per_actor_day: dict[str, Counter[str]]) -> Chart:
    days = sorted({day for counter in per_actor_day.values() for day in counter})
    if days:
        first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
        span = (last - first).days + 1
        if span <= MAX_CHART_DAYS:
            days = [(first + timedelta(days=i)).isoformat() for i in range(span)]
    return Chart(
        kind="daily",
        title=f"{section.title}: events per actor per day",
        days=days,
        series={actor: dict(counter) for actor, counter in sorted(per_actor_day.items())},
    )


def _listing(events: list[EventRow]) -> Table:
    rows: list[list[Cell]] = [
        [
            e.seq,
            e.at,
            e.actor,
            e.role,
            e.action,
            " ".join(e.targets),
            e.outcome,
            e.purpose,
            " ".join(e.fields) if e.fields else None,
        ]
        for e in events
    ]
    columns = ["seq", "at", "actor", "role", "action", "targets", "outcome", "purpose", "fields"]
    return Table(columns=columns, rows=rows)
