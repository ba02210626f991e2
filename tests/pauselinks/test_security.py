"""Pause links attacked as an attacker would: forged and truncated tokens, forms posted from
elsewhere, floods from one address and on one link; and the token looked for everywhere it
must never be (database columns, audit, events, logs)."""

from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy import text

from service.app.logging import JsonLineFormatter
from service.pauselinks.tokens import token_hash
from service.redaction.log_filter import RedactingFilter
from service.redaction.redactor import get_redactor
from service.web.security import CONTENT_SECURITY_POLICY
from tests.pauselinks.support import (
    at,
    clocked_api,
    confirmation,
    csrf_of,
    new_link,
    row_counts,
    subscriber,
)
from tests.subscriptions.support import move_clock, new_customer, new_subscription, read


@pytest.fixture
def linked(make_api, sqlite_url, tmp_path):
    api = clocked_api(make_api, sqlite_url, tmp_path)
    sub = new_subscription(api, new_customer(api), start_at=at(0))
    link_id, path = new_link(api, sub["id"])
    return api, sub, link_id, path


def test_a_forged_or_truncated_token_is_a_404_page_that_writes_only_its_audit_event(linked):
    api, _, _, path = linked
    browser = subscriber(api)
    token = path.removeprefix("/p/")
    forged = "A" * 32 if token != "A" * 32 else "B" * 32
    attempts = [
        ("GET", forged),
        ("GET", token[:-1]),  # truncated
        ("GET", token[:16]),
        ("GET", token + "x"),
        ("POST", forged),
        ("GET", "%00" + token[1:]),
    ]
    for method, candidate in attempts:
        before = row_counts(api)
        response = browser.request(method, f"/p/{candidate}", data={"action": "pause"})
        assert response.status_code == 404, (candidate, response.status_code)
        assert "Link not found" in response.text
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        after = row_counts(api)
        changed = {t: after[t] - before[t] for t in after if after[t] != before[t]}
        # The event, the tree head the (inline, in tests) sequencer signs over it, and the
        # source address's rate counter (shared by every worker: guessing tokens is what the
        # per-address limit exists for, so a forged token must count).
        assert changed.pop("audit_events") == 1, (candidate, changed)
        assert set(changed) <= {"audit_tree_heads", "rate_counters"}, (candidate, changed)
    with api.ctx.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT actor, role, targets, outcome, status FROM audit_events "
                "WHERE action LIKE 'subscriber:%' ORDER BY at"
            )
        ).all()
    assert [tuple(r) for r in rows][-len(attempts) :] == [
        ("anonymous", "anonymous", "[]", "error", 404)
    ] * len(attempts)


def test_a_form_without_this_browsers_csrf_token_changes_nothing(linked):
    api, sub, _, path = linked
    attacker = subscriber(api)  # has the link, not the subscriber's cookie
    victim = subscriber(api)
    victim_page = victim.get(path, params={"days": "14"})
    form = confirmation(victim_page.text)
    assert attacker.post(path, data=form).status_code == 403  # no cookie: the token is useless
    wrong = {**form, "csrf": "0" * 64}
    assert victim.post(path, data=wrong).status_code == 403
    assert victim.post(path, data={k: v for k, v in form.items() if k != "csrf"}).status_code == 403
    # The token of another link, in the same browser, does not carry over.
    _, other = new_link(api, sub["id"])
    assert victim.post(other, data=form).status_code == 403
    assert read(api, sub["id"])["pauses"] == []
    assert victim.post(path, data=form).status_code == 200
    assert len(read(api, sub["id"])["pauses"]) == 1


def test_a_length_or_mode_the_policy_does_not_offer_is_refused(linked):
    api, sub, _, path = linked
    browser = subscriber(api)
    page = browser.get(path, params={"days": "14"})
    for days, mode in (("91", "shift"), ("3", "shift"), ("13", "shift"), ("14", "skip")):
        forged = {"csrf": csrf_of(page.text), "action": "pause", "days": days, "mode": mode}
        assert browser.post(path, data=forged).status_code == 422, (days, mode)
        assert browser.get(path, params={"days": days, "mode": mode}).status_code == 422
    assert read(api, sub["id"])["pauses"] == []


def test_each_link_and_each_address_is_rate_limited(make_api, sqlite_url, tmp_path):
    api = clocked_api(
        make_api,
        sqlite_url,
        tmp_path,
        requests_per_minute_per_link=3,
        requests_per_minute_per_address=6,
    )
    sub = new_subscription(api, new_customer(api), start_at=at(0))
    _, first = new_link(api, sub["id"])
    _, second = new_link(api, sub["id"])
    browser = subscriber(api)
    assert [browser.get(first).status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = browser.get(first)
    assert limited.headers["retry-after"] == "60" and "wait a minute" in limited.text
    # The other link still opens, until the address has used up its own allowance.
    assert browser.get(second).status_code == 200
    assert browser.get("/p/" + "Z" * 32).status_code == 429  # forged tokens count too
    assert browser.get(second).status_code == 429


def test_pages_carry_the_strict_csp_no_referrer_and_a_strict_cookie(linked):
    api, _, _, path = linked
    page = subscriber(api).get(path)
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert '<meta name="referrer" content="no-referrer">' in page.text
    assert "<script" not in page.text and " style=" not in page.text
    cookie = page.headers["set-cookie"].lower()
    for attribute in ("httponly", "samesite=strict", "secure", "path=/p/"):
        assert attribute in cookie


def test_amounts_and_dates_follow_the_subscribers_language(make_api, sqlite_url, tmp_path):
    api = clocked_api(make_api, sqlite_url, tmp_path)
    sub = new_subscription(api, new_customer(api), amount=123456, currency="eur", start_at=at(0))
    _, path = new_link(api, sub["id"])
    german = subscriber(api, "de-DE,de;q=0.9,en;q=0.5").get(path, params={"days": "14"})
    assert "1.234,56\xa0€" in german.text and "15. Dezember 2026" in german.text
    assert "2 Wochen" in german.text
    english = subscriber(api, "en-US").get(path, params={"days": "14"})
    assert "€1,234.56" in english.text and "December 15, 2026" in english.text
    japanese = subscriber(api, "xx-unknown, ja;q=0.4").get(path, params={"days": "14"})
    assert "2026年12月15日" in japanese.text


def test_the_token_is_in_no_column_audit_field_event_or_log_line(linked, service_logging):
    api, _, link_id, path = linked
    token = path.removeprefix("/p/")
    browser = subscriber(api)
    page = browser.get(path, params={"days": "14"})
    assert browser.post(path, data=confirmation(page.text)).status_code == 200
    browser.get(path)
    move_clock(api, at(1))  # the pause's jobs and its event's delivery run
    with api.ctx.engine.connect() as conn:
        tables = [
            r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        ]
        dump = " ".join(
            str(value)
            for table in tables
            for row in conn.execute(text(f'SELECT * FROM "{table}"'))
            for value in row
        )
    assert token not in dump
    assert token_hash(token) in dump  # only its hash is kept
    assert link_id in dump
    log_text = service_logging.read_text(encoding="utf-8")
    assert token not in log_text


def test_access_log_lines_keep_the_path_shape_but_never_the_token() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(RedactingFilter(get_redactor()))
    logger = logging.getLogger("strongroom.test.pauselinks.access")
    logger.propagate = False
    logger.addHandler(handler)
    token = "q8Zr-Xc_1mN2bV3cX4zA5sD6fG7hJ8kL"
    try:
        # uvicorn.access's own format and argument order
        logger.warning(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:50412", "GET", f"/p/{token}?days=14", "1.1", 200
        )
        logger.warning("request", extra={"path": f"/p/{token}", "referer": f"https://x/p/{token}"})
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert token not in output
    assert 'GET /p/<PAUSE_LINK_TOKEN>?days=14 HTTP/1.1\\" 200' in output
    assert '"referer": "https://x/p/<PAUSE_LINK_TOKEN>"' in output


def test_a_path_or_method_no_page_takes_is_still_a_page_with_the_csp(linked):
    api, _, _, path = linked
    browser = subscriber(api)
    for method, target in (("PUT", path), ("DELETE", path), ("GET", path + "/extra")):
        response = browser.request(method, target)
        assert response.status_code in (404, 405), (method, target)
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
