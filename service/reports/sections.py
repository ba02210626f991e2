"""``key_versions``, ``records`` and ``retention`` sections."""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, inspect, literal_column, select
from sqlalchemy.orm import Session

from service.audit.chain import format_time
from service.audit.models import AuditEvent
from service.core.db import all_tables
from service.keys import keystore
from service.keys.port import KeyService
from service.reports.model import Cell, SectionResult, Table
from service.reports.spec import KeyVersionsSection, RecordsSection, RetentionSection

# -- key versions -------------------------------------------------------------------------------


def run_key_versions_section(
    session: Session, section: KeyVersionsSection, key_service: KeyService
) -> SectionResult:
    status = key_service.key_status()
    counts = keystore.count_by_key_version(session)
    rows: list[list[Cell]] = []
    retired_in_use = 0
    for version in sorted(set(status.versions) | set(counts)):
        held = counts.get(version, 0)
        if version < status.min_decryption_version:
            state = "retired"
            retired_in_use += 1 if held else 0
        elif version == status.latest_version:
            state = "latest"
        else:
            state = "decrypt only"
        rows.append([version, state, held, bool(held) and state == "retired"])
    result = SectionResult(
        id=section.id,
        title=section.title,
        description=section.description,
        figures={
            "key": status.name,
            "latest version": status.latest_version,
            "minimum decryption version": status.min_decryption_version,
            "data keys": sum(counts.values()),
            "retired versions still in use": retired_in_use,
        },
        table=Table(columns=["version", "state", "data keys", "retired but in use"], rows=rows),
    )
    if retired_in_use:
        result.note = (
            "data keys are still wrapped under a retired version: they cannot be unwrapped "
            "until rewrapped (strongroom keys rotate)"
        )
    return result


# -- records of other domains -------------------------------------------------------------------


def run_records_section(
    session: Session, section: RecordsSection, start: datetime, end: datetime
) -> SectionResult:
    result = SectionResult(
        id=section.id,
        title=section.title,
        description=section.description,
        figures={"records": 0},
        table=Table(columns=[*section.group_by, "records", *_sum_columns(section)]),
    )
    if section.sum:
        result.figures[f"total {section.sum}"] = 0
    table = all_tables().get(section.table)
    if table is None or not inspect(session.connection()).has_table(section.table):
        result.note = f"no {section.table!r} table in this installation yet"
        return result
    wanted = [section.time_column, *section.group_by, *([section.sum] if section.sum else [])]
    missing = [name for name in wanted if name not in table.c]
    if missing:
        result.note = f"the {section.table!r} table has no column " + ", ".join(missing)
        return result

    groups = [table.c[name] for name in section.group_by]
    measures: list[Any] = [func.count()]
    if section.sum:
        measures.append(func.coalesce(func.sum(table.c[section.sum]), 0))
    time_column = table.c[section.time_column]
    query = (
        select(*groups, *measures)
        .where(time_column >= start, time_column < end)
        .group_by(*groups)
        .order_by(func.count().desc(), *groups)
    )
    rows = [[_cell(value) for value in row] for row in session.execute(query)]
    result.table.rows = rows
    count_index = len(groups)
    result.figures["records"] = sum(int(row[count_index] or 0) for row in rows)
    if section.sum:
        result.figures[f"total {section.sum}"] = sum(int(row[-1] or 0) for row in rows)
    return result


def _sum_columns(section: RecordsSection) -> list[str]:
    return [f"total {section.sum}"] if section.sum else []


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Decimal):  # PostgreSQL's SUM of a bigint
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


# -- retention ----------------------------------------------------------------------------------


def months_before(when: datetime, months: int) -> datetime:
    """The same instant ``months`` calendar months earlier, clamped to the month's last day."""
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def run_retention_section(
    session: Session, section: RetentionSection, now: datetime
) -> SectionResult:
    retain_from = format_time(months_before(now, section.retention_months))
    queryable_from = format_time(months_before(now, section.queryable_months))
    by_month: Counter[str] = Counter()
    # Literal positions, so the selected and grouped expressions are the same SQL text.
    month_of = func.substr(AuditEvent.at, literal_column("1"), literal_column("7"))
    for month, count in session.execute(select(month_of, func.count()).group_by(month_of)):
        by_month[str(month)] = int(count)
    oldest = session.execute(select(func.min(AuditEvent.at))).scalar_one_or_none()
    first_seq = session.execute(select(func.min(AuditEvent.seq))).scalar_one_or_none()
    beyond = _count_between(session, None, retain_from)
    queryable = _count_between(session, queryable_from, None)
    # The last months are all there when nothing was ever purged (the chain starts at 1) or
    # when the oldest event kept is older than the queryable window's start.
    complete = first_seq in (None, 1) or (oldest is not None and oldest <= queryable_from)
    rows: list[list[Cell]] = []
    for month in sorted(by_month):
        if month < retain_from[:7]:
            state = "beyond retention"
        elif month >= queryable_from[:7]:
            state = "immediately queryable"
        else:
            state = "retained"
        rows.append([month, by_month[month], state])
    result = SectionResult(
        id=section.id,
        title=section.title,
        description=section.description,
        figures={
            "retention (months)": section.retention_months,
            "immediately queryable (months)": section.queryable_months,
            "events in the trail": sum(by_month.values()),
            "events beyond retention": beyond,
            "events immediately queryable": queryable,
            "oldest event": oldest,
            "queryable window complete": complete,
        },
        table=Table(columns=["month", "events", "state"], rows=rows),
    )
    if beyond:
        result.note = (
            f"{beyond} events are older than the {section.retention_months}-month retention "
            "policy: export them (strongroom audit export) before archiving"
        )
    return result


def _count_between(session: Session, start: str | None, end: str | None) -> int:
    query = select(func.count()).select_from(AuditEvent)
    if start is not None:
        query = query.where(AuditEvent.at >= start)
    if end is not None:
        query = query.where(AuditEvent.at < end)
    return int(session.execute(query).scalar_one())
