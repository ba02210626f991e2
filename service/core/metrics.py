"""Prometheus metrics, in two views.

- Health (``GET /metrics``, no key): the process only — up, CPU, memory, file descriptors,
  start time, garbage collection. Nothing about what the API is asked to do.
- Detail (``GET /v1/metrics``, a key whose role is granted ``ops:metrics_detail:read`` —
  ``service`` and ``admin`` by default): the health view plus requests by action and status,
  their latency, and jobs run. Per-action counts tell an outsider what the service is used for
  (how many reveals, erasures, failed sign-ins), so they stay behind a key.

No label carries data.
"""

from __future__ import annotations

import gc

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)


class Metrics:
    def __init__(self) -> None:
        self.health_registry = CollectorRegistry()
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.health_registry.register(collector)
        Gauge("strongroom_up", "The process is serving", registry=self.health_registry).set(1)
        Gauge(
            "strongroom_gc_frozen_objects",
            "Start-up objects the garbage collector no longer walks (service/app/heap.py)",
            registry=self.health_registry,
        ).set_function(gc.get_freeze_count)
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "strongroom_requests",
            "API requests served",
            ["action", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "strongroom_request_seconds",
            "API request latency",
            ["action"],
            registry=self.registry,
        )
        self._counted: dict[tuple[str, int], Counter] = {}
        self._timed: dict[str, Histogram] = {}
        self.jobs = Counter(
            "strongroom_jobs", "Scheduled jobs run", ["kind", "outcome"], registry=self.registry
        )
        self.processor_erasures_gave_up = Counter(
            "strongroom_processor_erasures_gave_up",
            "Erased customers deleted at the processor without waiting longer for a payment"
            " still processing: counted once by the job run that recorded its charge failed"
            " with processor_outcome_unknown (a refund may be owed)",
            registry=self.registry,
        )

    def observe(self, action: str, status: int, seconds: float) -> None:
        # The labelled children, looked up once per action and status: ``labels()`` validates
        # and locks on every call, a measurable share of a read's CPU.
        counted = self._counted.get((action, status))
        if counted is None:
            counted = self._counted[(action, status)] = self.requests.labels(
                action=action, status=str(status)
            )
        timed = self._timed.get(action)
        if timed is None:
            timed = self._timed[action] = self.latency.labels(action=action)
        counted.inc()
        timed.observe(seconds)

    def render_health(self) -> bytes:
        return generate_latest(self.health_registry)

    def render_detail(self) -> bytes:
        return generate_latest(self.health_registry) + generate_latest(self.registry)
