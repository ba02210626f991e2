"""Signing in and out, and the console's home page."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.access.actions import Action
from service.access.auth import authenticate
from service.app.context import get_clock, resolve
from service.audit.models import AuditEvent
from service.console import sessions
from service.console.routing import (
    ConsoleRoute,
    console_page,
    form,
    render,
)
from service.core.errors import Forbidden, Unauthenticated
from service.reports.svg import bar_chart, daily_chart

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

CHART_DAYS = 14


def _set_cookie(request: Request, response: Response, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path="/console",
        httponly=True,
        secure=not sessions.is_loopback(request.url.hostname),
        samesite="strict",
    )


def _clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name,
        path="/console",
        httponly=True,
        secure=not sessions.is_loopback(request.url.hostname),
        samesite="strict",
    )


@router.get("/sign-in", **console_page(Action.CONSOLE_PAGE, public=True))
def sign_in_form(request: Request) -> Response:
    return _sign_in_page(request, status=200, message=None)


def _sign_in_page(request: Request, status: int, message: str | None) -> Response:
    pre = sessions.new_secret()
    response = render(
        request,
        "signin.html",
        status=status,
        title="Sign in",
        signin_csrf=sessions.csrf_token(pre),
        message=message,
    )
    _set_cookie(request, response, sessions.PRE_SESSION_COOKIE, pre, sessions.PRE_SESSION_SECONDS)
    return response


@router.post("/sign-in", **console_page(Action.CONSOLE_SIGN_IN, public=True))
async def sign_in(request: Request) -> Response:
    record = request.state.audit
    key = form(request).get("api_key", "").strip()

    def exchange() -> str:
        db = request.state.db
        now = resolve(request, get_clock).now()
        caller = authenticate(db, key or None, now)
        record.actor, record.role = caller.name, caller.role
        if caller.role not in sessions.CONSOLE_ROLES:
            raise Forbidden("The console is for compliance and admin keys.")
        # A new session every time, and the one the browser held (if any) ends: no fixation.
        sessions.end_session(db, request.cookies.get(sessions.SESSION_COOKIE), now)
        return sessions.start_session(db, caller, now)

    try:
        secret = await run_in_threadpool(exchange)
    except (Unauthenticated, Forbidden) as exc:
        await run_in_threadpool(request.state.db.rollback)
        return _sign_in_page(request, status=exc.status, message=exc.detail)
    response = RedirectResponse("/console", status_code=303)
    age = int(sessions.ABSOLUTE_TIMEOUT.total_seconds())
    _set_cookie(request, response, sessions.SESSION_COOKIE, secret, age)
    _clear_cookie(request, response, sessions.PRE_SESSION_COOKIE)
    return response


@router.post("/sign-out", **console_page(Action.CONSOLE_SIGN_OUT))
def sign_out(request: Request) -> Response:
    now = resolve(request, get_clock).now()
    sessions.end_session(request.state.db, request.cookies.get(sessions.SESSION_COOKIE), now)
    response = render(request, "signed_out.html", title="Signed out")
    _clear_cookie(request, response, sessions.SESSION_COOKIE)
    return response


@router.get("", **console_page(Action.CONSOLE_PAGE))
def home(request: Request) -> Response:
    db = request.state.db
    today = resolve(request, get_clock).now().date()
    days = [(today - timedelta(days=back)).isoformat() for back in range(CHART_DAYS - 1, -1, -1)]
    total = db.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return render(
        request,
        "home.html",
        title="Overview",
        chart=_outcomes_chart(db, days),
        reveals=_purposes_chart(db, days),
        total=total,
    )


# svg.py escapes every label it draws, so its output is markup as it stands.


def _outcomes_chart(db: Session, days: list[str]) -> Markup:
    day = func.substr(AuditEvent.at, 1, 10)
    rows = db.execute(
        select(day, AuditEvent.outcome, func.count())
        .where(AuditEvent.at >= days[0])
        .group_by(day, AuditEvent.outcome)
    ).all()
    series: dict[str, dict[str, int]] = {}
    for when, outcome, count in rows:
        series.setdefault(str(outcome), {})[str(when)] = int(count)
    title = f"Events per day by outcome, last {len(days)} days"
    return Markup(daily_chart(title, days, series))  # noqa: S704


def _purposes_chart(db: Session, days: list[str]) -> Markup:
    rows = db.execute(
        select(AuditEvent.purpose, func.count())
        .where(
            AuditEvent.at >= days[0],
            AuditEvent.action == Action.CUSTOMER_REVEAL.value,
            AuditEvent.outcome == "allowed",
        )
        .group_by(AuditEvent.purpose)
        .order_by(func.count().desc())
        .limit(10)
    ).all()
    bars = [(str(purpose or "(none)"), int(count)) for purpose, count in rows]
    title = f"Reveals by purpose, last {len(days)} days"
    return Markup(bar_chart(title, bars))  # noqa: S704
