"""FastAPI's own OpenTelemetry stays off whatever the process is given: its spans would carry
request paths (a subscriber's signed pause-link token is one) and query strings, and its logs
validation failures with the values sent, past the redactor every log line passes.

The OpenTelemetry SDK is not a dependency, so the providers a platform would install
(`opentelemetry-instrument`) are stood in for by recording providers written on the API's
abstract ones (FastAPI ignores its no-op providers), installed as the process's global
providers for the length of each test; the control test proves FastAPI does report to them
when nothing turns it off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import opentelemetry._logs._internal as otel_logs
import opentelemetry.metrics._internal as otel_metrics
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry._logs import LoggerProvider, NoOpLogger
from opentelemetry.metrics import MeterProvider, NoOpMeter
from pydantic import BaseModel

from service.app.main import create_app
from tests.fixtures.app import Api

EMAIL = "ines.kowalczyk@example.com"


class _Recorded:
    def __init__(self) -> None:
        self.spans: list[tuple[str, dict[str, Any]]] = []
        self.logs: list[dict[str, Any]] = []
        self.meters: list[str] = []


class _Tracer(trace.NoOpTracer):
    def __init__(self, recorded: _Recorded) -> None:
        self.recorded = recorded

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> trace.Span:
        self.recorded.spans.append((name, dict(kwargs.get("attributes") or {})))
        return super().start_span(name, *args, **kwargs)

    def start_as_current_span(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.recorded.spans.append((name, dict(kwargs.get("attributes") or {})))
        return super().start_as_current_span(name, *args, **kwargs)


class _TracerProvider(trace.TracerProvider):
    def __init__(self, recorded: _Recorded) -> None:
        self.recorded = recorded

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return _Tracer(self.recorded)


class _Logger(NoOpLogger):
    def __init__(self, recorded: _Recorded) -> None:
        super().__init__("recording")
        self.recorded = recorded

    def emit(self, *args: Any, **kwargs: Any) -> None:
        self.recorded.logs.append(kwargs)


class _LoggerProvider(LoggerProvider):
    def __init__(self, recorded: _Recorded) -> None:
        self.recorded = recorded

    def get_logger(self, *args: Any, **kwargs: Any) -> NoOpLogger:
        return _Logger(self.recorded)


class _MeterProvider(MeterProvider):
    def __init__(self, recorded: _Recorded) -> None:
        self.recorded = recorded

    def get_meter(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.recorded.meters.append(name)
        return NoOpMeter(name)


@pytest.fixture
def platform_telemetry(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Recorded]:
    """Global providers, as a platform's OpenTelemetry set-up leaves them."""
    recorded = _Recorded()
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", _TracerProvider(recorded))
    monkeypatch.setattr(otel_logs, "_LOGGER_PROVIDER", _LoggerProvider(recorded))
    monkeypatch.setattr(otel_metrics, "_METER_PROVIDER", _MeterProvider(recorded))
    yield recorded


class _Person(BaseModel):
    email: int


def test_fastapi_reports_to_the_platform_when_nothing_turns_it_off(
    platform_telemetry: _Recorded,
) -> None:
    bare = FastAPI()

    @bare.post("/people")
    def add(person: _Person) -> dict[str, int]:
        return {"email": person.email}

    with TestClient(bare) as client:
        assert client.post("/people", json={"email": EMAIL}).status_code == 422
    assert any(
        attributes.get("url.path") == "/people" for _, attributes in platform_telemetry.spans
    )
    assert platform_telemetry.logs  # the validation failure, with the value sent


def test_the_service_reports_nothing_to_the_platform(
    sqlite_api: Api, platform_telemetry: _Recorded
) -> None:
    auth = {"Authorization": f"Bearer {sqlite_api.keys['service']}"}
    with TestClient(create_app(sqlite_api.ctx), raise_server_exceptions=False) as client:
        refused = client.post(
            "/v1/customers",
            json={"name": "Ines Kowalczyk", "email": EMAIL, "unknown": EMAIL},
            headers={**auth, "Idempotency-Key": "k-telemetry-1"},
        )
        listed = client.get("/v1/subscriptions", params={"customer": EMAIL}, headers=auth)
        link = client.get("/p/plk_SecretSignedToken0123456789")
    assert refused.status_code == 422 and listed.status_code < 500
    assert link.status_code >= 400
    assert platform_telemetry.spans == []
    assert platform_telemetry.logs == []
    assert platform_telemetry.meters == []
