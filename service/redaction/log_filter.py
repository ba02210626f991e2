"""A logging filter that redacts every part of a record before any handler sees it."""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterator
from typing import Any

from service.redaction.access_line import is_safe_access_record
from service.redaction.redactor import Redactor, get_redactor

REDACTION_FAILED = "[redaction failed]"

_guard = threading.local()

# A subscriber pause link's path holds its token, the link's only credential: whatever logs a
# request line (uvicorn's access log above all) keeps the path's shape, never the token.
PAUSE_LINK_PATH = re.compile(r"(/p/+)[^\s/?#\"'<>]+")
PAUSE_LINK_REPLACEMENT = "<PAUSE_LINK_TOKEN>"


def without_link_tokens(text: str) -> str:
    return PAUSE_LINK_PATH.sub(r"\g<1>" + PAUSE_LINK_REPLACEMENT, text) if "/p/" in text else text


# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)


class RedactingFilter(logging.Filter):
    """Redacts a record in place: the formatted message, str extras, exception and stack text.

    Install it on handlers (or on the root logger's handlers) so that records propagated from
    any logger pass through it. It never raises: if redaction itself fails, every text part
    of the record is replaced by a fixed marker rather than let clear text through.
    """

    def __init__(self, redactor: Redactor | None = None, name: str = "") -> None:
        super().__init__(name)
        self._redactor = redactor
        self._local = threading.local()

    @property
    def redactor(self) -> Redactor:
        if self._redactor is None:
            self._redactor = get_redactor()
        return self._redactor

    def filter(self, record: logging.LogRecord) -> bool:
        # Records logged while a record is being redacted (by presidio or spaCy themselves)
        # would re-enter this filter and the redactor's lock: they are dropped instead.
        if getattr(_guard, "active", False):
            return False
        if is_safe_access_record(record):
            # Method, route template, status, duration and a safe-shaped id: nothing the
            # detector could find (service/redaction/access_line.py). Any other part: redacted.
            return True
        _guard.active = True
        try:
            self._redact(record)
        except Exception:  # noqa: BLE001 - a log call must never fail, nor leak on failure
            _blank(record)
        finally:
            _guard.active = False
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        # The exception object itself would let a formatter print clear text again.
        record.exc_info = None
        extras = sorted(key for key in vars(record) if key not in _STANDARD_ATTRIBUTES)
        texts = [record.getMessage(), record.exc_text or "", record.stack_info or ""]
        for key in extras:
            texts.extend(_strings_in(getattr(record, key)))
        texts = [without_link_tokens(text) for text in texts]
        redacted = iter(result.text for result in self.redactor.redact_many(texts))
        record.msg, record.args = next(redacted), ()
        exc_text, stack_info = next(redacted), next(redacted)
        record.exc_text = exc_text or None
        record.stack_info = stack_info or None
        for key in extras:
            setattr(record, key, _rebuilt(getattr(record, key), redacted))


def _strings_in(value: Any) -> Iterator[str]:
    """Every str in a value, looking inside dict values, lists and tuples, in a fixed order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings_in(item)


def _rebuilt(value: Any, replacements: Iterator[str]) -> Any:
    """`value` with its strs, in `_strings_in` order, taken from `replacements`."""
    if isinstance(value, str):
        return next(replacements)
    if isinstance(value, dict):
        return {key: _rebuilt(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [_rebuilt(item, replacements) for item in value]
    if isinstance(value, tuple):
        return tuple(_rebuilt(item, replacements) for item in value)
    return value


def _blank(record: logging.LogRecord) -> None:
    record.msg = REDACTION_FAILED
    record.args = ()
    record.exc_info = None
    record.exc_text = None
    record.stack_info = None
    for key in list(vars(record)):
        if key not in _STANDARD_ATTRIBUTES:
            setattr(record, key, REDACTION_FAILED)
