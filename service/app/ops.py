"""Operations endpoints: liveness, readiness and health metrics need no key and reveal no data;
the detailed metrics need a key (and are audited like any request)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from service.access.actions import Action
from service.app.context import app_context, get_key_service, resolve
from service.app.problems import problem
from service.app.routing import AuditedRoute, PublicRoute, operation
from service.core.errors import ServiceError, StorageUnavailable
from service.core.schemas import ReadModel

router = APIRouter(route_class=PublicRoute, tags=["operations"])


class HealthRead(ReadModel):
    status: Literal["ok"]


class ReadyRead(ReadModel):
    status: Literal["ready"]
    database: Literal["ok"]
    key_service: Literal["ok"]


@router.get("/healthz", **operation(Action.OPS_HEALTH))
def healthz() -> HealthRead:
    return HealthRead(status="ok")


@router.get("/readyz", **operation(Action.OPS_READY), response_model=ReadyRead)
async def readyz(request: Request) -> ReadyRead | Response:
    """503 (problem+json) when the database or the key service cannot be reached."""
    ctx = app_context(request)

    def check_database() -> None:
        # Twice at most: a pooled connection the server closed (a restart) fails once, and
        # that failure empties the pool; readiness is about the server, not that connection.
        for attempt in (1, 2):
            try:
                with ctx.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return
            except DBAPIError as exc:
                if attempt == 1 and exc.connection_invalidated:
                    continue
                raise StorageUnavailable(
                    "Storage unavailable: the database cannot be reached."
                ) from exc
            except Exception as exc:
                raise StorageUnavailable(
                    "Storage unavailable: the database cannot be reached."
                ) from exc

    try:
        await run_in_threadpool(check_database)
        await run_in_threadpool(resolve(request, get_key_service).check)
    except ServiceError as error:
        return problem(error)
    return ReadyRead(status="ready", database="ok", key_service="ok")


PROMETHEUS_TEXT = "text/plain; version=0.0.4"
detail_router = APIRouter(route_class=AuditedRoute, tags=["operations"])


@router.get("/metrics", **operation(Action.OPS_METRICS), response_class=Response)
def metrics(request: Request) -> Response:
    """Process health only; what the API is used for is in ``/v1/metrics``."""
    return Response(app_context(request).metrics.render_health(), media_type=PROMETHEUS_TEXT)


@detail_router.get("/v1/metrics", **operation(Action.OPS_METRICS_DETAIL), response_class=Response)
def metrics_detail(request: Request) -> Response:
    """Requests by action and status, latency and jobs, for a role granted the action."""
    return Response(app_context(request).metrics.render_detail(), media_type=PROMETHEUS_TEXT)
