"""The console's route class: the same transaction, policy and audit event per request as the
API's :class:`~service.app.routing.AuditedRoute`, with a session cookie instead of a bearer key,
a CSRF check on every POST, HTML error pages, and a strict Content-Security-Policy."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.access.auth import Caller
from service.app.context import AppContext, app_context, get_clock, resolve
from service.app.problems import to_service_error

# The API's own way to append a request's event and commit (or record it alone).
from service.app.request_audit import commit_with_event, record_event_alone
from service.app.routing import TOKEN_PATTERN
from service.audit.recorder import AuditRecord
from service.console import sessions
from service.core.errors import (
    Forbidden,
    NotFound,
    RateLimited,
    ServiceError,
    Unauthenticated,
    ValidationFailed,
)
from service.web.forms import read_form
from service.web.security import harden
from service.web.templating import make_environment

log = logging.getLogger("strongroom.console")

TEMPLATES = make_environment(Path(__file__).parent / "templates")
STATIC_PATH = "/console/static"
MAX_FORM_BYTES = 64 * 1024


def console_page(action: str, *, public: bool = False) -> dict[str, Any]:
    """Route keyword arguments: the action the policy checks and the audit records."""
    return {"openapi_extra": {"x-action": str(action), "x-console-public": public}}


def current_caller(request: Request) -> Caller | None:
    return getattr(request.state, "caller", None)


def form(request: Request) -> dict[str, str]:
    return getattr(request.state, "form", {})


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    secret = getattr(request.state, "console_secret", None)
    html = TEMPLATES.get_template(template).render(
        caller=current_caller(request),
        csrf=sessions.csrf_token(secret) if secret else "",
        static=STATIC_PATH,
        path=request.url.path,
        **values,
    )
    return HTMLResponse(html, status_code=status)


class ConsoleRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()
        extra = self.openapi_extra or {}
        action = extra.get("x-action")
        if not action:
            raise RuntimeError(f"console route {self.path} declares no action")
        public = bool(extra.get("x-console-public"))

        async def handler(request: Request) -> Response:
            return await _handle(request, original, str(action), public)

        return handler


async def _handle(
    request: Request,
    original: Callable[[Request], Awaitable[Response]],
    action: str,
    public: bool,
) -> Response:
    ctx = app_context(request)
    record = AuditRecord(action=action)
    request.state.audit = record
    db = ctx.session_factory()
    request.state.db = db
    response: Response | None = None
    started = time.perf_counter()
    try:
        try:
            request.state.form = {}
            await run_in_threadpool(_identify, request, db, ctx, record)
            _refuse_nul_characters(request)
            request.state.form = await _read_form(request)
            _authorize(request, ctx, action, public)
            response = await original(request)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an error page
            await run_in_threadpool(db.rollback)
            response = error_page(request, to_service_error(exc))
        await run_in_threadpool(commit_with_event, request, db, record, response.status_code)
    except Exception as exc:  # noqa: BLE001 - the commit itself failed
        await run_in_threadpool(db.rollback)
        response = error_page(request, to_service_error(exc))
        await run_in_threadpool(record_event_alone, request, ctx, record, response.status_code)
    finally:
        await run_in_threadpool(db.close)
        status = response.status_code if response is not None else 500
        ctx.metrics.observe(action, status, time.perf_counter() - started)
    return harden(response)


async def _read_form(request: Request) -> dict[str, str]:
    return await read_form(request, max_bytes=MAX_FORM_BYTES, max_fields=50)


def _identify(request: Request, db: Session, ctx: AppContext, record: AuditRecord) -> None:
    """The caller behind the session cookie, if any (recorded even when the request fails)."""
    now = resolve(request, get_clock).now()
    active = sessions.resume_session(db, request.cookies.get(sessions.SESSION_COOKIE), now)
    db.commit()  # the session's last-seen time; on SQLite, also frees the write lock
    request.state.active = active
    for value in request.path_params.values():
        if isinstance(value, str) and TOKEN_PATTERN.match(value):
            record.add_target(value)
    if active is None:
        return
    record.actor, record.role = active.caller.name, active.caller.role
    request.state.caller = active.caller
    request.state.console_secret = active.secret
    retry_after = ctx.rate_limiter.hit(
        f"key:{active.caller.key_id}", ctx.policy.limits.requests_per_minute
    )
    if retry_after is not None:
        raise RateLimited("Too many requests; slow down.")


def _refuse_nul_characters(request: Request) -> None:
    """PostgreSQL text cannot hold U+0000; no console field needs one."""
    if any("\x00" in value for value in request.path_params.values() if isinstance(value, str)):
        raise NotFound("No such page.")
    if any("\x00" in k or "\x00" in v for k, v in request.query_params.multi_items()):
        raise ValidationFailed("The query string contains a NUL character.")


def _authorize(request: Request, ctx: AppContext, action: str, public: bool) -> None:
    active: sessions.ActiveSession | None = request.state.active
    if public:
        if request.method == "POST":
            pre = request.cookies.get(sessions.PRE_SESSION_COOKIE)
            if not sessions.csrf_matches(pre, form(request).get("csrf")):
                raise Forbidden("The form has expired or did not come from this console.")
        return
    if active is None:
        raise Unauthenticated("Sign in to use the console (your session may have expired).")
    if request.method == "POST" and not sessions.csrf_matches(
        active.secret, form(request).get("csrf")
    ):
        raise Forbidden("The form has expired or did not come from this console.")
    if not ctx.policy.allows(active.caller.role, action):
        raise Forbidden("Your role may not open this page.")


def error_page(request: Request, error: ServiceError) -> HTMLResponse:
    try:
        return render(request, "error.html", status=error.status, error=error, title=error.title)
    except Exception:
        log.exception("console error page could not be rendered")
        return HTMLResponse("<!doctype html><title>Error</title>Error", status_code=error.status)
