"""Verify's bulk tree and bulk leaf hashing give exactly the RFC 9162 values the standalone
checker computes one at a time (pure functions: nothing here can fail but the arithmetic)."""

from __future__ import annotations

import hashlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.audit.chain import encode_list
from service.audit.checker import leaf_hash, root_of
from service.audit.compact_range import CompactRange
from service.audit.leaves import columns_leaf, columns_leaves


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=1100),
    steps=st.lists(st.integers(min_value=1, max_value=600), min_size=1, max_size=12),
    heads=st.sets(st.integers(min_value=1, max_value=1100), max_size=20),
    one_by_one=st.lists(st.booleans(), min_size=1, max_size=12),
)
def test_extending_in_batches_gives_the_root_at_every_size(
    size: int, steps: list[int], heads: set[int], one_by_one: list[bool]
) -> None:
    leaves = [hashlib.sha256(n.to_bytes(4, "big")).digest() for n in range(size)]
    sizes = sorted(s for s in heads if s <= size)
    tree, roots, done, turn = CompactRange(), {}, 0, 0
    while done < size:
        batch = leaves[done : done + steps[turn % len(steps)]]
        if one_by_one[turn % len(one_by_one)]:
            for leaf in batch:
                tree.push(leaf)
                if tree.size in sizes:
                    roots[tree.size] = tree.root()
        else:
            roots.update(tree.extend(batch, sizes))
        done += len(batch)
        turn += 1
    assert tree.size == size and tree.root() == root_of(leaves)
    assert roots == {s: root_of(leaves[:s]) for s in sizes}


TEXT = st.text(
    alphabet=st.sampled_from(["a", "Z", "0", " ", '"', "\\", "\n", "\x01", "\x7f", "é", "😀"]),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXT, st.none() | TEXT, st.none() | st.integers(100, 599)), min_size=1))
def test_leaves_in_bulk_are_the_leaf_hashes_of_the_events(
    values: list[tuple[str, str | None, int | None]],
) -> None:
    events = [
        {
            "id": f"aud_{n}",
            "at": "2026-01-01T00:00:00.000000Z",
            "actor": text,
            "role": "service",
            "action": "customers:customer:read",
            "targets": [text, "cus_tok_1"],
            "purpose": maybe,
            "fields": None if maybe is None else [maybe],
            "outcome": "allowed",
            "status": status,
            "request_id": maybe,
            "source_ip": text,
        }
        for n, (text, maybe, status) in enumerate(values)
    ]
    rows = [_stored(n, event) for n, event in enumerate(events)]
    expected = [leaf_hash(event) for event in events]
    assert columns_leaves(rows) == expected
    assert [columns_leaf(row) for row in rows] == expected
    assert columns_leaves([(*row, n + 1, "ab" * 32) for n, row in enumerate(rows)]) == expected


def _stored(pk: int, event: dict[str, Any]) -> tuple[Any, ...]:
    """The row as the recorder stores it (lists as canonical JSON text)."""
    return (
        pk,
        *(event[name] for name in ("id", "at", "actor", "role", "action")),
        encode_list(event["targets"]),
        event["purpose"],
        encode_list(event["fields"]),
        *(event[name] for name in ("outcome", "status", "request_id", "source_ip")),
    )
