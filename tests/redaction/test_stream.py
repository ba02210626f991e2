"""Streaming redaction: one output line per input line, in order, a batch at a time."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

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


def test_output_starts_before_the_input_is_exhausted(redactor: Redactor) -> None:
    consumed = 0

    def source() -> Iterator[str]:
        nonlocal consumed
        for index in range(10):
            consumed += 1
            yield f"line {index} from 10.0.0.{index}\n"

    class Probe(io.StringIO):
        consumed_at_first_write: int | None = None

        def write(self, text: str) -> int:
            if self.consumed_at_first_write is None:
                self.consumed_at_first_write = consumed
            return super().write(text)

    out = Probe()
    assert redact_stream(source(), out, redactor, batch_size=2) == 10
    assert out.consumed_at_first_write == 2
    assert out.getvalue().count("<IP_ADDRESS>") == 10


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
