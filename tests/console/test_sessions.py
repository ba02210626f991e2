"""Console sessions: cookie flags, fixation, CSRF, expiry, revocation, role, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.console import sessions
from tests.console.support import browser, csrf_of, events, sign_in, sign_in_csrf


@pytest.fixture
def console(make_api, sqlite_url, test_clock):
    return make_api(sqlite_url, clock=test_clock)


def test_sign_in_sets_an_httponly_secure_strict_cookie_with_a_new_id_each_time(console):
    client = browser(console)
    form = client.get("/console/sign-in")
    pre_cookie = form.headers["set-cookie"]
    assert "HttpOnly" in pre_cookie and "Secure" in pre_cookie and "SameSite=strict" in pre_cookie
    planted = "attacker-chosen-session-id-0123456789"
    client.cookies.set(sessions.SESSION_COOKIE, planted, domain="console.example", path="/console")
    response = client.post(
        "/console/sign-in",
        data={"csrf": sign_in_csrf(form.text), "api_key": console.keys["compliance"]},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.SESSION_COOKIE}=")
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/console"):
        assert flag in cookie
    first = client.cookies.get(sessions.SESSION_COOKIE, path="/console")
    assert first and first != planted
    assert client.get("/console").status_code == 200
    sign_in(client, console.keys["compliance"])
    second = client.cookies.get(sessions.SESSION_COOKIE, path="/console")
    assert second != first
    # the session the browser held before signing in again is over
    stale = browser(console)
    stale.cookies.set(sessions.SESSION_COOKIE, first, domain="console.example", path="/console")
    assert stale.get("/console").status_code == 401


def test_cookie_is_not_secure_on_loopback_only(console):
    from fastapi.testclient import TestClient

    local = TestClient(console.app, base_url="http://127.0.0.1:8000")
    assert "Secure" not in local.get("/console/sign-in").headers["set-cookie"]
    assert "Secure" in browser(console).get("/console/sign-in").headers["set-cookie"]


def test_wrong_key_and_service_key_are_refused_and_audited(console):
    client = browser(console)
    form = client.get("/console/sign-in")
    bad = client.post(
        "/console/sign-in", data={"csrf": sign_in_csrf(form.text), "api_key": "srk_nope"}
    )
    assert bad.status_code == 401
    assert "unknown, revoked or expired" in bad.text
    form = client.get("/console/sign-in")
    service = client.post(
        "/console/sign-in",
        data={"csrf": sign_in_csrf(form.text), "api_key": console.keys["service"]},
    )
    assert service.status_code == 403
    assert sessions.SESSION_COOKIE not in client.cookies
    sign_ins = [e for e in events(console) if e.action == "console:session:create"]
    assert [(e.actor, e.outcome, e.status) for e in sign_ins] == [
        ("anonymous", "denied", 401),
        ("service", "denied", 403),
    ]


def test_sign_in_without_or_with_a_wrong_csrf_token_is_403(console):
    client = browser(console)
    client.get("/console/sign-in")
    key = console.keys["admin"]
    assert client.post("/console/sign-in", data={"api_key": key}).status_code == 403
    wrong = client.post("/console/sign-in", data={"api_key": key, "csrf": "0" * 64})
    assert wrong.status_code == 403
    # a token from another browser's sign-in form is no good here either
    other = browser(console)
    token = sign_in_csrf(other.get("/console/sign-in").text)
    assert client.post("/console/sign-in", data={"api_key": key, "csrf": token}).status_code == 403


def test_posts_need_the_sessions_csrf_token(console):
    client = browser(console)
    sign_in(client, console.keys["admin"])
    page = client.get("/console/principals")
    token = csrf_of(page.text)
    assert (
        client.post("/console/principals", data={"name": "x1", "role": "service"}).status_code
        == 403
    )
    wrong = client.post(
        "/console/principals", data={"name": "x1", "role": "service", "csrf": "ab" * 32}
    )
    assert wrong.status_code == 403
    assert client.post("/console/sign-out", data={}).status_code == 403
    made = client.post("/console/principals", data={"name": "x1", "role": "service", "csrf": token})
    assert made.status_code == 201
    assert "srk_" in made.text
    denied = [e for e in events(console) if e.action == "access:principal:create"]
    assert [e.outcome for e in denied if e.actor == "admin"] == ["denied", "denied", "allowed"]


def test_idle_and_absolute_expiry(console, test_clock):
    client = browser(console)
    sign_in(client, console.keys["compliance"])
    start = test_clock.now()
    test_clock.set(start + sessions.IDLE_TIMEOUT - timedelta(seconds=1))
    assert client.get("/console").status_code == 200
    test_clock.set(start + 2 * sessions.IDLE_TIMEOUT - timedelta(seconds=2))
    assert client.get("/console").status_code == 200  # each view keeps it alive
    test_clock.set(start + 3 * sessions.IDLE_TIMEOUT)
    expired = client.get("/console")
    assert expired.status_code == 401
    assert 'href="/console/sign-in"' in expired.text
    # absolute: kept busy, it still ends 8 hours after sign-in
    sign_in(client, console.keys["compliance"])
    begun = test_clock.now()
    moment = begun
    while moment + timedelta(minutes=10) < begun + sessions.ABSOLUTE_TIMEOUT:
        moment += timedelta(minutes=10)
        test_clock.set(moment)
        assert client.get("/console").status_code == 200
    test_clock.set(begun + sessions.ABSOLUTE_TIMEOUT)
    assert client.get("/console").status_code == 401


def test_sign_out_and_principal_revocation_end_sessions(console):
    client = browser(console)
    sign_in(client, console.keys["compliance"])
    secret = client.cookies.get(sessions.SESSION_COOKIE, path="/console")
    page = client.get("/console")
    out = client.post("/console/sign-out", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 200
    replay = browser(console)
    replay.cookies.set(sessions.SESSION_COOKIE, secret, domain="console.example", path="/console")
    assert replay.get("/console").status_code == 401

    console.add_principal("officer", "compliance")
    officer = browser(console)
    sign_in(officer, console.keys["officer"])
    admin = browser(console)
    sign_in(admin, console.keys["admin"])
    page = admin.get("/console/principals")
    revoked = admin.post("/console/principals/officer/revoke", data={"csrf": csrf_of(page.text)})
    assert revoked.status_code == 200
    assert officer.get("/console").status_code == 401


def test_compliance_cannot_open_principals_and_the_refusal_is_audited(console):
    client = browser(console)
    sign_in(client, console.keys["compliance"])
    home = client.get("/console")
    assert "/console/principals" not in home.text
    response = client.get("/console/principals")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    last = [e for e in events(console) if e.action == "access:principal:list"][-1]
    assert (last.actor, last.role, last.outcome, last.status) == (
        "compliance",
        "compliance",
        "denied",
        403,
    )


def test_every_console_request_is_in_the_trail_with_the_principals_name(console):
    client = browser(console)
    sign_in(client, console.keys["compliance"])
    before = len(events(console))
    paths = ["/console", "/console/trail", "/console/health", "/console/inventory"]
    for path in paths:
        assert client.get(path).status_code == 200
    recorded = events(console)[before:]
    assert [(e.actor, e.role, e.outcome) for e in recorded] == [
        ("compliance", "compliance", "allowed")
    ] * len(paths)
    assert [e.action for e in recorded] == [
        "console:page:read",
        "audit:event:list",
        "audit:tree:verify",
        "inventory:inventory:read",
    ]
    anonymous = browser(console).get("/console/trail")
    assert anonymous.status_code == 401
    assert events(console)[-1].outcome == "denied"


def test_console_is_not_in_openapi_and_pages_carry_a_strict_csp(console):
    spec = console.call("GET", "/openapi.json", who=None).json()
    assert not [p for p in spec["paths"] if p.startswith("/console")]
    page = browser(console).get("/console/sign-in")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in page.text and "style=" not in page.text


def test_recorded_free_text_is_escaped_on_the_pages(console):
    hostile = "<script>alert(1)</script>"
    created = console.call(
        "POST", "/v1/customers", json={"name": "Ada Lovelace", "email": "ada@example.com"}
    )
    token = created.json()["id"]
    revealed = console.call(
        "GET", f"/v1/customers/{token}/reveal?fields=email", headers={"X-Purpose": hostile}
    )
    assert revealed.status_code == 200
    client = browser(console)
    sign_in(client, console.keys["compliance"])
    for page in (
        client.get("/console/subjects", params={"customer": token}),
        client.get("/console/trail", params={"actor": hostile}),
    ):
        assert page.status_code == 200
        assert hostile not in page.text
    assert "&lt;script&gt;" in client.get("/console/subjects", params={"customer": token}).text


def test_a_session_lives_and_ends_on_each_storage_backend(api):
    client = browser(api)
    sign_in(client, api.keys["admin"])
    page = client.get("/console/trail")
    assert page.status_code == 200
    assert client.post("/console/sign-out", data={"csrf": csrf_of(page.text)}).status_code == 200
    assert client.get("/console/trail").status_code == 401
    actions = [(e.actor, e.action, e.outcome) for e in events(api)][-4:]
    assert actions == [
        ("admin", "console:session:create", "allowed"),
        ("admin", "audit:event:list", "allowed"),
        ("admin", "console:session:delete", "allowed"),
        ("anonymous", "audit:event:list", "denied"),
    ]


def test_the_scheduler_deletes_sessions_that_can_no_longer_be_used(console, test_clock):
    from sqlalchemy import func, select

    from service.console.models import ConsoleSession
    from service.jobs.scheduler import run_due_jobs

    def stored() -> int:
        with console.ctx.session_factory() as session:
            return session.scalar(select(func.count()).select_from(ConsoleSession))

    signed_out, idle, live = browser(console), browser(console), browser(console)
    for client in (signed_out, idle, live):
        sign_in(client, console.keys["compliance"])
    page = signed_out.get("/console")
    signed_out.post("/console/sign-out", data={"csrf": csrf_of(page.text)})
    test_clock.set(test_clock.now() + sessions.IDLE_TIMEOUT - timedelta(minutes=1))
    live.get("/console")
    test_clock.set(test_clock.now() + timedelta(minutes=2))
    assert stored() == 3
    assert run_due_jobs(console.ctx, test_clock.now())["console-session-expiry"] == 2
    assert stored() == 1
    assert live.get("/console").status_code == 200


def test_an_admin_ends_someones_console_sessions_without_revoking_the_key(console):
    officer = browser(console)
    sign_in(officer, console.keys["compliance"])
    admin = browser(console)
    sign_in(admin, console.keys["admin"])
    page = admin.get("/console/principals")
    assert "End the console sessions of compliance" in page.text
    ended = admin.post(
        "/console/principals/compliance/sessions/revoke", data={"csrf": csrf_of(page.text)}
    )
    assert ended.status_code == 200
    assert officer.get("/console").status_code == 401
    assert console.call("GET", "/v1/inventory", who="compliance").status_code == 200
    sign_in(officer, console.keys["compliance"])
    token = csrf_of(officer.get("/console").text)
    refused = officer.post("/console/principals/admin/sessions/revoke", data={"csrf": token})
    assert refused.status_code == 403
    assert admin.get("/console").status_code == 200
