"""``strongroom redact [FILE…]``: exactly one redacted line per input line, in order."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import typer

from service.redaction.redactor import get_redactor
from service.redaction.stream import LEGACY_BYTES, redact_files, redact_stream

STDIN = Path("-")


def _read_stdin_as_files_are_read() -> None:
    """UTF-8 whatever the locale, a byte that is not UTF-8 read as Windows-1252 instead of
    ending the run, and only "\\n" ending a line: a carriage return inside a line must not
    split it in two."""
    for stream in (sys.stdin, sys.stdout):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=LEGACY_BYTES, newline="\n")


def _check(files: list[Path]) -> None:
    # Typer's own `exists=True` check would refuse "-" even with `allow_dash` (typer 0.29).
    if len(files) > 1 and STDIN in files:
        raise typer.BadParameter("'-' (stdin) cannot be mixed with files.", param_hint="files")
    for path in files:
        if path != STDIN and not path.is_file():
            problem = "is a directory" if path.is_dir() else "does not exist"
            raise typer.BadParameter(f"'{path}' {problem}.", param_hint="files")
        if path != STDIN and not os.access(path, os.R_OK):
            raise typer.BadParameter(f"'{path}' is not readable.", param_hint="files")


def redact(
    files: list[Path] = typer.Argument(
        None, help="Files to redact (default, or -: stdin).", show_default=False
    ),
    progress: bool | None = typer.Option(
        None, "--progress/--no-progress", help="Progress bar (default: on a terminal)."
    ),
) -> None:
    """Redact personal data from log lines (stdin when no file is given) to stdout."""
    redactor = get_redactor(preload=False)
    _check(files or [])
    if not files or files == [STDIN]:
        _read_stdin_as_files_are_read()
        redact_stream(sys.stdin, sys.stdout, redactor)
        return
    show = sys.stderr.isatty() if progress is None else progress
    redact_files(list(files), sys.stdout, redactor, progress=show)
