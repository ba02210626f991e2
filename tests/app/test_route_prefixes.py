"""The quick refusal of included routers by the literal start of their paths
(service/app/route_prefixes.py): every route is still reached, and a request no longer tries
the routes of routers its path cannot belong to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match

from service.app.route_prefixes import literal_prefixes
from service.app.routing import AuditedRoute
from tests.fixtures.app import Api

TOKEN = "abcdefgh12345678"


def _concrete(path: str) -> str:
    """A path of the route's shape: each ``{parameter}`` a token-like value."""
    return re.sub(r"\{[^}]+\}", lambda m: f"x_{TOKEN}", path)


def _audited_routes(api: Api) -> Iterator[tuple[str, str]]:
    for route in api.app.routes:
        router = getattr(route, "original_router", None)
        for inner in router.routes if router is not None else [route]:
            if isinstance(inner, AuditedRoute):
                for method in sorted(inner.methods - {"HEAD"}):
                    yield method, inner.path


def test_every_audited_route_is_still_reached(sqlite_api: Api) -> None:
    routes = list(_audited_routes(sqlite_api))
    assert len(routes) >= 40, routes  # the whole API, not a part of it
    for method, path in routes:
        # Without a key every audited route answers 401: the request reached the route class.
        # A route the refusal hid would answer 404 (or 405 from a neighbour).
        answered = sqlite_api.call(method, _concrete(path), who=None)
        assert answered.status_code == 401, (method, path, answered.status_code)


def test_paths_of_no_route_still_answer_404(sqlite_api: Api) -> None:
    for path in ("/v1/customer", "/v1/customersx", "/v2/customers", "/v1/charges/a/b/c"):
        assert sqlite_api.call("GET", path, who=None).status_code == 404, path


@pytest.fixture
def route_matches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    tried: list[str] = []
    real = APIRoute.matches

    def counting(self: APIRoute, scope: Any) -> tuple[Match, Any]:
        tried.append(self.path)
        return real(self, scope)

    monkeypatch.setattr(APIRoute, "matches", counting)
    return tried


def test_a_request_tries_only_the_routes_of_routers_its_path_can_belong_to(
    sqlite_api: Api, route_matches: list[str]
) -> None:
    customer = sqlite_api.call(
        "POST", "/v1/customers", who="service", json={"name": "Route Person", "email": "r@x.io"}
    )
    assert customer.status_code == 201, customer.text
    route_matches.clear()
    read = sqlite_api.call("GET", f"/v1/customers/{customer.json()['id']}", who="service")
    assert read.status_code == 200, read.text
    # Only the customer routes (matched twice: once to choose the router, once to handle).
    assert route_matches, "no route was tried: the count no longer sees FastAPI's matching"
    assert all(path.startswith("/v1/customers") for path in route_matches), route_matches


def test_a_router_with_a_route_of_unknown_path_keeps_full_matching() -> None:
    class Unknown:
        path = None

    assert literal_prefixes([Unknown()]) is None
    assert literal_prefixes([]) is None


def test_literal_prefixes_end_at_the_first_parameter() -> None:
    class Route:
        def __init__(self, path: str) -> None:
            self.path = path

    routes = [Route("/v1/charges"), Route("/v1/charges/{token}"), Route("/v1/charges/{t}/x")]
    assert literal_prefixes(routes) == ("/v1/charges", "/v1/charges/")
