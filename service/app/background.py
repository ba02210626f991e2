"""The background work of a serving process (the job scheduler and the audit sequencer), and
which process of a replica runs it.

With several worker processes (``serve --workers N``) every worker answers requests, but only
one — the holder of the replica's leader lock, a ``flock`` on a file the supervising process
creates — runs the scheduler and the sequencer: N schedulers would only queue on the same row
locks (the jobs claim with ``SKIP LOCKED`` and the sequencer takes an advisory lock, so they
would still be correct), and every pass would cost N round trips. When the leader dies its lock
is released by the kernel and a standby worker takes over within ``LEADER_POLL_SECONDS``.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from typing import Any

from service.app.context import AppContext

log = logging.getLogger("strongroom.background")

LEADER_LOCK_ENV = "STRONGROOM_WORKER_LEADER_LOCK"
LEADER_POLL_SECONDS = 1.0


class BackgroundWork:
    """The scheduler (if this replica runs one) and the audit sequencer thread."""

    def __init__(self, ctx: AppContext, *, run_scheduler: bool) -> None:
        self.ctx = ctx
        self.run_scheduler = run_scheduler
        self._running: list[Any] = []

    def start(self) -> None:
        if self.run_scheduler:
            from service.jobs.scheduler import start_scheduler

            scheduler = start_scheduler(self.ctx)
            if scheduler is not None:
                self._running.append(scheduler)
        delay_ms = self.ctx.settings.audit_sequence_delay_ms
        if self.ctx.sequencer is not None and delay_ms > 0:
            from service.audit.sequencer import SequencerThread

            self._running.append(SequencerThread(self.ctx.sequencer, delay_ms / 1000).start())

    def stop(self) -> None:
        for worker in reversed(self._running):
            worker.stop()
        self._running.clear()


class LeaderGate:
    """Runs ``work`` only while this process holds the replica's leader lock."""

    def __init__(self, work: BackgroundWork, lock_path: str) -> None:
        self.work = work
        self.lock_path = lock_path
        self._stop = threading.Event()
        self._fd: int | None = None
        self._thread = threading.Thread(target=self._loop, name="leader-election", daemon=True)

    @property
    def leading(self) -> bool:
        return self._fd is not None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self._fd is not None:
            self.work.stop()
            os.close(self._fd)  # releases the lock: a standby takes over
            self._fd = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._fd is None and self._try_lock():
                log.info(
                    "this worker runs the replica's scheduler and sequencer",
                    extra={"pid": os.getpid()},
                )
                self.work.start()
            self._stop.wait(LEADER_POLL_SECONDS)

    def _try_lock(self) -> bool:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True


def background_for(ctx: AppContext, *, run_scheduler: bool) -> BackgroundWork | LeaderGate:
    work = BackgroundWork(ctx, run_scheduler=run_scheduler)
    lock_path = os.environ.get(LEADER_LOCK_ENV)
    return LeaderGate(work, lock_path) if lock_path else work
