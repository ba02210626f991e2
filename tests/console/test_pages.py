"""What the pages say: money as people write it, downloads, the breach report, errors as pages."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from service.web.humanize import format_money, utc_text
from tests.console.support import browser, csrf_of, events, sign_in


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (21485650, "USD", "$214,856.50"),
        (500, "JPY", "¥500"),
        (100000, "eur", "€1,000.00"),
        (1234, "KWD", "KWD1.234"),  # three minor digits (CLDR), not a hand-written table
    ],
)
def test_money_is_formatted_per_currency(amount, currency, text):
    assert format_money(amount, currency) == text


def test_times_are_shown_in_utc_before_the_browser_localises_them():
    assert utc_text("2026-12-04T01:02:03.456Z") == "2026-12-04 01:02:03 UTC"


def test_audit_page_shows_amounts_as_money_and_offers_every_download(sqlite_api):
    customer = sqlite_api.call(
        "POST",
        "/v1/customers",
        json={"name": "Ada Lovelace", "email": "ada@example.com", "payment_method": "pm_card_visa"},
    ).json()["id"]
    charged = sqlite_api.call(
        "POST",
        "/v1/charges",
        json={"customer": customer, "amount": 21485650 // 100, "currency": "usd"},
        headers={"Idempotency-Key": "console-money-1"},
    )
    assert charged.status_code == 201, charged.text
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["compliance"])
    window = {"from": "2000-01-01T00:00", "to": "2100-01-01T00:00"}
    page = client.get("/console/audits/pause-and-charge-activity", params=window)
    assert page.status_code == 200
    assert "$2,148.56" in page.text
    for fmt, media in (
        ("md", "text/markdown"),
        ("csv", "text/csv"),
        ("json", "application/json"),
        ("html", "text/html"),
    ):
        download = client.get(
            "/console/audits/pause-and-charge-activity/download", params={**window, "format": fmt}
        )
        assert download.status_code == 200
        assert download.headers["content-type"].startswith(media)
        assert download.headers["content-disposition"] == (
            f'attachment; filename="pause-and-charge-activity.{fmt}"'
        )
    assert client.get("/console/audits/no-such-audit").status_code == 404


def test_breach_report_and_its_csv(sqlite_api):
    token = sqlite_api.call(
        "POST", "/v1/customers", json={"name": "Ada Lovelace", "email": "ada@example.com"}
    ).json()["id"]
    sqlite_api.call(
        "GET",
        f"/v1/customers/{token}/reveal?fields=name,email",
        who="compliance",
        headers={"X-Purpose": "ticket 1"},
    )
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["admin"])
    query = {"from": "2000-01-01T00:00", "to": "2100-01-01T00:00", "actors": "compliance"}
    page = client.get("/console/breach", params=query)
    assert page.status_code == 200
    assert "Exposed: 1 subject" in page.text and token in page.text
    csv = client.get("/console/breach.csv", params=query)
    assert csv.text.splitlines() == ["customer,categories", f"{token},contact.name contact.email"]
    nobody = client.get("/console/breach", params={**query, "actors": "someone-else"})
    assert "Exposed: 0 subjects" in nobody.text
    backwards = client.get("/console/breach", params={**query, "from": "2200-01-01T00:00"})
    assert backwards.status_code == 422
    assert "must not be after" in backwards.text
    assert client.get("/console/breach", params={**query, "key_versions": "x"}).status_code == 422


def test_subject_pages_for_unknown_and_known_customers(sqlite_api):
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["compliance"])
    assert client.get("/console/subjects").status_code == 200
    missing = client.get("/console/subjects", params={"customer": "cus_tok_0123456789abcdef"})
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]


def test_key_status_page_counts_data_keys_per_version(sqlite_api):
    sqlite_api.call("POST", "/v1/customers", json={"name": "Ada Lovelace", "email": "a@b.example"})
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["compliance"])
    page = client.get("/console/keys")
    assert page.status_code == 200
    assert "latest" in page.text and ">1</td>" in page.text


def test_reveal_needs_a_purpose_shows_only_what_was_asked_and_is_audited(sqlite_api):
    token = sqlite_api.call(
        "POST", "/v1/customers", json={"name": "Ada Lovelace", "email": "ada@example.com"}
    ).json()["id"]
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["compliance"])
    subject = client.get("/console/subjects", params={"customer": token})
    assert "ada@example.com" not in subject.text and "Lovelace" not in subject.text
    assert 'name="field:email"' in subject.text
    csrf = csrf_of(subject.text)
    url = f"/console/subjects/{token}/reveal"
    no_purpose = client.post(url, data={"csrf": csrf, "field:email": "1"})
    assert no_purpose.status_code == 400
    no_fields = client.post(url, data={"csrf": csrf, "purpose": "ticket 7"})
    assert no_fields.status_code == 422
    shown = client.post(url, data={"csrf": csrf, "field:email": "1", "purpose": "ticket 7"})
    assert shown.status_code == 200
    assert "ada@example.com" in shown.text and "Lovelace" not in shown.text
    event = [e for e in events(sqlite_api) if e.action == "customers:customer:reveal"][-1]
    assert (event.actor, event.outcome, event.purpose) == ("compliance", "allowed", "ticket 7")
    assert token in event.targets and "email" in event.fields
    assert client.post(url, data={"field:email": "1", "purpose": "x"}).status_code == 403


def test_unknown_console_paths_answer_with_a_page_and_are_audited(sqlite_api):
    response = browser(sqlite_api).get("/console/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert events(sqlite_api)[-1].action == "http:route:unknown"


def test_overview_charts_reveals_by_purpose(sqlite_api):
    token = sqlite_api.call(
        "POST", "/v1/customers", json={"name": "Ada Lovelace", "email": "ada@example.com"}
    ).json()["id"]
    for purpose in ("chargeback 9", "chargeback 9", "ticket 3"):
        sqlite_api.call(
            "GET", f"/v1/customers/{token}/reveal?fields=email", headers={"X-Purpose": purpose}
        )
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["compliance"])
    page = client.get("/console")
    assert "Reveals by purpose" in page.text
    assert "<title>chargeback 9: 2</title>" in page.text


def test_trail_pages_with_a_cursor_and_keeps_the_filters(sqlite_api):
    for _ in range(60):
        sqlite_api.call("GET", "/v1/audit/verify", who="compliance")
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["admin"])
    first = client.get("/console/trail", params={"actor": "compliance"})
    assert first.status_code == 200
    assert first.text.count("<tr>") == 1 + 50  # the header row and a full page
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert "actor=compliance" in next_url
    second = client.get(next_url)
    assert second.text.count("<tr>") == 1 + 10
    assert 'rel="next"' not in second.text and "First page" in second.text
    assert client.get("/console/trail", params={"cursor": "%%%"}).status_code == 422


def test_a_new_principals_key_is_shown_once_and_works(sqlite_api):
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["admin"])
    page = client.get("/console/principals")
    made = client.post(
        "/console/principals",
        data={"csrf": csrf_of(page.text), "name": "night-shift", "role": "compliance"},
    )
    key = re.search(r'id="new-key">([^<]+)<', made.text).group(1)
    assert key not in client.get("/console/principals").text
    assert (
        sqlite_api.call(
            "GET", "/v1/inventory", headers={"Authorization": f"Bearer {key}"}, who=None
        ).status_code
        == 200
    )
    listed = client.get("/console/principals")
    revoke = client.post(
        "/console/principals/night-shift/revoke", data={"csrf": csrf_of(listed.text)}
    )
    assert revoke.status_code == 200
    assert (
        sqlite_api.call(
            "GET", "/v1/inventory", headers={"Authorization": f"Bearer {key}"}, who=None
        ).status_code
        == 401
    )


def test_hostile_input_gets_an_error_page_never_a_500_on_either_backend(api):
    client = browser(api)
    sign_in(client, api.keys["admin"])
    csrf = csrf_of(client.get("/console").text)
    cases = [
        (client.get("/console/trail", params={"actor": "a\x00b"}), 422),
        (client.get("/console/trail/aud_%00"), 404),
        (client.get("/console/trail", params={"actor": "' OR 1=1 --"}), 200),
        (client.get("/console/subjects", params={"customer": "cus_tok_') OR ('1'='1"}), 404),
        (client.get("/console/trail", params={"from": "yesterday"}), 422),
        (
            client.post("/console/principals", data={"csrf": csrf, "name": "x\x00", "role": "x"}),
            422,
        ),
        (client.post("/console/principals", data={"csrf": csrf, "name": "a" * 70_000}), 413),
        (client.post("/console/principals", json={"csrf": csrf}), 415),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text[:300])
        assert response.headers["content-type"].startswith("text/html")
    failed = [e for e in events(api) if e.status in (413, 415, 422)]
    assert failed and {e.actor for e in failed} == {"admin"}


def test_markdown_and_html_report_tables_show_amounts_as_money():
    from service.reports import render_html, render_text
    from service.reports.model import Table

    table = Table(
        columns=["kind", "status", "currency", "records", "total amount"],
        rows=[
            ["one_off", "succeeded", "USD", 2, 21485650],
            ["one_off", "succeeded", "JPY", 1, 500],
        ],
    )
    for text in ("\n".join(render_text._md_table(table)), render_html._table(table)):
        assert "$214,856.50" in text and "¥500" in text
        assert "| 2 |" in text or ">2<" in text  # a count stays a count


def test_an_events_page_links_to_its_request_and_the_trail_filters_by_request_id(sqlite_api):
    sqlite_api.call("GET", "/v1/inventory", who="compliance", headers={"X-Request-Id": "req-42"})
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["admin"])
    trail = client.get("/console/trail", params={"request_id": "req-42"})
    assert trail.text.count("<tr>") == 2
    event_id = re.search(r"/console/trail/(aud_[0-9a-f]+)", trail.text).group(1)
    event = client.get(f"/console/trail/{event_id}")
    assert 'href="/console/trail?request_id=req-42"' in event.text
    assert "inventory:inventory:read" in event.text


def test_an_events_page_shows_its_inclusion_proof_checked_and_health_shows_the_tree(sqlite_api):
    from sqlalchemy import text

    sqlite_api.call("GET", "/v1/inventory", who="compliance", headers={"X-Request-Id": "req-77"})
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["admin"])
    trail = client.get("/console/trail", params={"request_id": "req-77"})
    event_id = re.search(r"/console/trail/(aud_[0-9a-f]+)", trail.text).group(1)
    page = client.get(f"/console/trail/{event_id}")
    assert "Included in the signed tree of" in page.text and "(proof checked)" in page.text
    health = client.get("/console/health")
    assert "The trail verifies" in health.text
    assert "tree_size" in health.text and "queued" in health.text and "anchors" in health.text

    # A tree head rewritten in the database: the proof no longer checks out on the page.
    with sqlite_api.ctx.engine.begin() as conn:
        conn.execute(text("UPDATE audit_tree_heads SET root_hash = :r"), {"r": "ab" * 32})
    page = client.get(f"/console/trail/{event_id}")
    assert "does NOT check out" in page.text
    assert "does NOT verify" in client.get("/console/health").text


def test_creating_and_revoking_a_principal_in_the_console_is_one_event_each(sqlite_api):
    """One request, one event (DESIGN, invariant 6): the page's own event names the
    principal; the change adds no second, system event."""
    client = browser(sqlite_api)
    sign_in(client, sqlite_api.keys["admin"])
    page = client.get("/console/principals")
    made = client.post(
        "/console/principals",
        data={"csrf": csrf_of(page.text), "name": "night-shift", "role": "compliance"},
    )
    assert made.status_code == 201
    listed = client.get("/console/principals")
    revoked = client.post(
        "/console/principals/night-shift/revoke", data={"csrf": csrf_of(listed.text)}
    )
    assert revoked.status_code == 200
    for action in ("access:principal:create", "access:principal:revoke"):
        recorded = [
            e
            for e in events(sqlite_api)
            if e.action == action and "principal:night-shift" in json.loads(e.targets)
        ]
        assert [(e.actor, e.role, e.outcome) for e in recorded] == [("admin", "admin", "allowed")]
    by_request = Counter(e.request_id for e in events(sqlite_api) if e.request_id)
    assert max(by_request.values()) == 1
