"""The field path a validation error names, without echoing what the caller submitted.

pydantic locates an error by the submitted keys: under a free-form map (``metadata``) those
keys are the caller's data (an email address as a key is enough). The path is walked against
the operation's body model: model fields and list indexes are named, a free-form map's key
becomes ``<key>``, and anything the model does not declare (an unknown field that is not a
plain identifier) becomes ``<unknown>``.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

FREE_FORM_KEY = "<key>"
UNDECLARED = "<unknown>"
LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def public_field_path(loc: Sequence[Any], body_model: Any = None) -> str:
    parts = list(loc)
    where = parts.pop(0) if parts and parts[0] in LOCATIONS else "body"
    if where != "body":  # query/path/header names are the operation's own declarations
        return ".".join([where, *(str(p) for p in parts)])
    named: list[str] = []
    current = body_model
    for part in parts:
        kind = _unwrap(current)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = _model_field(kind, part)
            if field is None:
                named.append(_undeclared(part))
                break
            named.append(str(part))
            current = field
        elif _is_mapping(kind):
            named.append(FREE_FORM_KEY)
            break
        elif _is_sequence(kind) and isinstance(part, int):
            named.append(str(part))
            current = _first_arg(kind)
        elif kind is None:  # no model to walk against: name only plain identifiers
            if not (isinstance(part, int) or _IDENTIFIER.match(str(part))):
                named.append(UNDECLARED)
                break
            named.append(str(part))
        else:  # a scalar's own sub-location (a union branch, "[key]"): pydantic's, not ours
            break
    return ".".join(named) or "body"


def _undeclared(part: Any) -> str:
    # A name the model does not declare is the caller's text (it may be personal data):
    # never echoed.
    return UNDECLARED


def _model_field(model: type[BaseModel], name: Any) -> Any:
    for field_name, field in model.model_fields.items():
        if name in (field_name, field.alias):
            return field.annotation
    return None


def _unwrap(annotation: Any) -> Any:
    """Annotated[X, …] → X; Optional/Union → its one non-None member (else left as is)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _is_mapping(kind: Any) -> bool:
    origin = typing.get_origin(kind) or kind
    return isinstance(origin, type) and issubclass(origin, Mapping)


def _is_sequence(kind: Any) -> bool:
    origin = typing.get_origin(kind) or kind
    return isinstance(origin, type) and origin in (list, tuple, set, frozenset)


def _first_arg(kind: Any) -> Any:
    args = typing.get_args(kind)
    return args[0] if args else None
