"""Locating `key=value` pairs and JSON string fields of a log line, with their offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

_JSON_STRING_FIELD = re.compile(r'"([A-Za-z_][\w.-]{0,63})"\s*:\s*"((?:[^"\\]|\\.)*)"')
_KEY_VALUE = re.compile(
    r"(?<![\w.-])([A-Za-z_][\w.-]{0,63})=(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([^\s,;&\"']+))"
)


@dataclass(frozen=True)
class Field:
    """A value whose key says what it holds; `start`/`end` delimit the value without quotes."""

    key: str
    start: int
    end: int
    quoted: bool


def normalise_key(key: str) -> str:
    """`customer.billing-Name` → `billing_name`: the last path part, lower case, underscores."""
    return key.rsplit(".", 1)[-1].lower().replace("-", "_")


def find_fields(text: str) -> list[Field]:
    """Every JSON string field and key=value pair in `text`, cheapest check first."""
    fields: list[Field] = []
    if '":' in text or '" :' in text:
        for match in _JSON_STRING_FIELD.finditer(text):
            key = normalise_key(match.group(1))
            fields.append(Field(key, match.start(2), match.end(2), quoted=True))
    if "=" in text:
        for match in _KEY_VALUE.finditer(text):
            group = next(g for g in (2, 3, 4) if match.group(g) is not None)
            key = normalise_key(match.group(1))
            fields.append(Field(key, match.start(group), match.end(group), quoted=group != 4))
    return fields
