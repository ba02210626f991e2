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

from service.audit.leaves import mapping_leaf
from service.audit.seal import NOT_SEALED, SEAL_BROKEN, SEAL_LABEL, UNREADABLE, EventSealer
from service.audit.sequencer import REPLAYED
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
    leaf = mapping_leaf(forged)
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
    assert result["ok"] is False, result
    assert "3 queued event(s)" in result["reason"]
    assert "0 not written by the service" in result["reason"]
    assert "3 sealed by it but marked refused" in result["reason"]


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


@pytest.mark.parametrize("pk", [0, -1])
def test_an_unsealed_event_at_a_pk_never_given_out_is_refused_and_reported(
    trail: str, key_service: Any, tmp_path: Path, pk: int
) -> None:
    """Review finding: "pk up to the migrated chain's last seq" was also true of pk 0 and below
    once no chain was left to migrate."""
    template = _queued(trail)[0]
    forged = _forged(template, actor="alice", seal=None)
    names = [name.strip() for name in COLUMNS.split(",")]
    values = ", ".join(":" + name for name in names)
    tamper(
        trail,
        f"INSERT INTO audit_events (pk, {COLUMNS}) VALUES (:pk, {values})",
        pk=pk,
        **{name: forged.get(name) for name in names},
    )
    _refused_and_reported(trail, key_service, tmp_path, NOT_SEALED)
    assert [row["pk"] for row in _queued(trail)] == [pk]


def test_after_an_index_key_rotation_another_processs_new_seals_are_accepted(
    db_url: str, openbao: Any, fresh_key_service: Any, audit_anchor_namespace: str
) -> None:
    """Review finding: a sequencer that knew only version 1 refused the version-2 seals of a
    process started after the rotation, for good."""
    names = {
        "data_key": fresh_key_service.data_key,
        "audit_key": fresh_key_service.audit_key,
        "index_key": fresh_key_service.index_key,
        "anchor_path": audit_anchor_namespace,
    }
    sequencing = key_service_for(openbao.addr, openbao.token, **names)
    append(db_url, sequencing, 3)
    assert sequence(db_url, sequencing) == 3  # its sealer knows version 1
    hvac.Client(url=openbao.addr, token=openbao.token, timeout=5).secrets.transit.rotate_key(
        fresh_key_service.index_key
    )
    started_later = key_service_for(openbao.addr, openbao.token, **names)
    append(db_url, started_later, 2, start=3)
    assert {row["seal"][:3] for row in _queued(db_url)} == {"v2:"}
    assert sequence(db_url, sequencing) == 2
    result = verify(db_url, sequencing)
    assert result["ok"] and result["tree_size"] == 5, result


@pytest.mark.parametrize(
    ("column", "planted", "reason"),
    [
        ("status", "'two hundred'", UNREADABLE),
        ("status", "9e999", UNREADABLE),  # +infinity: int() of it overflows
        ("actor", "CAST(X'FF' AS TEXT)", UNREADABLE),  # not UTF-8: SQLite will not read it back
        ("seal", "X'7631'", SEAL_BROKEN),  # a blob where the seal's text goes
    ],
    ids=["text-status", "infinite-status", "non-utf8-actor", "blob-seal"],
)
def test_a_row_no_event_could_hold_is_refused_and_reported_not_a_crash(
    sqlite_url: str, key_service: Any, tmp_path: Path, column: str, planted: str, reason: str
) -> None:
    """Review findings: SQLite stores any value in any column; each of these stopped the
    sequencer for good (and verify raised), so that genuine events behind it stayed queued —
    open to deletion — for as long as the row stayed."""
    append(sqlite_url, key_service, 3)
    template = _queued(sqlite_url)[0]
    _insert(sqlite_url, _forged(template))
    tamper(
        sqlite_url,
        f"UPDATE audit_events SET {column} = {planted} WHERE id = :id",
        id=_forged(template)["id"],
    )
    append(sqlite_url, key_service, 2, start=3)
    assert sequence(sqlite_url, key_service, anchor_file=tmp_path / "anchors") == 5
    refused = scalar(sqlite_url, "SELECT refused FROM audit_events WHERE seq IS NULL")
    assert refused == reason
    result = verify(sqlite_url, key_service, tmp_path / "anchors")
    assert result["ok"] is False and "not written by the service" in result["reason"], result
    tamper(sqlite_url, "UPDATE audit_events SET status = 'two hundred' WHERE seq = 2")
    result = verify(sqlite_url, key_service, tmp_path / "anchors")
    assert result["ok"] is False and result["first_bad_seq"] == 2, result


def test_a_copy_of_a_sequenced_event_with_its_seal_is_refused_without_the_unique_id(
    pg_url: str, key_service: Any, tmp_path: Path
) -> None:
    """Review finding: with the id's unique constraint dropped (DDL), a sequenced event's row,
    seal included, was accepted a second time."""
    append(pg_url, key_service, 3)
    assert sequence(pg_url, key_service, anchor_file=tmp_path / "anchors") == 3
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        constraint = conn.execute(
            text(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'audit_events'::regclass"
                " AND contype = 'u' AND pg_get_constraintdef(oid) LIKE 'UNIQUE (id)'"
            )
        ).scalar_one()
        conn.exec_driver_sql(f'ALTER TABLE audit_events DROP CONSTRAINT "{constraint}"')
        conn.exec_driver_sql(
            f"INSERT INTO audit_events ({COLUMNS}) SELECT {COLUMNS} FROM audit_events WHERE seq = 2"
        )
    engine.dispose()
    assert sequence(pg_url, key_service, anchor_file=tmp_path / "anchors") == 0
    assert [row["refused"] for row in _queued(pg_url)] == [REPLAYED]
    result = verify(pg_url, key_service, tmp_path / "anchors")
    assert result["ok"] is False, result


class CountingKeys:
    """The real key service, counting the seal-key look-ups it answers (a spy: every call
    reaches OpenBao)."""

    def __init__(self, keys: Any) -> None:
        self.keys, self.calls = keys, 0

    def keyed_digests(self, values: Any, key_version: int | None = None) -> Any:
        self.calls += 1
        return self.keys.keyed_digests(values, key_version)


def test_a_process_that_could_not_derive_the_seal_key_fails_at_once_until_it_retries(
    restartable_openbao: Any,
) -> None:
    """Review finding: every seal waited a whole key-service timeout (on the event loop, for a
    read) while the key had never been derived."""
    keys = key_service_for(restartable_openbao.addr, restartable_openbao.token, timeout=2)
    keys.ensure_keys()
    counting = CountingKeys(keys)
    now = [1000.0]
    sealer = EventSealer(counting, clock=lambda: now[0])
    restartable_openbao.stop()
    try:
        for _ in range(20):
            with pytest.raises(KeyServiceUnavailable):
                sealer.seal(b"leaf")
        assert counting.calls == 1
    finally:
        restartable_openbao.start()
    now[0] += 6  # past the retry back-off: derived now that OpenBao is back
    assert sealer.seal(b"leaf").startswith("v1:") and counting.calls == 2
