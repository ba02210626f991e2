"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.telemetry import TelemetryConfig
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.access.actions import Action
from service.access.auth import bearer_token, try_authenticate
from service.app import wiring
from service.app.access_log import AccessLogMiddleware
from service.app.background import background_for
from service.app.context import AppContext, get_clock, resolve
from service.app.openapi_problems import install_problem_responses
from service.app.problems import problem, to_service_error
from service.app.request_audit import commit_with_event
from service.app.request_id import RequestIdMiddleware
from service.audit.recorder import AuditRecord
from service.console.routing import error_page, harden
from service.pauselinks.routing import subscriber_error_page

log = logging.getLogger("strongroom")

# FastAPI's own OpenTelemetry spans, metrics and logs, on as soon as the process has a
# provider (`opentelemetry-instrument`, an SDK set up by the platform): they would export
# query strings, validation failures with the values sent, and exception messages — personal
# data and signed-link tokens — past the redactor that every log line of the service passes.
NO_FRAMEWORK_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


def create_app(
    ctx: AppContext, *, run_scheduler: bool = False, access_log: bool = False
) -> FastAPI:
    """``access_log``: one line per request (the served app; uvicorn's own access log is off)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        background = background_for(ctx, run_scheduler=run_scheduler)
        background.start()
        try:
            yield
        finally:
            background.stop()

    app = FastAPI(
        title="Strongroom",
        version="1.0.0",
        summary="Tokenized vault and pause/charge engine for subscription and payment data.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        telemetry=NO_FRAMEWORK_TELEMETRY,
    )
    wiring.wire()
    app.state.ctx = ctx
    app.add_middleware(RequestIdMiddleware)
    if access_log:
        app.add_middleware(AccessLogMiddleware)  # added last: outermost
    wiring.include_routes(app)
    app.add_exception_handler(StarletteHTTPException, _unrouted)
    app.add_exception_handler(RequestValidationError, _unrouted)
    app.add_exception_handler(Exception, _unrouted)
    install_problem_responses(app)
    return app


async def _unrouted(request: Request, exc: Exception) -> Response:
    """Errors outside any API route (unknown path, wrong method): answered and audited."""
    error = to_service_error(exc)
    response: Response = problem(error)
    if request.url.path.startswith("/console/"):
        response = harden(error_page(request, error))  # a person's browser: a page, not JSON
    elif request.url.path.startswith("/p/"):
        response = subscriber_error_page(request, error)  # a subscriber's browser: a page
    ctx: AppContext = request.app.state.ctx
    record = AuditRecord(action=Action.UNKNOWN_ROUTE)

    def audit() -> None:
        with ctx.session_factory() as session:
            now = resolve(request, get_clock).now()
            caller = try_authenticate(session, bearer_token(request), now)
            if caller is not None:
                record.actor, record.role = caller.name, caller.role
            commit_with_event(request, session, record, response.status_code)

    try:
        await run_in_threadpool(audit)
    except Exception:  # noqa: BLE001 - the answer still goes out; the log says what was lost
        log.error("audit event for an unrouted request could not be written")
    return response
