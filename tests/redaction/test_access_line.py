"""The access line skips the detector only when every part has its safe shape, and then the
detector would have found nothing in it anyway; any other access record is redacted in full."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import pytest
from fastapi import FastAPI

from service.app import wiring
from service.redaction.access_line import (
    ACCESS_FORMAT,
    ACCESS_LOGGER,
    SAFE_METHODS,
    is_safe_access_record,
    route_label,
)
from service.redaction.csv_rows import LineStream
from service.redaction.log_filter import RedactingFilter
from service.redaction.models import Finding
from service.redaction.redactor import Redactor

SAFE_IDS = (
    "req_0123456789abcdef01234567",
    "7d9f3a52-1c4b-4e8a-9b6d-2f0e1a3c5b7d",
    "0123456789abcdef",
)
EVENT_ID = "aud_0123456789abcdef01234567"


class CountingDetector:
    """The real detector, counting the texts it is given (a spy: it detects as it would)."""

    def __init__(self, inner: Redactor) -> None:
        self.inner = inner.detector
        self.texts: list[str] = []

    def detect_many(
        self, texts: Sequence[str], stream: LineStream | None = None
    ) -> list[list[Finding]]:
        self.texts.extend(texts)
        return self.inner.detect_many(texts, stream)


def access_record(*args: object, msg: str = ACCESS_FORMAT) -> logging.LogRecord:
    return logging.LogRecord(ACCESS_LOGGER, logging.INFO, __file__, 1, msg, args, None)


def declared_routes() -> list[str]:
    """The path of every route a request can be answered by (FastAPI keeps the included
    routers' routes inside them, and those are what the request's scope names)."""
    wiring.wire()
    app = FastAPI()
    wiring.include_routes(app)
    found: set[str] = set()
    pending: list[object] = [*app.routes, *wiring.ROUTERS]
    while pending:
        route = pending.pop()
        if getattr(route, "path", None):
            found.add(route_label(route))
        pending.extend(getattr(route, "routes", []))
        if getattr(route, "original_router", None) is not None:  # FastAPI's included router
            pending.append(route.original_router)  # type: ignore[attr-defined]
    return sorted(found)


def test_every_declared_route_makes_a_safe_line_the_detector_leaves_unchanged(
    redactor: Redactor,
) -> None:
    """Letting these lines through is no weaker than redacting them: on every route template
    the app declares, every method, status class and id shape, the redactor keeps the line
    as it is."""
    routes = declared_routes()
    assert "/v1/customers/{customer_id}" in routes and len(routes) > 60
    lines = []
    for n, route in enumerate([*routes, "-"]):
        for method in sorted(SAFE_METHODS):
            args = (
                method,
                route,
                (200, 201, 404, 429, 503)[n % 5],
                12.3 + n,
                SAFE_IDS[n % len(SAFE_IDS)],
                (EVENT_ID, "-", EVENT_ID + "+57")[n % 3],
            )
            record = access_record(*args)
            assert is_safe_access_record(record), args
            lines.append(record.getMessage())
    redacted = redactor.redact_many(lines)
    changed = [(line, r.text) for line, r in zip(lines, redacted, strict=True) if r.text != line]
    assert changed == []


def test_a_safe_access_line_passes_the_filter_without_reaching_the_detector(
    redactor: Redactor,
) -> None:
    spy = CountingDetector(redactor)
    record = access_record("GET", "/v1/customers/{customer_id}", 200, 3.1, SAFE_IDS[0], EVENT_ID)

    assert RedactingFilter(Redactor(redactor.policy, detector=spy)).filter(record)

    assert spy.texts == []
    assert record.getMessage() == (
        f"GET /v1/customers/{{customer_id}} 200 3.1ms {SAFE_IDS[0]} {EVENT_ID}"
    )


@pytest.mark.parametrize(
    ("args", "clear"),
    [
        (("GET", "/v1/customers/{customer_id}", 200, 3.1, "Hodan.Warsame", "-"), "Hodan.Warsame"),
        (("GET", "/v1/customers/hodan.warsame@example.org", 404, 1.0, SAFE_IDS[0], "-"), "hodan"),
        (("GET", "/v1/x?email=hodan.warsame@example.org", 404, 1.0, SAFE_IDS[0], "-"), "hodan"),
        (("WARSAME", "-", 405, 1.0, SAFE_IDS[0], "-"), "WARSAME"),
        (("GET", "-", "Hodan Warsame", 1.0, SAFE_IDS[0], "-"), "Hodan"),
        (("GET", "-", 200, 1.0, SAFE_IDS[0], "aud_hodan.warsame"), "hodan"),
    ],
)
def test_an_access_record_with_any_other_part_is_redacted_in_full(
    redactor: Redactor, args: tuple[object, ...], clear: str
) -> None:
    spy = CountingDetector(redactor)
    record = access_record(
        *args, msg="%s %s %s %.1fms %s %s" if isinstance(args[2], str) else ACCESS_FORMAT
    )

    assert not is_safe_access_record(record)
    RedactingFilter(Redactor(redactor.policy, detector=spy)).filter(record)

    assert spy.texts != []
    assert record.args == ()


def test_an_access_record_with_an_extra_or_an_exception_is_redacted(redactor: Redactor) -> None:
    with_extra = access_record("GET", "-", 200, 1.0, SAFE_IDS[0], "-")
    with_extra.email = "hodan.warsame@example.org"
    try:
        raise ValueError("Hodan Warsame")
    except ValueError:
        with_exception = access_record("GET", "-", 500, 1.0, SAFE_IDS[0], "-")
        with_exception.exc_info = sys.exc_info()
    same_shape_other_logger = logging.LogRecord(
        "strongroom.other",
        logging.INFO,
        __file__,
        1,
        ACCESS_FORMAT,
        ("GET", "-", 200, 1.0, "x", "-"),
        None,
    )

    for record in (with_extra, with_exception, same_shape_other_logger):
        assert not is_safe_access_record(record)
    RedactingFilter(redactor).filter(with_extra)
    RedactingFilter(redactor).filter(with_exception)
    assert with_extra.email == "<EMAIL_ADDRESS>"
    assert "Hodan Warsame" not in str(with_exception.exc_text)


@pytest.mark.parametrize(
    "chosen",
    ["amberbaker_0123456789abcdef", "okafor-0123456789abcdef", "hodanwarsame_0123456789abcdef"],
)
def test_a_caller_chosen_id_with_a_letter_prefix_is_not_shown(chosen: str) -> None:
    """Review finding: a free lowercase prefix let a caller put a run-together name into the
    line that skips the detector."""
    from service.redaction.access_line import request_id_label

    assert request_id_label(chosen) == "-"
    record = access_record("GET", "/v1/customers/{customer_id}", 200, 1.0, chosen, "-")
    assert not is_safe_access_record(record)


@pytest.mark.parametrize(
    "offered",
    [
        "4111111111111111",
        "5555555555554444abcdef",
        "req_411111111111111100000000",
        "41111111-1111-1111-1111-111111111111",
    ],
)
def test_an_id_holding_a_card_number_is_not_shown(offered: str) -> None:
    """Review finding: a caller sent a card number as its request id; bare hex let it through
    the line that skips the detector."""
    from service.redaction.access_line import request_id_label

    assert request_id_label(offered) == "-"
    record = access_record("GET", "/v1/customers/{customer_id}", 200, 1.0, offered, "-")
    assert not is_safe_access_record(record)


def test_every_shown_id_of_a_digit_heavy_kind_leaves_the_line_as_it_is(
    redactor: Redactor,
) -> None:
    """Ids of the allowed shapes drawn mostly from digits: whatever the label shows, the
    detector would have left unchanged (the line skips it)."""
    import random

    from service.app.request_id import choose_request_id
    from service.redaction.access_line import request_id_label

    rng = random.Random(20261206)

    def digits_mostly(n: int) -> str:
        return "".join(rng.choice("0123456789" * 6 + "abcdef") for _ in range(n))

    offered = []
    for _ in range(1500):
        offered += [
            "req_" + digits_mostly(24),
            digits_mostly(rng.randint(16, 40)),
            "-".join(digits_mostly(n) for n in (8, 4, 4, 4, 12)),
        ]
    shown = [label for label in map(request_id_label, offered) if label != "-"]
    assert len(shown) > 500  # the draw holds ids the label shows and ids it hides
    lines = [f"GET /v1/customers/{{customer_id}} 200 1.0ms {label} -" for label in shown]
    changed = [r.text for line, r in zip(lines, redactor.redact_many(lines)) if r.text != line]
    assert changed == []
    made = [choose_request_id(None) for _ in range(5000)]
    assert all(request_id_label(made_id) == made_id for made_id in made)
