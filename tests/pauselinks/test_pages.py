"""The subscriber's page behind a pause link, through the real app (ASGI), the real pause
engine and a real webhook receiver: what the preview promises is what ``/upcoming`` then
shows, for every resume mode; confirming is the pause, with its event and its audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from tests.pauselinks.support import (
    as_listed,
    at,
    clocked_api,
    confirmation,
    new_link,
    shown,
    subscriber,
)
from tests.subscriptions.support import move_clock, new_customer, new_subscription, read, upcoming


def audit_events(api, action: str) -> list[AuditEvent]:
    with api.ctx.session_factory() as session:
        rows = list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )
        session.expunge_all()
        return rows


@pytest.mark.parametrize("mode", ["shift", "skip", "credit"])
def test_the_preview_is_what_upcoming_shows_once_the_pause_is_confirmed(
    make_api, db_url, tmp_path, receiver, mode
) -> None:
    api = clocked_api(make_api, db_url, tmp_path, modes=f"[{mode}]")
    hook = api.call(
        "POST", "/v1/webhook-endpoints", json={"url": receiver.url, "events": ["pause.scheduled"]}
    )
    assert hook.status_code == 201, hook.text
    sub = new_subscription(api, new_customer(api), amount=3000, start_at=at(0))
    move_clock(api, at(5))  # mid-period: the pause covers the next due date (Jan 1)
    link_id, path = new_link(api, sub["id"], lengths=[14, 30])
    browser = subscriber(api)

    chooser = browser.get(path)
    assert chooser.status_code == 200, chooser.text
    assert 'id="days-14"' in chooser.text and 'id="days-30"' in chooser.text
    assert 'id="days-7"' not in chooser.text  # the link's own lengths, not the policy's
    assert as_listed(upcoming(api, sub["id"], 3)) == shown(chooser.text).charges

    page = browser.get(path, params={"days": "30", "mode": mode})
    assert page.status_code == 200, page.text
    promised = shown(page.text)
    assert "Your subscription resumes on" in page.text
    assert "Your next charge will be" in page.text
    assert promised.resumes_at == at(35).replace("+00:00", "Z")
    # Nothing happens before the subscriber confirms.
    assert read(api, sub["id"])["pauses"] == []

    done = browser.post(
        path,
        data=confirmation(page.text),
    )
    assert done.status_code == 200, done.text
    entries = upcoming(api, sub["id"], 3)
    assert as_listed(entries) == promised.charges
    assert shown(done.text).charges == promised.charges
    first_paid = next(e for e in entries if e["status"] == "scheduled" and e["amount_due"] > 0)
    assert (promised.next_due_at, promised.next_amount) == (
        first_paid["due_at"],
        first_paid["amount_due"],
    )
    pause = read(api, sub["id"])["pauses"][0]
    assert (pause["resume_mode"], pause["ends_at"]) == (mode, promised.resumes_at)
    assert pause["created_by"] == f"subscriber-link:{link_id}"
    statuses = {entry[3] for entry in promised.charges}
    if mode == "skip":
        assert "skipped" in statuses
    if mode == "credit":
        assert any(entry[2] > 0 for entry in promised.charges)

    (event,) = audit_events(api, "subscriber:pause_link:pause")
    assert (event.actor, event.role, event.outcome) == (
        f"subscriber-link:{link_id}",
        "subscriber",
        "allowed",
    )
    assert {link_id, sub["id"], pause["id"]} <= set(json.loads(event.targets))
    # the page shows the customer's masked name: the event names whose (issue 16)
    assert sub["customer"] in json.loads(event.targets)
    assert json.loads(event.fields) == ["contact.name"]

    move_clock(api, at(5.01))  # runs the delivery job
    delivered = [json.loads(r.body) for r in receiver.received]
    assert [(e["type"], e["data"]["pause"]) for e in delivered] == [
        ("pause.scheduled", pause["id"])
    ]

    used = browser.get(path)
    assert used.status_code == 410 and "already been used" in used.text


def test_resume_now_shows_its_preview_first_and_then_does_exactly_that(
    make_api, sqlite_url, tmp_path
) -> None:
    api = clocked_api(make_api, sqlite_url, tmp_path)
    sub = new_subscription(api, new_customer(api), amount=4900, start_at=at(0))
    move_clock(api, at(3))
    paused = api.call(
        "POST",
        f"/v1/subscriptions/{sub['id']}/pauses",
        who="service",
        json={"start": "now", "days": 40, "resume_mode": "shift"},
    )
    assert paused.status_code == 201, paused.text
    move_clock(api, at(10))
    link_id, path = new_link(api, sub["id"])
    browser = subscriber(api)

    page = browser.get(path)
    assert page.status_code == 200
    assert "Paused until" in page.text and "January 13, 2027" in page.text
    preview = browser.get(path, params={"resume": "preview"})
    promised = shown(preview.text)
    assert promised.resumes_at == at(10).replace("+00:00", "Z")
    done = browser.post(path, data=confirmation(preview.text))
    assert done.status_code == 200, done.text
    assert "active again" in done.text
    assert as_listed(upcoming(api, sub["id"], 3)) == promised.charges
    state = read(api, sub["id"])
    assert state["status"] == "active"
    assert state["pauses"][0]["ends_at"] == promised.resumes_at
    (event,) = audit_events(api, "subscriber:pause_link:resume")
    assert event.actor == f"subscriber-link:{link_id}" and event.outcome == "allowed"


def test_expired_used_and_revoked_links_say_so_and_reveal_nothing_else(
    make_api, sqlite_url, tmp_path
) -> None:
    api = clocked_api(make_api, sqlite_url, tmp_path)
    sub = new_subscription(api, new_customer(api), plan="platinum-annual", start_at=at(0))
    _, expiring = new_link(api, sub["id"], expires_in_hours=1)
    revoked_id, revoked = new_link(api, sub["id"])
    assert api.call("DELETE", f"/v1/pause-links/{revoked_id}", who="service").status_code == 200
    browser = subscriber(api)
    assert browser.get(expiring).status_code == 200
    move_clock(api, at(1 / 24))  # exactly one hour: expired
    pages = {"expired": browser.get(expiring), "revoked": browser.get(revoked)}
    assert "has expired" in pages["expired"].text
    assert "no longer valid" in pages["revoked"].text
    for page in pages.values():
        assert page.status_code == 410
        assert "platinum-annual" not in page.text and "H***" not in page.text
        assert 'name="csrf"' not in page.text and "data-due-at" not in page.text


def test_a_link_confirmed_twice_at_once_pauses_once(make_api, pg_url, tmp_path) -> None:
    """Two tabs (or a double tap) submit the same confirmation together, on PostgreSQL: one
    goes through; the other waits on the row locks (the link's, the subscription's) and is
    refused with a page, whichever check stops it first (link used, or pause overlapping)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    api = clocked_api(make_api, pg_url, tmp_path)
    sub = new_subscription(api, new_customer(api), start_at=at(0))
    _, path = new_link(api, sub["id"])
    first = subscriber(api)
    page = first.get(path, params={"days": "14"})
    form = confirmation(page.text)
    tabs = [first, subscriber(api)]
    tabs[1].cookies = first.cookies
    barrier = Barrier(2)

    def submit(tab):
        barrier.wait()
        return tab.post(path, data=form).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(submit, tabs))
    assert statuses == [200, 409]
    assert len(read(api, sub["id"])["pauses"]) == 1


def test_a_confirmation_of_figures_that_have_since_changed_shows_the_new_ones_first(
    make_api, sqlite_url, tmp_path
) -> None:
    """The subscriber looked on one day and confirms the next: with the pause starting now,
    the engine's answer differs from what they saw, so nothing is done; the page shows the new
    answer, and confirming that one works."""
    api = clocked_api(make_api, sqlite_url, tmp_path)
    sub = new_subscription(api, new_customer(api), start_at=at(0))
    move_clock(api, at(2))
    link_id, path = new_link(api, sub["id"])
    browser = subscriber(api)
    seen = browser.get(path, params={"days": "14"})
    move_clock(api, at(3))
    stale = browser.post(path, data=confirmation(seen.text))
    assert stale.status_code == 409
    assert "changed since you looked" in stale.text
    assert read(api, sub["id"])["pauses"] == []
    assert shown(stale.text).resumes_at == at(17).replace("+00:00", "Z")
    done = browser.post(path, data=confirmation(stale.text))
    assert done.status_code == 200, done.text
    assert read(api, sub["id"])["pauses"][0]["ends_at"] == at(17).replace("+00:00", "Z")
    attempts = audit_events(api, "subscriber:pause_link:pause")
    assert [(e.actor, e.status) for e in attempts] == [
        (f"subscriber-link:{link_id}", 409),
        (f"subscriber-link:{link_id}", 200),
    ]


def test_when_the_policy_allows_several_modes_the_subscriber_chooses_one(
    make_api, sqlite_url, tmp_path
) -> None:
    api = clocked_api(make_api, sqlite_url, tmp_path, modes="[shift, credit]")
    sub = new_subscription(api, new_customer(api), start_at=at(0))
    move_clock(api, at(5))
    _, path = new_link(api, sub["id"])
    browser = subscriber(api)
    chooser = browser.get(path)
    assert 'id="mode-shift"' in chooser.text and 'id="mode-credit"' in chooser.text
    assert "<legend>While paused</legend>" in chooser.text
    page = browser.get(path, params={"days": "30", "mode": "credit"})
    assert page.status_code == 200
    done = browser.post(path, data=confirmation(page.text))
    assert done.status_code == 200
    assert read(api, sub["id"])["pauses"][0]["resume_mode"] == "credit"
    assert as_listed(upcoming(api, sub["id"], 3)) == shown(page.text).charges


def test_each_view_names_the_customer_whose_masked_name_it_showed(
    make_api, sqlite_url, tmp_path
) -> None:
    """The subject and breach reports count every read: a page that shows the masked name
    names its customer and the category in its event; a closed link's page shows neither."""
    api = clocked_api(make_api, sqlite_url, tmp_path)
    sub = new_subscription(api, new_customer(api), start_at=at(0))
    link_id, path = new_link(api, sub["id"])
    browser = subscriber(api)
    assert browser.get(path).status_code == 200
    assert api.call("DELETE", f"/v1/pause-links/{link_id}", who="service").status_code == 200
    assert browser.get(path).status_code == 410
    shown_view, closed_view = audit_events(api, "subscriber:pause_link:view")
    assert sub["customer"] in json.loads(shown_view.targets)
    assert json.loads(shown_view.fields) == ["contact.name"]
    assert sub["customer"] not in json.loads(closed_view.targets)
    assert closed_view.fields is None or json.loads(closed_view.fields) in (None, [])
