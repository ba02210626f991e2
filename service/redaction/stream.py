"""Streaming redaction of line-oriented input: what `strongroom redact` runs."""

from __future__ import annotations

import codecs
import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from service.redaction.csv_rows import LineStream
from service.redaction.redactor import Redactor

if TYPE_CHECKING:
    from rich.progress import Progress


def _as_windows_1252(error: UnicodeError) -> tuple[str, int]:
    """Each byte that is not UTF-8 read as Windows-1252 (Latin-1 where that has no character):
    a log written in a legacy encoding keeps `José` readable - and so detectable - where a
    replacement character would leave `Jos\ufffd` for the detector to miss."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    undecodable = error.object[error.start : error.end]
    characters = []
    for byte in undecodable:
        try:
            characters.append(bytes((byte,)).decode("cp1252"))
        except UnicodeDecodeError:
            characters.append(chr(byte))
    return "".join(characters), error.end


LEGACY_BYTES = "strongroom-windows-1252"
codecs.register_error(LEGACY_BYTES, _as_windows_1252)


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def _read_into(lines: Iterable[str], ready: queue.Queue[object]) -> None:
    try:
        for line in lines:
            ready.put(line)
    except BaseException as error:  # noqa: BLE001 - handed to the consuming thread, re-raised
        ready.put(_Failed(error))
    else:
        ready.put(_END)


def _batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    """Batches of up to `size` lines, each handed on as soon as no further line is ready.

    A thread reads ahead, so a file still goes through in full batches, while a live source
    (`tail -f app.log | strongroom redact`) has every line written out as soon as it and the
    lines that came with it are redacted, instead of waiting for a batch to fill.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=4 * size)
    threading.Thread(target=_read_into, args=(lines, ready), daemon=True).start()
    while True:
        batch: list[str] = []
        item = ready.get()
        while True:
            if item is _END:
                if batch:
                    yield batch
                return
            if isinstance(item, _Failed):
                if batch:
                    yield batch
                raise item.error
            batch.append(item)  # type: ignore[arg-type]
            if len(batch) >= size:
                break
            try:
                item = ready.get_nowait()
            except queue.Empty:
                break
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
            with path.open(encoding="utf-8", errors=LEGACY_BYTES, newline="\n") as handle:
                total += redact_stream(_tracked(handle, bar, task), out, redactor, batch_size)
    finally:
        if bar is not None:
            bar.stop()
    return total
