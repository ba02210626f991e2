"""Invariant 6 for events not yet in the tree: an attacker who can write the database inserts,
edits or hides *queued* events (``seq`` null), before the sequencer runs. Nothing signed covers
them yet, so the sequencer must tell the service's events from anyone else's (their seal, an
HMAC only the service can key) and verify must report what it refused — on SQLite and
PostgreSQL, with the real OpenBao."""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import hvac
import pytest
from sqlalchemy import text

from service.audit.seal import SEAL_LABEL, EventSealer, row_leaf
from service.audit.sequencer import NOT_SEALED, SEAL_BROKEN
from service.core.db import make_engine
from service.core.errors import KeyServiceUnavailable
from tests.audit.trail import append, scalar, sequence, tamper, verify
from tests.fixtures.openbao import key_service_for

COLUMNS = (
    "id, at, actor, role, action, targets, purpose, fields, outcome, status, request_id,"
    " source_ip, seal"
)


@pytest.fixture
def trail(db_url: str, key_service: Any, tmp_path: Path) -> str:
    """Ten sequenced events, then three genuine ones queued (the sequencer has not run)."""
    append(db_url, key_service, 10)
    assert sequence(db_url, key_service, anchor_file=tmp_path / "anchors") == 10
    append(db_url, key_service, 3, start=10)
    result = verify(db_url, key_service, tmp_path / "anchors")
    assert result["ok"] and result["queued"] == 3, result
    return db_url


def _queued(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT pk, {COLUMNS}, refused FROM audit_events WHERE seq IS NULL ORDER BY pk")
        ).all()
    engine.dispose()
    return [dict(row._mapping) for row in rows]


def _insert(url: str, row: dict[str, Any]) -> None:
    names = [name.strip() for name in COLUMNS.split(",")]
    tamper(
        url,
        f"INSERT INTO audit_events ({COLUMNS}) VALUES ({', '.join(':' + n for n in names)})",
        **{name: row.get(name) for name in names},
    )


def _forged(template: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A row shaped exactly like a genuine queued event, with another id and the changes."""
    return {**template, "id": "aud_" + "f" * 24, **changes}


def _refused_and_reported(url: str, key_service: Any, tmp_path: Path, reason: str) -> None:
    """After the attack the sequencer integrates the genuine events only, and verify fails."""
    genuine = [row["id"] for row in _queued(url) if row["seal"] and row["actor"] != "alice"]
    sequence(url, key_service, anchor_file=tmp_path / "anchors")
    left = _queued(url)
    assert [row["refused"] for row in left] == [reason], left
    assert scalar(url, "SELECT count(*) FROM audit_events WHERE seq IS NOT NULL") == 10 + len(
        genuine
    )
    result = verify(url, key_service, tmp_path / "anchors")
    assert result["ok"] is False, result
    assert "not written by the service" in result["reason"]
    assert result["sths"]["count"] == result["sths"]["verified"]  # the tree itself is intact


def test_an_inserted_unsealed_event_is_refused_and_reported(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    template = _queued(trail)[0]
    _insert(trail, _forged(template, actor="alice", seal=None))
    _refused_and_reported(trail, key_service, tmp_path, NOT_SEALED)


def test_an_inserted_event_with_another_events_seal_is_refused(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    template = _queued(trail)[0]  # its seal is genuine, for its own id and fields
    _insert(trail, _forged(template, actor="alice"))
    _refused_and_reported(trail, key_service, tmp_path, SEAL_BROKEN)


def test_an_edited_queued_event_is_refused_and_reported(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    first = _queued(trail)[0]
    tamper(
        trail,
        "UPDATE audit_events SET actor = 'alice', outcome = 'allowed' WHERE id = :id",
        id=first["id"],
    )
    _refused_and_reported(trail, key_service, tmp_path, SEAL_BROKEN)


def test_a_seal_keyed_with_a_blind_index_digest_from_the_database_is_refused(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    """The attacker reads every keyed digest the database holds (blind indexes are HMACs under
    the same Transit key): none of them is the seal key, whose label no stored value shares."""
    stolen_digests, version = key_service.keyed_digests(
        [b"strongroom/blind-index/v1\x00email\x00x"]
    )
    forged = _forged(_queued(trail)[0], actor="alice")
    leaf = row_leaf(forged)
    forged["seal"] = (
        f"v{version}:"
        + hmac.new(bytes.fromhex(stolen_digests[0]), leaf, hashlib.sha256).hexdigest()
    )
    _insert(trail, forged)
    _refused_and_reported(trail, key_service, tmp_path, SEAL_BROKEN)


@pytest.mark.parametrize("seal", ["v999999:" + "0" * 64, "v0:" + "0" * 64, "v1:zz", "", "v1"])
def test_a_seal_naming_a_version_or_shape_that_does_not_exist_is_refused_not_an_outage(
    trail: str, key_service: Any, tmp_path: Path, seal: str
) -> None:
    _insert(trail, _forged(_queued(trail)[0], actor="alice", seal=seal))
    _refused_and_reported(trail, key_service, tmp_path, SEAL_BROKEN)


def test_a_genuine_queued_event_marked_refused_by_the_attacker_is_reported(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    """Hiding a genuine event by marking it refused is no quieter than deleting it would be."""
    tamper(trail, "UPDATE audit_events SET refused = 'x' WHERE seq IS NULL")
    assert sequence(trail, key_service, anchor_file=tmp_path / "anchors") == 0
    result = verify(trail, key_service, tmp_path / "anchors")
    assert result["ok"] is False and "3 queued event(s)" in result["reason"], result


def test_a_flood_of_forged_events_ahead_of_the_genuine_ones_does_not_stall_sequencing(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    template = _queued(trail)[0]
    tamper(trail, "DELETE FROM audit_events WHERE seq IS NULL")
    for number in range(25):  # more than a batch, all before the genuine events
        _insert(trail, {**template, "id": f"aud_forged{number:014d}", "seal": None})
    append(trail, key_service, 3, start=10)
    assert sequence(trail, key_service, batch_size=10, anchor_file=tmp_path / "anchors") == 3
    assert scalar(trail, "SELECT count(*) FROM audit_events WHERE refused IS NOT NULL") == 25
    assert scalar(trail, "SELECT max(seq) FROM audit_events") == 13


def test_a_rotated_index_key_seals_under_its_new_version_and_old_seals_still_hold(
    openbao: Any, fresh_key_service: Any
) -> None:
    now = [0.0]
    sealer = EventSealer(fresh_key_service, clock=lambda: now[0])
    old = sealer.seal(b"leaf")
    assert old.startswith("v1:")
    root = hvac.Client(url=openbao.addr, token=openbao.token, timeout=5)
    root.secrets.transit.rotate_key(fresh_key_service.index_key)
    now[0] += 61  # the latest version is looked up again after a minute, in the background
    sealer.seal(b"leaf")
    for _ in range(200):
        if (new := sealer.seal(b"leaf")).startswith("v2:"):
            break
        time.sleep(0.01)
    assert new.startswith("v2:") and new != old
    checker = EventSealer(fresh_key_service)  # another process: derives both versions itself
    assert checker.holds(b"leaf", old) and checker.holds(b"leaf", new)
    assert not checker.holds(b"other leaf", new)
    assert not checker.holds(b"leaf", "v3:" + new[3:])


def test_a_process_that_never_derived_the_seal_key_fails_closed_while_openbao_is_down(
    restartable_openbao: Any,
) -> None:
    keys = key_service_for(restartable_openbao.addr, restartable_openbao.token, timeout=2)
    keys.ensure_keys()
    restartable_openbao.stop()
    try:
        with pytest.raises(KeyServiceUnavailable):
            EventSealer(keys).seal(b"leaf")
    finally:
        restartable_openbao.start()


def test_the_seal_key_is_not_a_value_the_database_can_hold(key_service: Any) -> None:
    """Domain separation, checked against the real Transit key: the seal key is the HMAC of a
    label that no blind-index input (always ``strongroom/blind-index/v1 0x00 …``) can equal."""
    assert not SEAL_LABEL.startswith(b"strongroom/blind-index/")
    (seal_key,), _ = key_service.keyed_digests([SEAL_LABEL])
    (index_digest,), _ = key_service.keyed_digests([b"strongroom/blind-index/v1\x00email\x00"])
    assert seal_key != index_digest


def test_verify_over_http_reports_an_event_a_database_writer_queued(api: Any) -> None:
    """The whole service: its own events are sealed and sequenced; a row an attacker queues
    next to them, shaped like a genuine read by another actor, is never signed as genuine."""
    api.call("GET", "/v1/audit/events", params={"limit": 1})
    api.ctx.sequencer.run()
    assert api.call("GET", "/v1/audit/verify").json()["ok"] is True
    with api.ctx.engine.begin() as conn:
        genuine = conn.execute(text(f"SELECT {COLUMNS} FROM audit_events LIMIT 1")).one()
    _insert(
        str(api.ctx.engine.url.render_as_string(hide_password=False)),
        _forged(dict(genuine._mapping), actor="compliance-bot", seal=None),
    )
    api.ctx.sequencer.run()
    body = api.call("GET", "/v1/audit/verify").json()
    assert body["ok"] is False and "not written by the service" in body["reason"], body
    queued = api.call("GET", "/v1/audit/events", params={"queued": "true"}).json()
    assert [event["actor"] for event in queued["data"]] == ["compliance-bot"]
