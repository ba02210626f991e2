"""The service's access line, made only of values whose shape cannot hold personal data.

One line per HTTP request, on the logger ``strongroom.access``, written by
:class:`service.app.access_log.AccessLogMiddleware` (uvicorn's own access log, whose line holds
the client's address and the raw path and query, is off):

    ``GET /v1/customers/{customer_id} 200 3.1ms req_4f1c… aud_9b07…``

method, route template (the route's declared path, never the path the client sent; ``-`` when
no route matched), status, duration, request id (``-`` unless it has a safe shape) and the id
of the request's audit event (``-`` when it wrote none). The event id lets a log kept outside
the database vouch for the trail: ``strongroom audit reconcile`` finds every logged request's
event, so one deleted before it was sequenced is found missing.
:func:`is_safe_access_record` holds every part of a record to its shape; the redacting filter
lets a record that passes through as it is (the detector would find nothing in it:
``tests/redaction/test_access_line.py`` checks that on every route the app declares) and
redacts any other record, an access record with an unexpected part included, in full.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

ACCESS_LOGGER = "strongroom.access"
ACCESS_FORMAT = "%s %s %d %.1fms %s %s"

SAFE_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
NONE = "-"  # no route matched; no request id to show
# A declared route path: literal lowercase segments and {parameter} names.
_ROUTE_TEMPLATE = re.compile(r"^(?:/(?:[a-z0-9_.-]+|\{[a-z_][a-z0-9_]*(?::path)?\}))*/?$")
# The service's own request ids (``req_`` + 24 hex), a UUID or a bare hex string of 16 to 64
# digits. Other ids a caller may choose (``[A-Za-z0-9._:-]{1,128}``, see request_id.py) could
# spell a name the detector does not see as one (``Hodan.Warsame``, ``amberbaker_0123…``: a
# free letter prefix was allowed until a review showed that): the line shows ``-`` instead
# (the id is still in the response header and the request's audit event).
# None of them may hold twelve digits in a row: a caller could send a card number as its id
# (`4111111111111111` is bare hex; review finding), and the line skips the detector. The
# service's own ids never hold such a run (request_id.py draws again).
_LONG_NUMBER = r"\d{12}"
_SAFE_REQUEST_ID = re.compile(
    rf"^(?!.*{_LONG_NUMBER})(?:req_[0-9a-f]{{24}}|[0-9a-f]{{16,64}}"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
_HOLDS_A_LONG_NUMBER = re.compile(_LONG_NUMBER)


def holds_a_long_number(text: str) -> bool:
    """Twelve digits in a row: what a card number needs, and what no shown id may hold."""
    return _HOLDS_A_LONG_NUMBER.search(text) is not None


# The service's audit event ids (``recorder.new_event_id``), and after a ``+`` how many more
# events the request wrote under its request id (a bulk pause's one per subscription), below
# MORE_EVENTS_LIMIT.
_EVENT_ID_PART = r"aud_[0-9a-f]{24}"
_MORE_EVENTS_PART = r"[1-9]\d{0,6}"
MORE_EVENTS_LIMIT = 10**7
_EVENT_ID = re.compile(rf"^{_EVENT_ID_PART}(?:\+{_MORE_EVENTS_PART})?$")
# The keys under which the scope's state holds the id of the request's audit event and the
# number of its further events.
EVENT_ID_STATE = "audit_event_id"
MORE_EVENTS_STATE = "audit_more_events"
# An access line as formatted (the message of a JSON log entry, or a bare line).
_ACCESS_LINE = re.compile(
    r"^(?P<method>[A-Z]+) (?P<route>\S+) (?P<status>\d{3}) (?P<duration>\d+(?:\.\d+)?)ms "
    rf"(?P<request_id>\S+) (?P<event_id>{_EVENT_ID_PART}|-)"
    rf"(?:\+(?P<more>{_MORE_EVENTS_PART}))?$"
)


@dataclass(frozen=True)
class AccessLine:
    method: str
    route: str
    status: int
    request_id: str
    event_id: str
    more_events: int = 0  # further events the request wrote under its request id


def parse_access_line(message: str) -> AccessLine | None:
    """The parts of an access line, or None for any other text."""
    match = _ACCESS_LINE.match(message)
    if match is None:
        return None
    return AccessLine(
        match["method"],
        match["route"],
        int(match["status"]),
        match["request_id"],
        match["event_id"],
        int(match["more"] or 0),
    )


def event_id_label(event_id: object, more_events: object = 0) -> str:
    """The audit event id if it has the service's shape (``+N`` after it when the request
    wrote N more events), else ``-``."""
    if not isinstance(event_id, str):
        return NONE
    more = (
        more_events if isinstance(more_events, int) and 0 < more_events < MORE_EVENTS_LIMIT else 0
    )
    label = f"{event_id}+{more}" if more else event_id
    return label if _EVENT_ID.match(label) else NONE


def request_id_label(request_id: object) -> str:
    """The request id if it has a safe shape, else ``-``."""
    if isinstance(request_id, str) and _SAFE_REQUEST_ID.match(request_id):
        return request_id
    return NONE


def route_label(route: object) -> str:
    """The declared path of the route that answered, or ``-``."""
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else NONE


def is_safe_access_record(record: logging.LogRecord) -> bool:
    """True only for an access record every part of which has its safe shape, and nothing
    else on it (no exception, stack or extra attribute)."""
    if record.name != ACCESS_LOGGER or record.msg is not ACCESS_FORMAT:
        return False
    if record.exc_info or record.exc_text or record.stack_info:
        return False
    args = record.args
    if not isinstance(args, tuple) or len(args) != 6:
        return False
    method, route, status, duration, request_id, event_id = args
    return (
        type(method) is str
        and method in SAFE_METHODS
        and type(route) is str
        and (route == NONE or _ROUTE_TEMPLATE.match(route) is not None)
        and type(status) is int
        and 100 <= status <= 599
        and type(duration) is float
        and type(request_id) is str
        and (request_id == NONE or _SAFE_REQUEST_ID.match(request_id) is not None)
        and type(event_id) is str
        and (event_id == NONE or _EVENT_ID.match(event_id) is not None)
        and _no_extras(record)
    )


_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)


def _no_extras(record: logging.LogRecord) -> bool:
    return all(key in _STANDARD_ATTRIBUTES for key in vars(record))
