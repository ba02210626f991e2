"""Reading the next batches in a thread while the caller works on the current one.

The database driver waits for the server without holding the GIL, so the server (another
process, another core) produces the next batch while this process hashes the current one.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from queue import Empty, Full, Queue
from typing import TypeVar

T = TypeVar("T")
_END = object()
_POLL = 0.1


def read_ahead(batches: Generator[T, None, None], depth: int = 2) -> Iterator[T]:
    """Yield what ``batches`` yields, in order, with up to ``depth`` batches read in advance by
    a thread. Errors in ``batches`` are raised here; when the caller stops early (or fails), the
    thread stops and ``batches`` is closed in it before this returns."""
    queue: Queue[object] = Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=_POLL)
                return True
            except Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not offer(batch):
                    return
            offer(_END)
        except BaseException as error:  # noqa: BLE001 - handed to the caller, raised there
            offer(error)
        finally:
            batches.close()

    reader = threading.Thread(target=read, name="audit-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            try:
                item = queue.get(timeout=_POLL)
            except Empty:
                if not reader.is_alive() and queue.empty():
                    raise RuntimeError("the read-ahead thread ended without a result") from None
                continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        reader.join()
