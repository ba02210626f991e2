"""A browser-like client for the console: HTTPS base URL (so Secure cookies travel), signs in
through the form, and reads CSRF tokens off pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from service.audit.models import AuditEvent
from tests.fixtures.app import Api

CSRF = re.compile(r'name="csrf" value="([^"]*)"')
SIGN_IN_CSRF = re.compile(r'id="signin-csrf" name="csrf" value="([^"]*)"')


def browser(api: Api) -> TestClient:
    return TestClient(api.app, base_url="https://console.example", raise_server_exceptions=False)


def csrf_of(html: str, pattern: re.Pattern[str] = CSRF) -> str:
    match = pattern.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in_csrf(html: str) -> str:
    return csrf_of(html, SIGN_IN_CSRF)


def sign_in(client: TestClient, key: str) -> None:
    form = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={"csrf": sign_in_csrf(form.text), "api_key": key},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console"


def events(api: Api) -> list[AuditEvent]:
    with api.ctx.session_factory() as session:
        rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        session.expunge_all()
        return rows
