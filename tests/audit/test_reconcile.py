"""The trail held against the access log (``strongroom audit reconcile``): an attacker who can
write the database deletes a request's event while it is still queued — sealed, but not yet in
the tree, so `verify` has nothing to miss it by. The live server's own log, which the attacker
cannot reach, names that event; reconcile finds it missing. Real HTTP, real OpenBao, SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from service.audit.reconcile import access_lines
from service.redaction.access_line import AccessLine
from tests.audit.test_cli import invoke
from tests.fixtures.live_server import LiveServer
from tests.reports.seed import cli_pointed_at


@pytest.fixture
def server(
    make_live_server: Callable[..., LiveServer],
    db_url: str,
    openbao: Any,
    localstripe: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LiveServer]:
    """A live server whose sequencer waits ten minutes and whose scheduler (its `audit-sequence`
    job) is off: every event of the test stays queued
    until the test sequences it. The CLI points at the same database and key service."""
    live = make_live_server(
        db_url=db_url,
        vault_addr=openbao.addr,
        vault_token=openbao.token,
        stripe_api_base=localstripe.url,
        env={
            "STRONGROOM_AUDIT_SEQUENCE_DELAY_MS": "600000",
            "STRONGROOM_SCHEDULER_ENABLED": "false",
        },
    )
    monkeypatch.setenv("STRONGROOM_AUDIT_ANCHOR_PATH", live._env["STRONGROOM_AUDIT_ANCHOR_PATH"])
    with cli_pointed_at(db_url, openbao, monkeypatch):
        yield live


def _requests(server: LiveServer) -> dict[str, str]:
    """A few requests of different kinds; their request ids by name."""
    created = server.call(
        "POST",
        "/v1/customers",
        who="service",
        json={"name": "Reconcile Person", "email": "reconcile.person@example.org"},
        headers={"Idempotency-Key": "reconcile-1", "X-Request-Id": "req_" + "1b" * 12},
    )
    assert created.status_code == 201, created.text
    customer = created.json()["id"]
    read = server.call(
        "GET",
        f"/v1/customers/{customer}",
        who="service",
        headers={"X-Request-Id": "req_" + "2a" * 12},
    )
    assert read.status_code == 200
    refused = server.call(
        "GET", "/v1/audit/events", who="service", headers={"X-Request-Id": "req_" + "4d" * 12}
    )
    assert refused.status_code == 403
    ids = {"create": "req_" + "1b" * 12, "read": "req_" + "2a" * 12, "refused": "req_" + "4d" * 12}
    for request_id in ids.values():
        _line_of(server, request_id)
    return ids


def _reconcile(server: LiveServer) -> tuple[int, dict[str, Any]]:
    code, out, _ = invoke("audit", "reconcile", str(server.log_path), "--format", "json")
    return code, json.loads(out)


def _line_of(server: LiveServer, request_id: str) -> AccessLine:
    """A request's access line: written once the response has gone, so it may reach the log
    a moment after the client has its answer."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for line in access_lines(server.log_text().splitlines()):
            if line.request_id == request_id:
                return line
        time.sleep(0.05)
    raise AssertionError(f"no access line for {request_id}:\n{server.log_tail()}")


def _event_of(server: LiveServer, request_id: str) -> str:
    """The event id the log names for a request."""
    return _line_of(server, request_id).event_id


def _delete(server: LiveServer, event_id: str) -> None:
    from service.core.db import make_engine

    engine = make_engine(server.db_url)
    with engine.begin() as conn:
        deleted = conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event_id})
        assert deleted.rowcount == 1
    engine.dispose()


def test_every_logged_request_names_its_event_and_finds_it_in_the_trail(
    server: LiveServer,
) -> None:
    _requests(server)
    code, result = _reconcile(server)
    assert code == 0, result
    assert result["ok"] is True and result["missing"] == 0
    # the three requests, at least, named their (queued) events
    assert result["with_event"] >= 3 and result["queued"] >= 3, result
    assert result["with_event"] == result["in_tree"] + result["queued"]
    # only the unaudited operations endpoints (the readiness probe of the fixture) name none
    assert set(result["without_event"]) <= {"GET /healthz", "GET /readyz"}, result


def test_a_queued_event_deleted_by_a_database_writer_is_found_missing(
    server: LiveServer,
) -> None:
    ids = _requests(server)
    hidden = _event_of(server, ids["read"])
    assert hidden.startswith("aud_")
    _delete(server, hidden)

    # verify cannot see it: the event was never a leaf, and no other row names it
    verified = server.call("GET", "/v1/audit/verify", who="compliance").json()
    assert verified["ok"] is True, verified

    code, result = _reconcile(server)
    assert code == 1
    assert result["ok"] is False and result["missing"] == 1
    [missing] = result["missing_listed"]
    assert missing["event_id"] == hidden and missing["request_id"] == ids["read"]
    assert missing["route"] == "/v1/customers/{customer_id}" and missing["status"] == 200

    code, out, _ = invoke("audit", "reconcile", str(server.log_path))
    assert code == 1
    assert f"missing {hidden}: request {ids['read']}" in out


def test_a_sequenced_event_deleted_is_found_missing_too(server: LiveServer) -> None:
    ids = _requests(server)
    assert invoke("audit", "sequence")[0] == 0
    code, result = _reconcile(server)
    assert code == 0 and result["in_tree"] >= 3 and result["queued"] == 0, result
    hidden = _event_of(server, ids["create"])
    _delete(server, hidden)

    code, result = _reconcile(server)
    assert code == 1 and [m["event_id"] for m in result["missing_listed"]] == [hidden]


def test_log_lines_that_are_not_access_lines_are_skipped(tmp_path: Path) -> None:
    event = "aud_" + "ab" * 12
    lines = [
        json.dumps({"logger": "strongroom.access", "message": f"GET /healthz 200 1.0ms - {event}"}),
        json.dumps({"logger": "strongroom.other", "message": f"GET /healthz 200 1.0ms - {event}"}),
        json.dumps({"logger": "strongroom.access", "message": "GET /healthz 200 1.0ms -"}),
        "not json {",
        "{broken json",
        f"GET /v1/customers/{{customer_id}} 404 2.5ms req_{'0' * 24} -",
    ]
    parsed = list(access_lines(lines))
    assert [(p.route, p.event_id) for p in parsed] == [
        ("/healthz", event),
        ("", ""),  # the access logger's, but not of this shape: counted as unreadable
        ("/v1/customers/{customer_id}", "-"),
    ]


def test_a_log_file_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = invoke("audit", "reconcile", str(tmp_path / "nope.log"))
    assert code == 1 and "no such file" in err


def test_a_deleted_event_replaced_by_a_forged_row_fails_verify_at_once_and_reconcile_once_refused(
    server: LiveServer,
) -> None:
    """Review finding: reconcile alone only proves that a row with the id is there. A row of
    the attacker's own under the deleted event's id fails `verify` at once (no seal), and
    reconcile too once the sequencer has refused it."""
    ids = _requests(server)
    hidden = _event_of(server, ids["read"])
    from service.core.db import make_engine

    engine = make_engine(server.db_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET action = 'ops:health:read', seal = NULL WHERE id = :id"),
            {"id": hidden},
        )
    engine.dispose()
    verified = server.call("GET", "/v1/audit/verify", who="compliance").json()
    assert verified["ok"] is False and "not written by the service" in verified["reason"]

    assert invoke("audit", "sequence")[0] == 0
    code, result = _reconcile(server)
    assert code == 1 and result["refused"] == 1 and result["missing"] == 0, result


def test_entries_of_the_access_logger_that_do_not_parse_are_counted() -> None:
    old_release = json.dumps(
        {"logger": "strongroom.access", "message": f"GET /healthz 200 1.0ms req_{'a' * 24}"}
    )
    replaced = json.dumps({"logger": "strongroom.access", "message": "[redaction failed]"})
    lines = list(access_lines([old_release, replaced, "plain text that is no access line"]))
    assert len(lines) == 2 and all(line.event_id == "" for line in lines)


def test_a_deleted_event_of_a_bulk_pause_is_found_missing(server: LiveServer) -> None:
    """Review finding: a bulk pause writes one event per subscription under its request id,
    and the line named only the bulk's own event. It now says how many more it wrote
    (`aud_…+2`), and reconcile counts them under the request id."""
    customer = server.call(
        "POST",
        "/v1/customers",
        who="service",
        json={"name": "Bulk Person", "email": "bulk.person@example.org"},
        headers={"Idempotency-Key": "reconcile-bulk-customer"},
    ).json()["id"]
    for n in range(2):
        made = server.call(
            "POST",
            "/v1/subscriptions",
            who="service",
            json={
                "customer": customer,
                "plan": "bulkgold",
                "amount": 3000,
                "currency": "usd",
                "interval": "month",
            },
            headers={"Idempotency-Key": f"reconcile-bulk-sub-{n}"},
        )
        assert made.status_code == 201, made.text
    bulk_request = "req_" + "3c" * 12
    paused = server.call(
        "POST",
        "/v1/pauses/bulk",
        who="admin",
        json={
            "selector": {"plan": "bulkgold"},
            "start": "2027-01-10T00:00:00Z",
            "days": 10,
            "resume_mode": "shift",
            "reason": "holiday",
            "dry_run": False,
        },
        headers={"X-Request-Id": bulk_request, "Idempotency-Key": "reconcile-bulk"},
    )
    assert paused.status_code == 201, paused.text
    line = _line_of(server, bulk_request)
    assert line.more_events == 2, line
    code, result = _reconcile(server)
    assert code == 0 and result["more_events"] == 2 and result["more_missing"] == 0, result

    from service.core.db import make_engine

    engine = make_engine(server.db_url)
    with engine.begin() as conn:
        child = conn.execute(
            text("SELECT id FROM audit_events WHERE request_id = :r AND id != :own LIMIT 1"),
            {"r": bulk_request, "own": line.event_id},
        ).scalar_one()
    engine.dispose()
    _delete(server, child)

    code, result = _reconcile(server)
    assert code == 1 and result["missing"] == 0, result
    assert result["more_missing"] == 1 and result["more_missing_by_request"] == {bulk_request: 1}


def test_the_count_of_further_events_is_read_from_the_line() -> None:
    event = "aud_" + "cd" * 12
    line = f"POST /v1/pauses/bulk 201 40.2ms req_{'ab' * 12} {event}+57"
    [parsed] = access_lines([line])
    assert (parsed.event_id, parsed.more_events) == (event, 57)
