"""Running due jobs: in a background loop on the system clock, or on demand (test clock)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from service.app.context import AppContext
from service.jobs.registry import JobContext, registered_jobs

log = logging.getLogger("strongroom.jobs")

MAX_PASSES = 1000


def run_due_jobs(
    app: AppContext, now: datetime, stopping: threading.Event | None = None
) -> dict[str, int]:
    """Run every job until none finds work due at ``now`` (a job's work can make another's
    due: a pause ending makes a charge due), or until ``stopping`` is set. Returns the items
    handled per job."""
    context = JobContext(app, stopping or threading.Event())
    handled: dict[str, int] = {}
    for _ in range(MAX_PASSES):
        progress = 0
        for job in registered_jobs():
            if context.stopping.is_set():
                return handled
            try:
                count = job.run(context, now)
            except Exception:
                app.metrics.jobs.labels(kind=job.name, outcome="error").inc()
                log.exception("job failed", extra={"job": job.name})
                raise
            if count:
                app.metrics.jobs.labels(kind=job.name, outcome="done").inc(count)
                handled[job.name] = handled.get(job.name, 0) + count
                progress += count
        if progress == 0:
            return handled
    log.warning("jobs still had work after the pass limit", extra={"passes": MAX_PASSES})
    return handled


class Scheduler:
    def __init__(self, app: AppContext, interval: float) -> None:
        self.app = app
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="strongroom-scheduler", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_due_jobs(self.app, self.app.clock.now(), self._stop)
            except Exception:  # noqa: BLE001 - logged by run_due_jobs; the loop must go on
                log.warning("scheduler pass failed; retrying at the next interval")
            self._stop.wait(self.interval)


def start_scheduler(app: AppContext) -> Scheduler | None:
    """The background loop runs on the system clock only; under the test clock, jobs run when
    the clock is moved (``POST /v1/test/clock``)."""
    if app.settings.test_clock:
        return None
    return Scheduler(app, app.settings.scheduler_interval_seconds).start()
