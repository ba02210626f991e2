"""RedactingFilter: nothing personal reaches a handler, whatever part of the record holds it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence

import pytest

from service.redaction.csv_rows import LineStream
from service.redaction.log_filter import REDACTION_FAILED, RedactingFilter
from service.redaction.models import Finding
from service.redaction.policy import RedactionPolicy
from service.redaction.redactor import Redactor

EMAIL = "canary.person@example.org"
CARD = "4242 4242 4242 4242"
NAME = "Hodan Warsame"
IP = "203.0.113.77"
CANARIES = (EMAIL, CARD, "4242424242424242", NAME, "Warsame", IP)


@pytest.fixture
def captured(redactor: Redactor) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter(redactor))
    logger = logging.getLogger(f"strongroom.test.redaction.{id(stream)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)


def _assert_no_canary(output: str) -> None:
    for canary in CANARIES:
        assert canary not in output


def test_message_arguments_are_redacted_after_formatting(captured) -> None:
    logger, stream = captured
    logger.info("receipt for %s paid with card %s from %s", EMAIL, CARD, IP)
    output = stream.getvalue()
    _assert_no_canary(output)
    assert output == (
        "INFO receipt for <EMAIL_ADDRESS> paid with card <CREDIT_CARD>4242 from <IP_ADDRESS>\n"
    )


def test_a_message_holding_an_undecodable_byte_is_redacted_not_blanked(captured) -> None:
    # Text decoded with `surrogateescape` (os.environ, file names, sys.argv) keeps a byte that
    # is not UTF-8 as a lone surrogate; spaCy cannot hash one. The record must still be
    # redacted, not replaced by the failure notice.
    logger, stream = captured
    logger.info("caf\udce9 Alice Smith from %s", IP)
    output = stream.getvalue()
    _assert_no_canary(output)
    assert REDACTION_FAILED not in output
    assert output == "INFO caf\udce9 <PERSON> from <IP_ADDRESS>\n"


def test_args_are_cleared_so_a_formatter_cannot_reformat_clear_values(redactor) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "mail %s", (EMAIL,), None)
    RedactingFilter(redactor).filter(record)
    assert record.args == ()
    assert record.msg == "mail <EMAIL_ADDRESS>"
    assert record.getMessage() == "mail <EMAIL_ADDRESS>"


def test_extra_attributes_are_redacted_including_inside_dicts_and_lists(captured) -> None:
    logger, stream = captured
    logger.handlers[0].setFormatter(
        logging.Formatter("%(message)s | %(customer_email)s | %(payload)s | %(attempts)s")
    )
    logger.warning(
        "charge failed",
        extra={
            "customer_email": EMAIL,
            "payload": {"card": CARD, "notes": [f"spoke with {NAME}", 3], "ok": True},
            "attempts": 2,
        },
    )
    output = stream.getvalue()
    _assert_no_canary(output)
    assert "<EMAIL_ADDRESS>" in output
    assert "'card': '<CREDIT_CARD>4242'" in output
    assert "| 2\n" in output


def test_exception_tracebacks_are_redacted(captured) -> None:
    logger, stream = captured
    try:
        raise ValueError(f"card {CARD} declined for {EMAIL}")
    except ValueError:
        logger.exception("payment for %s failed", NAME)
    output = stream.getvalue()
    _assert_no_canary(output)
    assert "Traceback (most recent call last)" in output
    assert "ValueError: card <CREDIT_CARD>4242 declined for <EMAIL_ADDRESS>" in output


def test_stack_info_is_redacted(redactor) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    record.stack_info = f'Stack (most recent call last):\n  File "x.py", line 1, in {EMAIL}'
    RedactingFilter(redactor).filter(record)
    assert EMAIL not in record.stack_info
    assert "<EMAIL_ADDRESS>" in record.stack_info


def test_uvicorn_style_access_log_lines_lose_the_client_address(captured) -> None:
    logger, stream = captured
    logger.info(
        '%s - "%s %s HTTP/%s" %d',
        f"{IP}:51234",
        "GET",
        "/v1/customers/cus_tok_x9Y8z7W6",
        "1.1",
        200,
    )
    output = stream.getvalue()
    _assert_no_canary(output)
    assert '<IP_ADDRESS>:51234 - "GET /v1/customers/cus_tok_x9Y8z7W6 HTTP/1.1" 200' in output


def test_lines_without_personal_data_pass_unchanged(captured) -> None:
    logger, stream = captured
    logger.info("pause %s started for %d subscriptions", "pau_Q1w2E3r4T5", 4000)
    assert stream.getvalue() == "INFO pause pau_Q1w2E3r4T5 started for 4000 subscriptions\n"


class _BrokenDetector:
    def detect_many(
        self, texts: Sequence[str], stream: LineStream | None = None
    ) -> list[list[Finding]]:
        raise RuntimeError("detector crashed")


def test_a_failing_redactor_blanks_the_record_instead_of_raising(policy: RedactionPolicy) -> None:
    failing = RedactingFilter(Redactor(policy, detector=_BrokenDetector()))
    try:
        raise KeyError(EMAIL)
    except KeyError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "mail %s", (EMAIL,), sys.exc_info()
        )
    record.customer = {"email": EMAIL}
    assert failing.filter(record) is True
    output = logging.Formatter("%(message)s %(customer)s").format(record)
    assert EMAIL not in output
    assert record.getMessage() == REDACTION_FAILED
    assert record.customer == REDACTION_FAILED


def test_debug_logging_of_presidio_itself_neither_recurses_nor_leaks(redactor) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger()
    presidio_logger = logging.getLogger("presidio-analyzer")
    previous = root.level, presidio_logger.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    presidio_logger.setLevel(logging.DEBUG)
    try:
        logging.getLogger("strongroom.test").info("declined card %s for %s", CARD, NAME)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous[0])
        presidio_logger.setLevel(previous[1])
    lines = stream.getvalue().splitlines()
    assert lines == ["declined card <CREDIT_CARD>4242 for <PERSON>"]
