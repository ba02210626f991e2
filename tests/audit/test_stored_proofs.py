"""Proofs from the stored tree (leaf spans plus stored subtrees of 256 leaves and more),
for random sizes and positions: they verify with the standalone checker against a root
recomputed from scratch, and any flipped bit fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from service.audit.checker import root_of, verify_consistency, verify_inclusion
from service.audit.proofs import StoredTree
from service.core.db import make_engine, make_session_factory
from service.core.migrate import upgrade
from tests.audit.trail import append, sequence

SIZE = 1500


@pytest.fixture(scope="module")
def stored(
    tmp_path_factory: pytest.TempPathFactory, openbao: Any
) -> Iterator[tuple[Session, list[bytes]]]:
    from tests.fixtures.openbao import key_service_for

    url = f"sqlite:///{Path(tmp_path_factory.mktemp('tree')) / 'tree.db'}"
    upgrade(make_engine(url))
    keys = key_service_for(
        openbao.addr, openbao.token, anchor_path="strongroom/audit/sth-test/tree"
    )
    for chunk in (1, 2, 300, 97, 600, SIZE - 1000):  # uneven batches across span boundaries
        append(url, keys, chunk, per_commit=100)
        sequence(url, keys, batch_size=257)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    leaves = [
        bytes.fromhex(h)
        for (h,) in session.execute(text("SELECT leaf_hash FROM audit_events ORDER BY seq"))
    ]
    assert len(leaves) == SIZE
    yield session, leaves
    session.close()
    engine.dispose()


def flip(nodes: list[bytes], which: int, bit: int) -> list[bytes]:
    node = bytearray(nodes[which % len(nodes)])
    node[bit // 8 % 32] ^= 1 << (bit % 8)
    changed = list(nodes)
    changed[which % len(nodes)] = bytes(node)
    return changed


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_inclusion_at_random_sizes(
    stored: tuple[Session, list[bytes]], data: st.DataObject
) -> None:
    session, leaves = stored
    size = data.draw(st.integers(1, SIZE))
    index = data.draw(st.integers(0, size - 1))
    path = StoredTree(session).inclusion_path(index, size)
    root = root_of(leaves[:size])
    assert verify_inclusion(index, size, leaves[index], path, root)
    if path:
        bad = flip(path, data.draw(st.integers(0, 50)), data.draw(st.integers(0, 255)))
        assert not verify_inclusion(index, size, leaves[index], bad, root)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_consistency_between_random_sizes(
    stored: tuple[Session, list[bytes]], data: st.DataObject
) -> None:
    session, leaves = stored
    second = data.draw(st.integers(2, SIZE))
    first = data.draw(st.integers(1, second - 1))
    proof = StoredTree(session).consistency_proof(first, second)
    old, new = root_of(leaves[:first]), root_of(leaves[:second])
    assert verify_consistency(first, second, old, new, proof)
    bad = flip(proof, data.draw(st.integers(0, 50)), data.draw(st.integers(0, 255)))
    assert not verify_consistency(first, second, old, new, bad)
