"""Streaming redaction: one output line per input line, in order, a batch at a time."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.redaction.redactor import Redactor
from service.redaction.stream import redact_files, redact_stream


def test_every_input_line_gives_exactly_one_output_line_in_order(redactor: Redactor) -> None:
    lines = [
        "card 4242424242424242\n",
        "\n",
        "   \n",
        "\t\n",
        "mail bo@example.com\r\n",
        "plain line\n",
        "last line without newline",
    ]
    out = io.StringIO()
    count = redact_stream(lines, out, redactor, batch_size=3)
    assert count == len(lines)
    assert out.getvalue().split("\n")[:-1] == [
        "card <CREDIT_CARD>4242",
        "",
        "   ",
        "\t",
        "mail <EMAIL_ADDRESS>",
        "plain line",
        "last line without newline",
    ]


def test_lines_of_a_live_source_are_written_without_waiting_for_a_batch_to_fill(
    redactor: Redactor,
) -> None:
    # A source like `tail -f`: three lines, then nothing until the reader has seen them
    # redacted. Batching by count alone would wait here for 253 more lines that never come.
    all_three_written = threading.Event()

    def live_source() -> Iterator[str]:
        for index in range(3):
            yield f"line {index} from 10.0.0.{index}\n"
        assert all_three_written.wait(timeout=60), "the three lines were held back"
        yield "later line from 10.0.0.9\n"

    class Reader(io.StringIO):
        def write(self, text: str) -> int:
            written = super().write(text)
            if self.getvalue().count("\n") == 3:
                all_three_written.set()
            return written

    out = Reader()
    assert redact_stream(live_source(), out, redactor, batch_size=256) == 4
    assert all_three_written.is_set()
    assert out.getvalue().count("<IP_ADDRESS>") == 4


def test_a_file_still_goes_through_in_full_batches(redactor: Redactor) -> None:
    sizes: list[int] = []
    original = redactor.redact_many

    def counting(texts, stream=None):  # type: ignore[no-untyped-def]
        sizes.append(len(texts))
        return original(texts, stream)

    redactor.redact_many = counting  # type: ignore[method-assign]
    try:
        out = io.StringIO()
        lines = [f"line {index}\n" for index in range(1000)]
        assert redact_stream(lines, out, redactor, batch_size=100) == 1000
    finally:
        del redactor.redact_many
    assert sum(sizes) == 1000
    assert max(sizes) == 100
    assert len(sizes) <= 12  # read ahead: nearly every batch full


def test_an_error_reading_the_source_reaches_the_caller_after_the_lines_before_it(
    redactor: Redactor,
) -> None:
    def failing_source() -> Iterator[str]:
        yield "mail bo@example.com\n"
        raise OSError("disk gone")

    out = io.StringIO()
    with pytest.raises(OSError, match="disk gone"):
        redact_stream(failing_source(), out, redactor)
    assert out.getvalue() == "mail <EMAIL_ADDRESS>\n"


def test_bytes_that_are_not_utf8_are_read_as_windows_1252_and_still_redacted(
    redactor: Redactor, tmp_path: Path
) -> None:
    path = tmp_path / "legacy.log"
    path.write_bytes(
        b"refund paid by Jos\xe9 Garc\xeda today\n"
        b"caf\xc3\xa9 \x93quoted\x94 \x81\n"
        b"progress 50%\rstill the same line\r\n"
    )
    out = io.StringIO()
    assert redact_files([path], out, redactor, progress=False) == 3
    assert out.getvalue() == (
        "refund paid by <PERSON> today\n"
        "caf\u00e9 \u201cquoted\u201d \x81\n"
        "progress 50%\rstill the same line\n"
    )


def test_empty_input_writes_nothing(redactor: Redactor) -> None:
    out = io.StringIO()
    assert redact_stream([], out, redactor) == 0
    assert out.getvalue() == ""


def test_files_are_redacted_one_after_the_other(redactor: Redactor, tmp_path: Path) -> None:
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("ssn 123-45-6789\n\nok\n", encoding="utf-8")
    second.write_text("ip 198.51.100.4\r\nname=Zhang Wei", encoding="utf-8")
    out = io.StringIO()
    assert redact_files([first, second], out, redactor, progress=False) == 5
    assert out.getvalue() == "ssn <US_SSN>\n\nok\nip <IP_ADDRESS>\nname=<PERSON>\n"


def test_progress_bar_goes_to_stderr_and_leaves_the_output_clean(
    redactor: Redactor, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "big.log"
    path.write_text("".join(f"line {i} mail u{i}@example.com\n" for i in range(600)))
    out = io.StringIO()
    assert redact_files([path], out, redactor, progress=True, batch_size=100) == 600
    assert out.getvalue().count("<EMAIL_ADDRESS>") == 600
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "big.log" in captured.err
