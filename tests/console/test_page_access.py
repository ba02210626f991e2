"""Every console page answers every role exactly as the policy says, and nobody without a
session; the console's own authorization matrix (the API's is tests/access)."""

from __future__ import annotations

import re

from tests.access.test_route_coverage import api_routes
from tests.console.support import browser, csrf_of, sign_in


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "zzz_0123456789abcdef", path)


def test_console_matrix_every_page_every_role(sqlite_api):
    policy = sqlite_api.ctx.policy
    anonymous = browser(sqlite_api)
    signed_in = {}
    for role in ("compliance", "admin"):
        signed_in[role] = browser(sqlite_api)
        sign_in(signed_in[role], sqlite_api.keys[role])
    checked = 0
    for route in api_routes(sqlite_api, console=True):
        extra = route.openapi_extra
        if extra.get("x-console-public") or route.path == "/console/sign-out":
            continue  # signing in and out: tests/console/test_sessions.py
        path = concrete(route.path)
        for method in route.methods - {"HEAD"}:
            assert anonymous.request(method, path).status_code == 401, (method, path)
            for role, client in signed_in.items():
                data = {"csrf": csrf_of(client.get("/console").text)} if method == "POST" else None
                response = client.request(method, path, data=data)
                checked += 1
                if policy.allows(role, extra["x-action"]):
                    assert response.status_code not in (401, 403), (method, path, role)
                else:
                    assert response.status_code == 403, (method, path, role)
                assert response.headers["content-type"].startswith("text/"), (path, role)
    assert checked >= 20
