"""Principals (admin only): list, create with the key shown once, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from service.access.actions import Action, Role
from service.access.models import Principal
from service.access.principals import create_principal, list_principals, revoke_principal
from service.app.context import get_clock, resolve
from service.console import sessions
from service.console.routing import ConsoleRoute, console_page, form, render
from service.core.errors import NotFound

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


def _page(request: Request, created: object = None, status: int = 200) -> Response:
    rows = list_principals(request.state.db)
    now = resolve(request, get_clock).now()
    return render(
        request,
        "principals.html",
        status=status,
        title="Principals",
        principals=rows,
        roles=[r.value for r in Role],
        created=created,
        now=now,
        live_sessions=sessions.live_sessions_by_key(request.state.db, now),
    )


@router.get("/principals", **console_page(Action.PRINCIPAL_LIST))
def principals(request: Request) -> Response:
    return _page(request)


@router.post("/principals", **console_page(Action.PRINCIPAL_CREATE))
def create(request: Request) -> Response:
    values = form(request)
    name = values.get("name", "").strip()
    request.state.audit.add_target(f"principal:{name[:100]}")
    # The page's own event (this action, naming the principal) is the request's one event.
    created = create_principal(
        request.state.db,
        name,
        values.get("role", ""),
        resolve(request, get_clock).now(),
        request_audited=True,
    )
    return _page(request, created=created, status=201)


@router.post("/principals/{name}/revoke", **console_page(Action.PRINCIPAL_REVOKE))
def revoke(request: Request, name: str) -> Response:
    request.state.audit.add_target(f"principal:{name}")
    now = resolve(request, get_clock).now()
    principal = revoke_principal(request.state.db, name, now, request_audited=True)
    sessions.revoke_sessions_of(request.state.db, principal.key_id, now)
    return _page(request)


@router.post("/principals/{name}/sessions/revoke", **console_page(Action.CONSOLE_SESSIONS_REVOKE))
def end_sessions(request: Request, name: str) -> Response:
    """Sign a principal out of every browser, leaving its key usable."""
    request.state.audit.add_target(f"principal:{name}")
    principal = request.state.db.scalar(select(Principal).where(Principal.name == name))
    if principal is None:
        raise NotFound("No principal with this name.")
    sessions.revoke_sessions_of(
        request.state.db, principal.key_id, resolve(request, get_clock).now()
    )
    return _page(request)
