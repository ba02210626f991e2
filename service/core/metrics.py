"""Prometheus metrics: requests by action and status, and their latency. No labels carry data."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
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
        self.jobs = Counter(
            "strongroom_jobs", "Scheduled jobs run", ["kind", "outcome"], registry=self.registry
        )

    def observe(self, action: str, status: int, seconds: float) -> None:
        self.requests.labels(action=action, status=str(status)).inc()
        self.latency.labels(action=action).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
