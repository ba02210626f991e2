"""No endpoint escapes authorization and audit: every route declares an action, and every
route answers every role exactly as the policy says."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from service.access.actions import PUBLIC_ACTIONS, Action
from service.app.routing import AuditedRoute, PublicRoute
from service.console.routing import ConsoleRoute
from service.pauselinks.routing import SubscriberPageRoute
from tests.fixtures.app import Api

ROLES = ("service", "compliance", "admin")


def flatten(routes: list) -> list:
    """FastAPI 0.16x includes routers lazily (an internal ``_IncludedRouter`` wrapping the
    original router); walk into them so that no route hides inside."""
    flat = []
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            flat += flatten(list(original.routes))
        else:
            flat.append(route)
    return flat


STATIC_MOUNTS = ("/docs/static", "/console/static", "/pause-links/static")


def api_routes(api: Api, *, console: bool = False) -> list[APIRoute]:
    """The API's routes, or (``console=True``) the console's, which take a session cookie
    instead of a bearer key (their matrix: tests/console/test_page_access.py). The subscriber
    pages (``/p/{token}``) take neither: their token is the credential (tests/pauselinks)."""
    routes = []
    for route in flatten(list(api.app.routes)):
        if isinstance(route, Mount):
            assert route.path in STATIC_MOUNTS, f"unexpected mount {route.path}"
            continue
        assert isinstance(route, APIRoute), f"{route} is not an API route with an action"
        if isinstance(route, ConsoleRoute):
            assert route.path.startswith("/console"), route.path
        if isinstance(route, SubscriberPageRoute):
            assert route.path == "/p/{token}", route.path
            assert route.openapi_extra["x-action"] in {a.value for a in Action}, route.path
            continue
        if isinstance(route, ConsoleRoute) == console:
            routes.append(route)
    return routes


def test_every_route_declares_a_known_action_and_uses_the_audited_route_class(
    sqlite_api: Api,
) -> None:
    known = {a.value for a in Action}
    for route in api_routes(sqlite_api, console=True):
        assert route.openapi_extra["x-action"] in known, route.path
    for route in api_routes(sqlite_api):
        action = (route.openapi_extra or {}).get("x-action")
        assert action in known, f"{route.path} has no known action"
        if action in PUBLIC_ACTIONS:
            assert isinstance(route, PublicRoute), route.path
        else:
            assert isinstance(route, AuditedRoute), route.path
            assert route.path.startswith("/v1/"), route.path


def concrete_path(path: str) -> str:
    """Fill path parameters with well-formed tokens that name nothing."""
    return re.sub(r"\{[^}]+\}", "zzz_0123456789abcdef", path)


def test_authorization_matrix_every_route_every_role(sqlite_api: Api) -> None:
    policy = sqlite_api.ctx.policy
    checked = 0
    for route in api_routes(sqlite_api):
        action = route.openapi_extra["x-action"]
        if action in PUBLIC_ACTIONS:
            continue
        has_params = "{" in route.path
        for method in route.methods - {"HEAD"}:
            path = concrete_path(route.path)
            unauthenticated = sqlite_api.call(method, path, who=None, json={})
            assert unauthenticated.status_code == 401, (method, path)
            for role in ROLES:
                response = sqlite_api.call(
                    method,
                    path,
                    who=role,
                    json={},
                    headers={"Idempotency-Key": f"m-{role}-{checked}"},
                )
                checked += 1
                allowed = policy.allows(role, action)
                if not allowed:
                    # unknown resources are 404 before 403, so a 403 never confirms existence
                    expected = 404 if has_params else 403
                    assert response.status_code == expected, (
                        method,
                        path,
                        role,
                        response.status_code,
                    )
                else:
                    assert response.status_code not in (401, 403), (
                        method,
                        path,
                        role,
                        response.text,
                    )
    assert checked >= 3


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_audited_with_its_role(sqlite_api: Api, role: str) -> None:
    sqlite_api.call("GET", "/v1/audit/events", who=role)
    events = sqlite_api.call("GET", f"/v1/audit/events?actor={role}", who="admin").json()["data"]
    assert events and {e["role"] for e in events} == {role}
