"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.access.actions import Action
from service.access.auth import bearer_token, try_authenticate
from service.app import docs, ops
from service.app.background import background_for
from service.app.context import AppContext, get_clock, resolve
from service.app.openapi_problems import install_problem_responses
from service.app.problems import problem, to_service_error
from service.app.request_id import RequestIdMiddleware
from service.audit.recorder import AuditRecord, append_event
from service.core.client_address import client_address

log = logging.getLogger("strongroom")

API_ROUTERS: list[str] = [
    "service.audit.endpoints",
    "service.customers.endpoints",
    "service.subscriptions.endpoints",
    "service.pauses.endpoints",
    "service.charges.endpoints",
    "service.testclock.endpoints",
    "service.inventory.endpoints",
    "service.redaction.endpoints",
    "service.events.endpoints",
    "service.pauselinks.endpoints",
]


def create_app(ctx: AppContext, *, run_scheduler: bool = False) -> FastAPI:
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
    )
    app.state.ctx = ctx
    app.add_middleware(RequestIdMiddleware)
    app.include_router(ops.router)
    app.include_router(ops.detail_router)
    app.include_router(docs.router)
    app.mount(docs.DOCS_STATIC, docs.static_files(), name="docs-static")
    for module_name in API_ROUTERS:
        module = _optional_module(module_name)
        if module is not None:
            app.include_router(module.router)
    console = _optional_module("service.console.endpoints")
    if console is not None:
        app.include_router(console.router)
        app.mount(console.STATIC_PATH, console.static_files(), name="console-static")
    pause_links = _optional_module("service.pauselinks.endpoints")
    if pause_links is not None:
        app.include_router(pause_links.page_router)
        app.mount(pause_links.STATIC_PATH, pause_links.static_files(), name="pause-links-static")
    app.add_exception_handler(StarletteHTTPException, _unrouted)
    app.add_exception_handler(RequestValidationError, _unrouted)
    app.add_exception_handler(Exception, _unrouted)
    install_problem_responses(app)
    return app


def _optional_module(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            return None
        raise


async def _unrouted(request: Request, exc: Exception) -> Response:
    """Errors outside any API route (unknown path, wrong method): answered and audited."""
    error = to_service_error(exc)
    response: Response = problem(error)
    if request.url.path.startswith("/console/") and _optional_module("service.console.routing"):
        from service.console.routing import error_page, harden

        response = harden(error_page(request, error))  # a person's browser: a page, not JSON
    elif request.url.path.startswith("/p/") and _optional_module("service.pauselinks.routing"):
        from service.pauselinks.routing import subscriber_error_page

        response = subscriber_error_page(request, error)  # a subscriber's browser: a page
    ctx: AppContext = request.app.state.ctx
    record = AuditRecord(action=Action.UNKNOWN_ROUTE)

    def audit() -> None:
        with ctx.session_factory() as session:
            now = resolve(request, get_clock).now()
            caller = try_authenticate(session, bearer_token(request), now)
            if caller is not None:
                record.actor, record.role = caller.name, caller.role
            append_event(
                session,
                record,
                at=now,
                status=response.status_code,
                request_id=request.scope.get("state", {}).get("request_id"),
                source_ip=client_address(request, ctx.settings.trusted_proxies),
            )
            session.commit()

    try:
        await run_in_threadpool(audit)
    except Exception:  # noqa: BLE001 - the answer still goes out; the log says what was lost
        log.error("audit event for an unrouted request could not be written")
    return response
