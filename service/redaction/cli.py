"""``strongroom redact [FILE…]``: exactly one redacted line per input line, in order."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from service.redaction.redactor import get_redactor
from service.redaction.stream import redact_files, redact_stream


def redact(
    files: list[Path] = typer.Argument(
        None, exists=True, dir_okay=False, readable=True, help="Files to redact (default stdin)."
    ),
    progress: bool | None = typer.Option(
        None, "--progress/--no-progress", help="Progress bar (default: on a terminal)."
    ),
) -> None:
    """Redact personal data from log lines (stdin when no file is given) to stdout."""
    redactor = get_redactor(preload=False)
    if not files:
        redact_stream(sys.stdin, sys.stdout, redactor)
        return
    show = sys.stderr.isatty() if progress is None else progress
    redact_files(list(files), sys.stdout, redactor, progress=show)
