"""Tree heads, inclusion and consistency proofs over HTTP, checked the way an auditor checks
them: with the standalone checker and the public key, no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from service.audit.checker import (
    check_export,
    check_proof,
    load_public_keys,
    verify_consistency,
)
from service.cli import app
from tests.audit.trail import append, sequence
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api


def public_key_pem(monkeypatch: Any, openbao: Any) -> str:
    monkeypatch.setenv("STRONGROOM_VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("STRONGROOM_VAULT_TOKEN", openbao.token)
    result = CliRunner().invoke(app, ["audit", "public-key"])
    assert result.exit_code == 0, result.output
    assert "# key_version 1" in result.stdout and "BEGIN PUBLIC KEY" in result.stdout
    return result.stdout


def grow(api: Api, events: int, batch: int) -> None:
    url = str(api.ctx.engine.url.render_as_string(hide_password=False))
    append(url, api.ctx.key_service, events, per_commit=7)
    sequence(url, api.ctx.key_service, batch_size=batch)


def test_every_event_has_a_proof_that_checks_offline(
    api: Api, monkeypatch: Any, openbao: Any, tmp_path: Path
) -> None:
    grow(api, 700, batch=100)  # past the stored-subtree height (256 leaves), several heads
    keys = load_public_keys(public_key_pem(monkeypatch, openbao))
    sth = api.call("GET", "/v1/audit/sth").json()
    assert sth["tree_size"] >= 703
    events = []
    cursor = None
    while True:
        page = api.call(
            "GET", "/v1/audit/events?limit=200" + (f"&cursor={cursor}" if cursor else "")
        ).json()
        events += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    for event in events[::37] + events[-3:]:
        proof = api.call("GET", f"/v1/audit/events/{event['id']}/proof").json()
        if proof["tree_size"] < event["seq"]:
            continue
        check_proof({**proof, "event": event}, keys)
    # against an older head too
    old = api.call("GET", f"/v1/audit/events/{events[5]['id']}/proof?tree_size=103").json()
    assert old["sth"]["tree_size"] == 103
    check_proof({**old, "event": events[5]}, keys)

    # offline, through the CLI, and a tampered event fails
    proof_file = tmp_path / "proof.json"
    key_file = tmp_path / "audit.pem"
    key_file.write_text(public_key_pem(monkeypatch, openbao))
    proof_file.write_text(json.dumps({**old, "event": events[5]}))
    ok = CliRunner().invoke(
        app, ["audit", "check-proof", str(proof_file), "--public-key", str(key_file)]
    )
    assert ok.exit_code == 0, ok.output
    forged = {**events[5], "actor": "mallory"}
    proof_file.write_text(json.dumps({**old, "event": forged}))
    bad = CliRunner().invoke(
        app, ["audit", "check-proof", str(proof_file), "--public-key", str(key_file)]
    )
    assert bad.exit_code == 1


def test_consistency_between_any_two_heads(api: Api, monkeypatch: Any, openbao: Any) -> None:
    grow(api, 600, batch=150)
    keys = load_public_keys(public_key_pem(monkeypatch, openbao))
    sizes = [3, 153, 303, 453, 603]
    for first in sizes:
        for second in sizes:
            if first > second:
                continue
            body = api.call("GET", f"/v1/audit/consistency?first={first}&second={second}").json()
            a, b = body["sths"]
            assert verify_consistency(
                first,
                second,
                bytes.fromhex(a["root_hash"]),
                bytes.fromhex(b["root_hash"]),
                [bytes.fromhex(h) for h in body["proof"]],
            ), (first, second)
            check_proof_sth(a, keys)
            check_proof_sth(b, keys)
    assert_problem(
        api.call("GET", "/v1/audit/consistency?first=10&second=3"), 422, "invalid_request"
    )
    assert_problem(api.call("GET", "/v1/audit/consistency?first=4&second=153"), 404, "not_found")


def check_proof_sth(sth: dict[str, Any], keys: Any) -> None:
    from service.audit.checker import check_sth

    check_sth(sth, keys)


def test_sth_by_size_and_the_errors(api: Api) -> None:
    latest = api.call("GET", "/v1/audit/sth").json()
    assert set(latest) == {
        "tree_size",
        "root_hash",
        "timestamp",
        "previous",
        "key_version",
        "signature",
    }
    assert api.call("GET", f"/v1/audit/sth?tree_size={latest['tree_size']}").json() == latest
    assert_problem(api.call("GET", "/v1/audit/sth?tree_size=999999"), 404, "not_found")
    assert_problem(api.call("GET", "/v1/audit/sth?tree_size=0"), 422, "invalid_request")
    assert_problem(api.call("GET", "/v1/audit/events/aud_nope/proof"), 404, "not_found")


def test_a_queued_event_is_listed_as_queued_and_has_no_proof_yet(
    make_api: Any, sqlite_url: str
) -> None:
    # A one-second sequencing delay and no background thread (the test client runs no
    # lifespan): nothing sequences until the test says so.
    api = make_api(sqlite_url, settings_overrides={"audit_sequence_delay_ms": 1000})
    append(sqlite_url, api.ctx.key_service, 3, start=9000)
    queued = api.call("GET", "/v1/audit/events?queued=true&limit=100").json()["data"]
    mine = [e for e in queued if (e["request_id"] or "").startswith("r9")]
    assert [e["request_id"] for e in mine] == ["r9000", "r9001", "r9002"]
    assert all(e["seq"] is None and e["leaf_hash"] is None for e in queued)
    assert api.call("GET", "/v1/audit/events").json()["data"] == []
    assert_problem(api.call("GET", f"/v1/audit/events/{mine[0]['id']}/proof"), 409, "conflict")
    assert api.call("GET", "/v1/audit/verify").json()["queued"] >= 3
    sequence(sqlite_url, api.ctx.key_service)
    assert api.call("GET", f"/v1/audit/events/{mine[0]['id']}/proof").status_code == 200


def test_an_export_checks_offline_and_a_changed_line_does_not(
    api: Api, monkeypatch: Any, openbao: Any, tmp_path: Path
) -> None:
    grow(api, 300, batch=64)
    body = api.call("GET", "/v1/audit/export?format=jsonl&action=customers:customer:read").text
    keys = load_public_keys(public_key_pem(monkeypatch, openbao))
    assert check_export(body.splitlines(), keys) == 300
    export_file = tmp_path / "export.jsonl"
    key_file = tmp_path / "audit.pem"
    key_file.write_text(public_key_pem(monkeypatch, openbao))
    export_file.write_text(body)
    cli = ["audit", "check-export", str(export_file), "--public-key", str(key_file)]
    assert CliRunner().invoke(app, cli).exit_code == 0
    lines = body.splitlines()
    lines[7] = lines[7].replace("svc-", "evil-", 1)
    export_file.write_text("\n".join(lines) + "\n")
    assert CliRunner().invoke(app, cli).exit_code == 1
    export_file.write_text("\n".join(body.splitlines()[:-1]) + "\n")  # cut before the head line
    assert CliRunner().invoke(app, cli).exit_code == 1
