"""Streaming redaction of line-oriented input: what `strongroom redact` runs."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from service.redaction.csv_rows import LineStream
from service.redaction.redactor import Redactor

if TYPE_CHECKING:
    from rich.progress import Progress


def _batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _split_newline(line: str) -> tuple[str, str]:
    if line.endswith("\r\n"):
        return line[:-2], "\r\n"
    if line.endswith("\n"):
        return line[:-1], "\n"
    return line, ""


def redact_stream(
    lines: Iterable[str], out: TextIO, redactor: Redactor, batch_size: int = 256
) -> int:
    """Writes one redacted line per input line, in order, a batch at a time; returns the count.

    Input lines may keep their line ending (as read from a file) or not; every output line
    ends with exactly one newline, so output and input line numbers always correspond.
    """
    count = 0
    stream = LineStream()
    for batch in _batches(lines, batch_size):
        bodies = [_split_newline(line)[0] for line in batch]
        for result in redactor.redact_many(bodies, stream):
            out.write(result.text)
            out.write("\n")
        out.flush()
        count += len(batch)
    return count


def _tracked(handle: TextIO, progress: Progress | None, task: int | None) -> Iterator[str]:
    for line in handle:
        if progress is not None and task is not None:
            progress.advance(task, len(line.encode("utf-8", "replace")))
        yield line


def redact_files(
    paths: list[Path], out: TextIO, redactor: Redactor, progress: bool, batch_size: int = 256
) -> int:
    """Redacts files one after the other into `out`; a progress bar on stderr when asked."""
    total = 0
    if progress:  # rich only for a progress bar: it costs start-up time
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )
    bar = (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=False,
        )
        if progress
        else None
    )
    if bar is not None:
        bar.start()
    try:
        for path in paths:
            task = bar.add_task(path.name, total=path.stat().st_size) if bar is not None else None
            with path.open(encoding="utf-8", errors="replace", newline="\n") as handle:
                total += redact_stream(_tracked(handle, bar, task), out, redactor, batch_size)
    finally:
        if bar is not None:
            bar.stop()
    return total
