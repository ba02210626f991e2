"""An attacker with write access to the database, and nothing else, cannot rewrite the trail
without `verify` saying so — on SQLite and PostgreSQL, with the tree heads anchored in the real
OpenBao (KV v2) and in an anchor file."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from service.audit.checker import leaf_hash, sth_digest
from tests.audit.trail import append, sequence, tamper, verify

EVENTS = 40
BATCH = 8  # five signed tree heads: sizes 8, 16, 24, 32, 40


@pytest.fixture
def trail(db_url: str, key_service: Any, tmp_path: Path) -> str:
    append(db_url, key_service, EVENTS)
    assert sequence(db_url, key_service, batch_size=BATCH, anchor_file=tmp_path / "anchors") == 40
    result = verify(db_url, key_service, tmp_path / "anchors")
    assert result["ok"], result
    assert result["sths"] == {"count": 5, "verified": 5}
    assert result["anchors"]["latest_tree_size"] == 40 and result["anchors"]["consistent"]
    return db_url


def broken(url: str, key_service: Any, tmp_path: Path) -> dict[str, Any]:
    result = verify(url, key_service, tmp_path / "anchors")
    assert result["ok"] is False, result
    assert result["reason"]
    return result


def test_a_changed_field_is_found_at_its_event(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    tamper(trail, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 13")
    assert broken(trail, key_service, tmp_path)["first_bad_seq"] == 13


def test_a_changed_event_with_its_leaf_hash_recomputed_breaks_the_signed_root(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    event = _event(trail, 13)
    event["purpose"] = "nothing to see"
    tamper(
        trail,
        "UPDATE audit_events SET purpose = :p, leaf_hash = :h WHERE seq = 13",
        p="nothing to see",
        h=leaf_hash(event).hex(),
    )
    result = broken(trail, key_service, tmp_path)
    assert 9 <= result["first_bad_seq"] <= 13  # within the batch its tree head covers


def test_a_rewritten_tree_with_a_forged_head_fails_on_the_signature(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    # Rewrite event 38 and every derived value the database holds; the attacker cannot sign.
    event = _event(trail, 38)
    event["actor"] = "mallory"
    tamper(
        trail,
        "UPDATE audit_events SET actor = 'mallory', leaf_hash = :h WHERE seq = 38",
        "UPDATE audit_tree_heads SET root_hash = :r WHERE tree_size = 40",
        h=leaf_hash(event).hex(),
        r="ab" * 32,
    )
    result = broken(trail, key_service, tmp_path)
    assert "signature" in result["reason"] or "match" in result["reason"]
    assert result["first_bad_seq"] <= 38


def test_a_cut_tail_is_caught_by_the_anchors(trail: str, key_service: Any, tmp_path: Path) -> None:
    # Consistent in itself: the last two batches and their heads are gone.
    tamper(
        trail,
        "DELETE FROM audit_events WHERE seq > 24",
        "DELETE FROM audit_tree_heads WHERE tree_size > 24",
        "DELETE FROM audit_nodes",
    )
    result = broken(trail, key_service, tmp_path)
    assert result["anchors"]["latest_tree_size"] == 40
    assert result["anchors"]["consistent"] is False
    assert result["first_bad_seq"] == 25


def test_a_reset_to_an_empty_trail_is_caught(trail: str, key_service: Any, tmp_path: Path) -> None:
    tamper(
        trail,
        "DELETE FROM audit_events",
        "DELETE FROM audit_tree_heads",
        "DELETE FROM audit_nodes",
    )
    result = broken(trail, key_service, tmp_path)
    assert result["tree_size"] == 0 and result["anchors"]["latest_tree_size"] == 40


def test_a_cut_tail_is_caught_by_openbao_alone(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    (tmp_path / "anchors").unlink()  # the attacker also removed the anchor file
    tamper(
        trail,
        "DELETE FROM audit_events WHERE seq > 16",
        "DELETE FROM audit_tree_heads WHERE tree_size > 16",
    )
    result = verify(trail, key_service)
    assert result["ok"] is False and result["anchors"]["latest_tree_size"] == 40


def test_a_removed_middle_head_breaks_the_chain_of_heads(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    tamper(trail, "DELETE FROM audit_tree_heads WHERE tree_size = 16")
    result = broken(trail, key_service, tmp_path)
    assert result["sths"]["verified"] < result["sths"]["count"]


def test_a_deleted_event_is_found(trail: str, key_service: Any, tmp_path: Path) -> None:
    tamper(trail, "DELETE FROM audit_events WHERE seq = 5")
    assert broken(trail, key_service, tmp_path)["first_bad_seq"] == 5


def test_swapped_events_are_found(trail: str, key_service: Any, tmp_path: Path) -> None:
    tamper(
        trail,
        "UPDATE audit_events SET seq = -1 WHERE seq = 20",
        "UPDATE audit_events SET seq = 20 WHERE seq = 21",
        "UPDATE audit_events SET seq = 21 WHERE seq = -1",
    )
    # Each row still hashes to its own leaf hash; the head of size 24 no longer matches, so
    # trust ends at the first event it covers.
    assert 17 <= broken(trail, key_service, tmp_path)["first_bad_seq"] <= 20


def test_a_replayed_signature_from_another_head_is_refused(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    tamper(
        trail,
        "UPDATE audit_tree_heads SET signature = "
        "(SELECT signature FROM audit_tree_heads WHERE tree_size = 8) WHERE tree_size = 32",
    )
    # the forged head fails its signature, and the next head no longer links to it
    assert broken(trail, key_service, tmp_path)["sths"]["verified"] == 3


def test_heads_are_chained_by_previous(trail: str) -> None:
    from sqlalchemy import select

    from service.audit.models import AuditTreeHead
    from service.audit.tree_heads import sth_view
    from service.core.db import make_engine, make_session_factory

    engine = make_engine(trail)
    with make_session_factory(engine)() as session:
        heads = [
            sth_view(h)
            for h in session.scalars(select(AuditTreeHead).order_by(AuditTreeHead.tree_size))
        ]
    engine.dispose()
    assert [h["tree_size"] for h in heads] == [8, 16, 24, 32, 40]
    assert heads[0]["previous"] is None
    for before, after in itertools.pairwise(heads):
        assert after["previous"] == sth_digest(before)


def _event(url: str, seq: int) -> dict[str, Any]:
    from sqlalchemy import text

    from service.core.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM audit_events WHERE seq = :s"), {"s": seq}).one()
    engine.dispose()
    event = dict(row._mapping)
    event["targets"] = json.loads(event["targets"])
    event["fields"] = json.loads(event["fields"]) if event["fields"] is not None else None
    return event


def test_an_inserted_forged_event_is_found(trail: str, key_service: Any, tmp_path: Path) -> None:
    tamper(
        trail,
        "UPDATE audit_events SET seq = seq + 1000 WHERE seq > 30",
        "UPDATE audit_events SET seq = seq - 999 WHERE seq > 1000",
        "INSERT INTO audit_events (seq, id, at, actor, role, action, targets, outcome, status,"
        " leaf_hash) VALUES (31, 'aud_forged', '2026-11-01T00:00:30.500000Z', 'alice',"
        " 'service', 'customers:customer:read', '[]', 'allowed', 200, :h)",
        h="00" * 32,
    )
    assert broken(trail, key_service, tmp_path)["first_bad_seq"] == 31


def test_heads_re_signed_with_another_key_are_refused(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    """The attacker rebuilds the whole tree over a changed event and signs every head with an
    ed25519 key of their own, chaining them properly."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sqlalchemy import select, text

    from service.audit.checker import frontier_root, push_leaf, sth_message
    from service.audit.leaves import event_leaf
    from service.audit.models import AuditTreeHead
    from service.audit.tree_heads import sth_view
    from service.core.db import make_engine, make_session_factory

    tamper(trail, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    engine = make_engine(trail)
    mine = Ed25519PrivateKey.generate()
    with make_session_factory(engine)() as session:
        rows = session.execute(text("SELECT * FROM audit_events ORDER BY seq")).all()
        frontier: list[tuple[int, bytes]] = []
        roots: dict[int, str] = {}
        for row in rows:
            leaf = event_leaf(row)
            session.execute(
                text("UPDATE audit_events SET leaf_hash = :h WHERE seq = :s"),
                {"h": leaf.hex(), "s": row.seq},
            )
            push_leaf(frontier, leaf)
            roots[row.seq] = frontier_root(frontier).hex()
        previous = None
        for head in session.scalars(select(AuditTreeHead).order_by(AuditTreeHead.tree_size)):
            head.root_hash = roots[head.tree_size]
            head.previous = sth_digest(previous) if previous is not None else None
            sth = sth_view(head)
            head.signature = base64.b64encode(mine.sign(sth_message(sth))).decode()
            previous = sth_view(head)
        session.commit()
    engine.dispose()
    (tmp_path / "anchors").unlink()  # and the anchor file, but not OpenBao's anchors
    result = verify(trail, key_service)
    assert result["ok"] is False
    assert result["sths"]["verified"] == 0
    assert result["anchors"]["consistent"] is False


def test_leaf_hashes_shifted_between_neighbours_are_found(
    trail: str, key_service: Any, tmp_path: Path
) -> None:
    # The events are intact and the stored leaf hashes, joined, are unchanged: one character
    # moved from event 12's hash to event 13's. Verify compares a batch's hashes at once; a
    # plain concatenation would not see this.
    if trail.startswith("postgresql"):  # the attacker first lifts the 64-character limit
        tamper(trail, "ALTER TABLE audit_events ALTER COLUMN leaf_hash TYPE text")
    tamper(
        trail,
        "UPDATE audit_events SET leaf_hash = substr((SELECT leaf_hash FROM audit_events"
        " WHERE seq = 12), 64, 1) || leaf_hash WHERE seq = 13",
        "UPDATE audit_events SET leaf_hash = substr(leaf_hash, 1, 63) WHERE seq = 12",
    )
    result = broken(trail, key_service, tmp_path)
    assert result["first_bad_seq"] == 12
    assert result["reason"] == "event 12 does not hash to its stored leaf hash"
