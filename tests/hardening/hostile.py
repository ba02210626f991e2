"""Hostile values and the bodies they are planted in, for every POST body the app publishes.

``TEMPLATES`` holds one valid body per known operation (keyed by action) so that each hostile
value meets the rest of a request that would otherwise pass; an operation that lands later
without a template gets a body built from its own request schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.hardening.support import Book

SQL_INJECTION = "' OR 1=1 --"
LDAP_INJECTION = "*)(uid=*"
LOG_INJECTION = 'ok\n{"level": "critical", "message": "forged"}\r\nforged-line'
NUL = "holly\x00day"
RTL_OVERRIDE = "holly\u202eyad"
CONFUSABLE = "\u0425\u043e\u04cf\u04cf\u0443 \u13a0\u0430\u0443"  # Cyrillic/Cherokee "Holly Day"
ZERO_WIDTH = "hol\u200bly\ufeff"
LONE_SURROGATE_JSON = '"\\ud800"'

HOSTILE_STRINGS: dict[str, str] = {
    "sql": SQL_INJECTION,
    "ldap": LDAP_INJECTION,
    "log": LOG_INJECTION,
    "nul": NUL,
    "rtl": RTL_OVERRIDE,
    "confusable": CONFUSABLE,
    "zero_width": ZERO_WIDTH,
    "huge": "A" * 200_000,
}

# A marker each hostile value carries, so that an echo of it can be found in any answer.
ECHO_MARKER = "zq7echo"


def marked(value: str) -> str:
    return value if len(value) > 1000 else f"{value}{ECHO_MARKER}"


def templates(book: Book) -> dict[str, dict[str, Any]]:
    t = book.tokens
    return {
        "customers:customer:create": {"name": "Holly Day", "email": "holly@example.com"},
        "customers:customer:search": {"email": "holly@example.com"},
        "subscriptions:subscription:create": {
            "customer": t["customer_id"],
            "plan": "gold",
            "amount": 3000,
            "currency": "usd",
            "interval": "month",
        },
        "subscriptions:subscription:cancel": {"at": "period_end"},
        "pauses:pause:create": {
            "start": "period_end",
            "days": 3,
            "resume_mode": "shift",
            "reason": "holiday",
        },
        "pauses:bulk:create": {
            "selector": {"plan": "gold"},
            "start": "period_end",
            "days": 3,
            "resume_mode": "shift",
            "dry_run": True,
        },
        "charges:charge:create": {
            "customer": t["customer_id"],
            "amount": 100,
            "currency": "usd",
            "description": "one-off",
        },
        "test:clock:move": {"now": "2030-01-01T00:00:00Z"},
        "inventory:breach:report": {
            "from": "2026-01-01T00:00:00Z",
            "to": "2026-02-01T00:00:00Z",
            "actors": ["admin"],
        },
        "redaction:text:redact": {"text": "call me"},
        "events:webhook_endpoint:create": {
            "url": "https://hooks.example.com/x",
            "events": ["charge.succeeded"],
        },
    }


def body_from_schema(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A minimal body satisfying the types of ``schema`` (required properties only)."""
    schema = _resolve(schema, spec)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [_resolve(s, spec) for s in schema[combinator]]
            usable = [s for s in options if s.get("type") != "null"] or options
            return body_from_schema(usable[0], spec)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {
            name: body_from_schema(props[name], spec)
            for name in schema.get("required", [])
            if name in props
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    return "x" * max(1, int(schema.get("minLength", 1)))


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def body_template(
    operation_schema: dict[str, Any], spec: dict[str, Any], action: str, book: Book
) -> dict[str, Any]:
    known = templates(book)
    if action in known:
        return known[action]
    content = operation_schema.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    built = body_from_schema(schema, spec)
    return built if isinstance(built, dict) else {}


def string_slots(body: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every string leaf of ``body`` (keys of objects and indexes of arrays)."""
    if isinstance(body, str):
        yield path
    elif isinstance(body, dict):
        for key, value in body.items():
            yield from string_slots(value, (*path, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from string_slots(value, (*path, index))


def replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    if isinstance(body, dict):
        return {**body, head: replaced(body[head], tuple(rest), value)}
    copy = list(body)
    copy[head] = replaced(copy[head], tuple(rest), value)
    return copy
