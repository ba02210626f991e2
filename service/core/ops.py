"""Operations endpoints: liveness, readiness and metrics. No key needed, no data revealed."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from service.access.actions import Action
from service.core.context import app_context, get_key_service, resolve
from service.core.errors import ServiceError, StorageUnavailable
from service.core.problems import problem
from service.core.routing import PublicRoute, operation

router = APIRouter(route_class=PublicRoute, tags=["operations"])


@router.get("/healthz", **operation(Action.OPS_HEALTH))
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", **operation(Action.OPS_READY), response_model=None)
async def readyz(request: Request) -> dict[str, object] | Response:
    ctx = app_context(request)

    def check_database() -> None:
        try:
            with ctx.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            raise StorageUnavailable(
                "Storage unavailable: the database cannot be reached."
            ) from exc

    try:
        await run_in_threadpool(check_database)
        await run_in_threadpool(resolve(request, get_key_service).check)
    except ServiceError as error:
        return problem(error)
    return {"status": "ready", "database": "ok", "key_service": "ok"}


@router.get("/metrics", **operation(Action.OPS_METRICS), response_class=Response)
def metrics(request: Request) -> Response:
    return Response(app_context(request).metrics.render(), media_type="text/plain; version=0.0.4")
