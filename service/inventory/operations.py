"""What is held, about whom, and who saw it — derived from the sensitive-column declarations.

Every figure comes from ``SENSITIVE_COLUMNS`` (the same declarations the vault encrypts by) and
from the audit trail; nothing here keeps a list of its own. A declared column may live in the
customers table or in any table whose ``customer`` column names the subject.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, Table, func, inspect, select
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.audit.chain import format_time
from service.audit.models import AuditEvent
from service.audit.queries import EventFilter, EventRow, iter_events
from service.core.db import all_tables
from service.core.errors import Gone, NotFound
from service.core.timeparse import format_api_time
from service.customers.exposure import categories_of_fields
from service.customers.models import CUSTOMER_ID_PREFIX, Customer
from service.customers.sensitive import SENSITIVE_COLUMNS, SensitiveColumn

AUDIT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
SUBSCRIPTIONS_TABLE = "subscriptions"
# In a table other than the customers table, the column naming the subject a row belongs to.
SUBJECT_COLUMN = "customer"


def _tables() -> dict[str, Table]:
    return all_tables()


def holdings(declared: SensitiveColumn) -> Select[Any]:
    """(subject token, Transit key version) of each live subject's non-null value of a declared
    column. The key version is the row's own when its table wraps its own data key."""
    tables = _tables()
    customers = tables[Customer.__tablename__]
    table = tables[declared.table]
    value = table.c[declared.column]
    if table is customers:
        return select(customers.c.id, customers.c.key_version).where(
            value.is_not(None), customers.c.erased_at.is_(None)
        )
    version = table.c.key_version if "key_version" in table.c else customers.c.key_version
    if SUBJECT_COLUMN in table.c:
        subject = table.c[SUBJECT_COLUMN]
        return (
            select(subject, version)
            .join(customers, customers.c.id == subject)
            .where(value.is_not(None), customers.c.erased_at.is_(None))
        )
    # A table whose rows belong to a subscription (pauses): the subject is its customer.
    subscriptions = tables[SUBSCRIPTIONS_TABLE]
    return (
        select(subscriptions.c[SUBJECT_COLUMN], version)
        .select_from(table)
        .join(subscriptions, subscriptions.c.id == table.c.subscription)
        .join(customers, customers.c.id == subscriptions.c[SUBJECT_COLUMN])
        .where(value.is_not(None), customers.c.erased_at.is_(None))
    )


def audit_time(stored: str) -> datetime:
    return datetime.strptime(stored, AUDIT_TIME_FORMAT).replace(tzinfo=UTC)


# -- the inventory ------------------------------------------------------------------------------


def inventory(session: Session, key_name: str, now: datetime) -> dict[str, Any]:
    """Every category held: where, how many subjects and records, under which key versions."""
    categories = []
    for declared in SENSITIVE_COLUMNS:
        subject, version = holdings(declared).subquery().c
        rows = session.execute(
            select(version, func.count(), func.count(func.distinct(subject))).group_by(version)
        ).all()
        versions = {str(v): int(n) for v, n, _ in sorted(rows, key=_version_order) if v}
        categories.append(
            {
                "category": declared.category,
                "location": f"{declared.table}.{declared.column}",
                "description": declared.description,
                "subjects": sum(int(distinct) for _, _, distinct in rows),
                "records": sum(int(n) for _, n, _ in rows),
                "encrypted": True,
                "key": {"name": key_name, "versions": versions},
            }
        )
    return {"categories": categories, "generated_at": format_api_time(now)}


def _version_order(row: Sequence[Any]) -> int:
    return int(row[0] or 0)


# -- one subject (GDPR Art. 15) -----------------------------------------------------------------


def held_categories(session: Session, token: str) -> list[str]:
    categories: list[str] = []
    for declared in SENSITIVE_COLUMNS:
        subject, _ = holdings(declared).subquery().c
        found = session.execute(select(subject).where(subject == token).limit(1)).first()
        if found is not None and declared.category not in categories:
            categories.append(declared.category)
    return categories


def subject_report(session: Session, token: str) -> dict[str, Any]:
    customer = session.get(Customer, token)
    if customer is None:
        raise NotFound("No such customer.")
    if customer.erased:
        raise Gone("This customer has been erased.")
    events = list(iter_events(session, EventFilter(target=token)))
    reads: dict[str, int] = {}
    for event in events:
        if event.outcome != "allowed":
            continue
        for category in _categories_of(event):
            reads[category] = reads.get(category, 0) + 1
    return {
        "customer": customer.id,
        "created_at": format_api_time(customer.created_at),
        "categories": held_categories(session, token),
        "subscriptions": subscriptions_of(session, token),
        "accesses": [access_view(event) for event in events],
        "reads_by_category": _in_category_order(reads),
    }


def access_view(event: AuditEvent | EventRow) -> dict[str, Any]:
    return {
        "at": format_api_time(audit_time(event.at)),
        "actor": event.actor,
        "action": event.action,
        "outcome": event.outcome,
        "fields": json.loads(event.fields) if event.fields is not None else None,
        "purpose": event.purpose,
    }


def _categories_of(event: AuditEvent | EventRow) -> list[str]:
    """The categories of customer data an event's response returned, in declaration order."""
    names = json.loads(event.fields) if event.fields else []
    return list(_in_category_order(dict.fromkeys(categories_of_fields(names), 0)))


def _in_category_order(counts: dict[str, int]) -> dict[str, int]:
    order = {d.category: i for i, d in enumerate(SENSITIVE_COLUMNS)}
    return {c: counts[c] for c in sorted(counts, key=lambda c: order.get(c, len(order)))}


def subscriptions_of(session: Session, token: str) -> list[str]:
    """The customer's subscription tokens, read by table name (no import of that domain)."""
    table = _existing_table(session, SUBSCRIPTIONS_TABLE)
    if table is None or "customer" not in table.c or "id" not in table.c:
        return []
    query = select(table.c.id).where(table.c.customer == token)
    if "created_at" in table.c:
        query = query.order_by(table.c.created_at, table.c.id)
    return [str(row[0]) for row in session.execute(query)]


def _existing_table(session: Session, name: str) -> Table | None:
    table = _tables().get(name)
    if table is None or not inspect(session.connection()).has_table(name):
        return None
    return table


# -- breach report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreachQuery:
    start: datetime
    end: datetime
    actors: Sequence[str] | None = None
    key_versions: Sequence[int] | None = None


def breach_report(session: Session, query: BreachQuery) -> dict[str, Any]:
    """Subjects whose data any response returned to the actors in [start, end) — reveals,
    reads, lists and searches alike — plus every live subject whose data key is wrapped under
    one of the key versions; the categories each exposed, how often each category was read,
    and how the email search (a membership oracle) was used."""
    exposed: dict[str, set[str]] = defaultdict(set)
    reads_by_category: dict[str, int] = {d.category: 0 for d in SENSITIVE_COLUMNS}
    accesses: list[dict[str, Any]] = []
    reveals = 0
    for event in _reads(session, query):
        categories = _categories_of(event)
        customers = [t for t in json.loads(event.targets) if t.startswith(CUSTOMER_ID_PREFIX)]
        if not categories or not customers:
            continue
        for customer in customers:
            exposed[customer].update(categories)
            for category in categories:
                reads_by_category[category] += 1
        reveals += event.action == Action.CUSTOMER_REVEAL.value
        accesses.append({**access_view(event), "customers": customers, "categories": categories})
    if query.key_versions:
        for token, category in _held_under_versions(session, query.key_versions):
            exposed[token].add(category)

    by_category = {
        d.category: sum(1 for held in exposed.values() if d.category in held)
        for d in SENSITIVE_COLUMNS
    }
    order = {d.category: i for i, d in enumerate(SENSITIVE_COLUMNS)}
    return {
        "subjects": [
            {"customer": token, "categories": sorted(exposed[token], key=order.__getitem__)}
            for token in sorted(exposed)
        ],
        "counts": {
            "subjects": len(exposed),
            "by_category": by_category,
            "reads": len(accesses),
            "reveals": reveals,
            "reads_by_category": reads_by_category,
        },
        "accesses": accesses,
        "email_searches": _email_searches(session, query),
    }


def _in_window(statement: Select[Any], query: BreachQuery) -> Select[Any]:
    statement = statement.where(
        AuditEvent.at >= format_time(query.start), AuditEvent.at < format_time(query.end)
    )
    if query.actors is not None:
        statement = statement.where(AuditEvent.actor.in_(list(query.actors)))
    return statement


def _reads(session: Session, query: BreachQuery) -> Iterable[AuditEvent]:
    """Allowed events whose response returned categories of customer data (their ``fields``
    say which: revealed field names, or the categories a read, list or search returned)."""
    statement = select(AuditEvent).where(
        AuditEvent.outcome == "allowed", AuditEvent.fields.is_not(None)
    )
    return session.scalars(_in_window(statement, query).order_by(AuditEvent.at, AuditEvent.id))


def _email_searches(session: Session, query: BreachQuery) -> dict[str, Any]:
    """Every email search in the window, answered or not: how many, how many matched, how
    many the search limit refused, and by whom."""
    statement = select(AuditEvent.actor, AuditEvent.status, AuditEvent.targets).where(
        AuditEvent.action == Action.CUSTOMER_SEARCH.value
    )
    by_actor: dict[str, int] = {}
    matched = refused = 0
    for actor, status, targets in session.execute(_in_window(statement, query)):
        by_actor[actor] = by_actor.get(actor, 0) + 1
        matched += status == 200 and any(
            t.startswith(CUSTOMER_ID_PREFIX) for t in json.loads(targets or "[]")
        )
        refused += status == 429
    return {
        "count": sum(by_actor.values()),
        "matched": matched,
        "rate_limited": refused,
        "by_actor": dict(sorted(by_actor.items())),
    }


def _held_under_versions(session: Session, versions: Sequence[int]) -> Iterable[tuple[str, str]]:
    """(subject, category) for every live value held under one of these key versions."""
    for declared in SENSITIVE_COLUMNS:
        subject, version = holdings(declared).subquery().c
        query = select(subject).where(version.in_(list(versions))).distinct()
        for (token,) in session.execute(query):
            yield str(token), declared.category
