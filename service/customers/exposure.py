"""What a response returns of a customer's data, as the audit records it.

Every response that returns a customer's data names that customer's token in its event's
``targets`` and the categories returned (``contact.email``, ``customer.metadata``, …) in its
``fields``, so the breach and subject reports can count every read, not only reveals. A reveal
keeps its own ``fields`` (the revealed field names); the reports map both to categories.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from service.audit.recorder import AuditRecord
from service.customers import sensitive

# The masked view's keys and the category each one shows (masked).
MASKED_CATEGORIES: dict[str, str] = {
    "name": sensitive.NAME.category,
    "email": sensitive.EMAIL.category,
    "phone": sensitive.PHONE.category,
    "address": sensitive.ADDRESS.category,
    "card": sensitive.CARD.category,
}
METADATA = sensitive.METADATA.category
FREE_TEXT = sensitive.METADATA.category
SEARCH = sensitive.EMAIL.category

KNOWN_CATEGORIES = frozenset(column.category for column in sensitive.SENSITIVE_COLUMNS)


def record_returned(
    record: AuditRecord, customers: Iterable[str | None], categories: Iterable[str] = ()
) -> None:
    """Name ``customers`` in the event and add ``categories`` to what it says was returned."""
    for customer in customers:
        if customer:
            record.add_target(customer)
    wanted = [category for category in categories if category]
    if not wanted:
        return
    fields = list(record.fields or [])
    for category in wanted:
        if category not in fields:
            fields.append(category)
    record.fields = fields


def customer_view_categories(view: dict[str, Any]) -> list[str]:
    """The categories a masked customer view holds."""
    found = [MASKED_CATEGORIES[key] for key in view.get("masked", {}) if key in MASKED_CATEGORIES]
    if view.get("metadata"):
        found.append(METADATA)
    return found


def categories_of_fields(fields: Iterable[str]) -> set[str]:
    """The categories an event's ``fields`` name: revealed field names or category names."""
    found: set[str] = set()
    for name in fields:
        if name in sensitive.REVEALABLE:
            found.add(sensitive.REVEALABLE[name].category)
        elif name in KNOWN_CATEGORIES:
            found.add(name)
    return found
