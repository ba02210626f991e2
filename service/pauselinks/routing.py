"""The route class of the subscriber's pages (``/p/{token}``): the token is the credential.

Per request, in this order: the source address's rate limit (before any database work), the
token (a malformed one costs no query, an unknown one a single read), the link's own rate
limit, the form (bounded, URL-encoded) and its CSRF token on POST, then the page. Whatever
happens, one audit event is appended in the request's transaction — actor
``subscriber-link:pl_…`` once the token names a link, ``anonymous`` before — and the
response carries the service's strict CSP. The token itself never enters the audit, a log
line (the redactor rewrites ``/p/…`` paths) or a ``Referer`` (``no-referrer``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.access.ratelimit import address_bucket
from service.app.context import AppContext, app_context
from service.app.problems import to_service_error

# The API's own way to append a request's event and commit (or record it alone).
from service.app.request_audit import commit_with_event, record_event_alone
from service.audit.recorder import AuditRecord
from service.console.sessions import is_loopback
from service.core.client_address import client_address
from service.core.errors import (
    Forbidden,
    NotFound,
    RateLimited,
    ServiceError,
)
from service.pauselinks import operations, wording
from service.pauselinks.models import PauseLink
from service.web.forms import read_form
from service.web.locales import negotiate_locale
from service.web.security import harden
from service.web.templating import make_environment

log = logging.getLogger("strongroom.pauselinks")

TEMPLATES = wording.install(make_environment(Path(__file__).parent / "templates"))
STATIC_PATH = "/pause-links/static"
SUBSCRIBER_ROLE = "subscriber"
MAX_FORM_BYTES = 4 * 1024
CSRF_COOKIE = "strongroom_pause_link"
CSRF_COOKIE_SECONDS = 7 * 24 * 3600


def subscriber_page(action: str) -> dict[str, Any]:
    """Route keyword arguments: the action the audit records."""
    return {"openapi_extra": {"x-action": str(action)}}


def current_link(request: Request) -> PauseLink:
    return request.state.pause_link  # type: ignore[no-any-return]


def form(request: Request) -> dict[str, str]:
    return getattr(request.state, "form", {})


def csrf_token(secret: str, link_id: str) -> str:
    """Bound to the browser's cookie secret and to the link: no storage, no reuse elsewhere."""
    return hmac.new(secret.encode(), f"pause-link:{link_id}".encode(), hashlib.sha256).hexdigest()


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    link: PauseLink | None = getattr(request.state, "pause_link", None)
    secret = getattr(request.state, "csrf_secret", None)
    html = TEMPLATES.get_template(template).render(
        static=STATIC_PATH,
        path=request.url.path,
        csrf=csrf_token(secret, link.id) if (link is not None and secret) else "",
        locale=_locale(request),
        **values,
    )
    return HTMLResponse(html, status_code=status)


def _locale(request: Request) -> Any:
    found = getattr(request.state, "locale", None)
    if found is None:
        found = request.state.locale = negotiate_locale(request.headers.get("accept-language"))
    return found


def subscriber_error_page(request: Request, error: ServiceError) -> Response:
    """The page for a ``/p/…`` request no route took (a wrong method, an extra segment)."""
    return harden(error_page(request, error))


def error_page(request: Request, error: ServiceError) -> HTMLResponse:
    try:
        return render(request, "problem.html", status=error.status, error=error)
    except Exception:
        log.exception("pause link error page could not be rendered")
        return HTMLResponse("<!doctype html><title>Error</title>Error", status_code=error.status)


class SubscriberPageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()
        action = (self.openapi_extra or {}).get("x-action")
        if not action:
            raise RuntimeError(f"subscriber page {self.path} declares no action")

        async def handler(request: Request) -> Response:
            return await _handle(request, original, str(action))

        return handler


async def _handle(
    request: Request, original: Callable[[Request], Awaitable[Response]], action: str
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
            address = client_address(request, ctx.settings.trusted_proxies) or "unknown"
            await run_in_threadpool(
                _limit,
                ctx,
                "pause-link-address:" + address_bucket(address),
                ctx.policy.subscriber_pause.requests_per_minute_per_address,
            )
            link = await run_in_threadpool(_identify, request, db, record)
            await run_in_threadpool(db.commit)  # SQLite: the counter below needs the write lock
            await run_in_threadpool(
                _limit,
                ctx,
                "pause-link:" + link.id,
                ctx.policy.subscriber_pause.requests_per_minute_per_link,
            )
            request.state.form = await _read_form(request)
            _check_csrf(request, link)
            response = await original(request)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a page
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
    _set_csrf_cookie(request, response)
    if response.status_code == 429:
        response.headers["retry-after"] = "60"
    return harden(response)


def _limit(ctx: AppContext, bucket: str, per_minute: int) -> None:
    """The service's shared rate counters (every worker and replica count together)."""
    if ctx.rate_limiter.hit(bucket, per_minute) is not None:
        raise RateLimited("Too many requests for this page; wait a minute and try again.")


def _identify(request: Request, db: Session, record: AuditRecord) -> PauseLink:
    token = request.path_params.get("token", "")
    link = operations.find_by_token(db, token) if isinstance(token, str) else None
    if link is None:
        raise NotFound("This link is not valid. Check that you copied all of it.")
    record.actor, record.role = operations.actor_of(link), SUBSCRIBER_ROLE
    record.add_target(link.id)
    record.add_target(link.subscription)
    request.state.pause_link = link
    offered = request.cookies.get(CSRF_COOKIE)
    if offered and 32 <= len(offered) <= 128 and offered.isascii():
        request.state.csrf_secret = offered
    else:
        request.state.csrf_secret = secrets.token_urlsafe(32)
        request.state.new_csrf_secret = True
    return link


async def _read_form(request: Request) -> dict[str, str]:
    return await read_form(request, max_bytes=MAX_FORM_BYTES, max_fields=10)


def _check_csrf(request: Request, link: PauseLink) -> None:
    if request.method != "POST":
        return
    secret = None if getattr(request.state, "new_csrf_secret", False) else request.state.csrf_secret
    submitted = form(request).get("csrf", "")
    if not secret or not hmac.compare_digest(
        csrf_token(secret, link.id).encode(), submitted.encode()
    ):
        raise Forbidden("This form has expired. Open the link again and repeat your choice.")


def _set_csrf_cookie(request: Request, response: Response) -> None:
    if not getattr(request.state, "new_csrf_secret", False) or response.status_code >= 400:
        return
    response.set_cookie(
        CSRF_COOKIE,
        request.state.csrf_secret,
        max_age=CSRF_COOKIE_SECONDS,
        path="/p/",
        httponly=True,
        secure=not is_loopback(request.url.hostname),
        samesite="strict",
    )
