"""The sequencer as a scheduled job too: a test-clock move or ``strongroom jobs run`` integrates
what the jobs before it recorded."""

from __future__ import annotations

from datetime import datetime

from service.jobs.registry import JobContext


def sequence_audit_events(context: JobContext, now: datetime) -> int:
    if context.app.sequencer is None:
        return 0
    return context.app.sequencer.run()
