"""Inclusion and consistency proofs (RFC 9162 §2.1.3.1 and §2.1.4.1) from the stored tree.

Every hash a proof needs is the root of a range of leaves that either is a complete aligned
subtree of ``2**STORED_HEIGHT`` leaves or more (read from ``audit_nodes``) or lies within one
span of ``2**STORED_HEIGHT`` leaves (computed from the leaf hashes on the events).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from service.audit.checker import node_hash
from service.audit.compact_range import levels
from service.audit.sequencer import STORED_HEIGHT

SPAN = 1 << STORED_HEIGHT


def _largest_power_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


class StoredTree:
    """Subtree hashes of the tree as stored, memoised for the life of one request. A proof
    first walks itself on placeholders to learn what it reads, then reads it all in one round
    trip (leaf spans and stored nodes), and hashes each span once, level by level."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._spans: dict[int, list[Sequence[bytes]]] = {}  # span number -> its levels
        self._nodes: dict[tuple[int, int], bytes] = {}

    def hash(self, start: int, end: int) -> bytes:
        """MTH of leaves ``start`` to ``end`` (exclusive)."""
        size = end - start
        if size & (size - 1) == 0 and start % size == 0:
            height = size.bit_length() - 1
            if height >= STORED_HEIGHT:
                return self._node(height, start >> height)
            return self._in_span(height, start)
        k = _largest_power_below(size)
        return node_hash(self.hash(start, start + k), self.hash(start + k, end))

    def _in_span(self, height: int, start: int) -> bytes:
        """The complete subtree of ``2**height`` leaves from leaf ``start`` (aligned), within
        one span of leaf hashes."""
        number = start // SPAN
        if number not in self._spans:
            self._read({number}, set())
        level = self._spans[number][height] if height < len(self._spans[number]) else ()
        index = (start - number * SPAN) >> height
        if index >= len(level):
            raise LookupError(f"leaves up to {start + (1 << height)} are not in the stored tree")
        return level[index]

    def _node(self, height: int, position: int) -> bytes:
        key = (height, position)
        if key not in self._nodes:
            self._read(set(), {key})
        if key not in self._nodes:
            raise LookupError(f"subtree {height}/{position} is not stored")
        return self._nodes[key]

    def inclusion_path(self, index: int, tree_size: int) -> list[bytes]:
        self._prefetch(lambda tree: tree._path(index, 0, tree_size))
        return self._path(index, 0, tree_size)

    def _prefetch(self, proof: Callable[[StoredTree], object]) -> None:
        """Learn which spans and stored nodes ``proof`` reads (a dry run on placeholders, which
        hashes nothing), then read them all at once."""
        plan = _Planner(self.session)
        proof(plan)
        self._read(plan.spans - set(self._spans), plan.nodes - set(self._nodes))

    def _read(self, spans: set[int], nodes: set[tuple[int, int]]) -> None:
        """Read the leaf hashes of ``spans`` and the stored ``nodes`` in one query."""
        parts: list[str] = []
        params: dict[str, Any] = {}
        if spans:
            ranges = []
            for i, number in enumerate(sorted(spans)):
                ranges.append(f"(seq BETWEEN :first{i} AND :last{i})")
                params[f"first{i}"], params[f"last{i}"] = number * SPAN + 1, (number + 1) * SPAN
            parts.append(
                "SELECT -1 AS height, seq AS position, leaf_hash AS hash FROM audit_events"  # noqa: S608 - bind names only
                f" WHERE leaf_hash IS NOT NULL AND ({' OR '.join(ranges)})"
            )
        if nodes:
            wanted = []
            for i, (height, position) in enumerate(sorted(nodes)):
                wanted.append(f"(height = :height{i} AND position = :position{i})")
                params[f"height{i}"], params[f"position{i}"] = height, position
            parts.append(
                f"SELECT height, position, hash FROM audit_nodes WHERE {' OR '.join(wanted)}"  # noqa: S608
            )
        if not parts:
            return
        leaves: dict[int, list[bytes]] = {number: [] for number in spans}
        query = _query(" UNION ALL ".join(parts) + " ORDER BY 1, 2")
        for height, position, value in self.session.execute(query, params).all():
            if height < 0:
                leaves[(position - 1) // SPAN].append(bytes.fromhex(value))
            else:
                self._nodes[(height, position)] = bytes.fromhex(value)
        for number, hashes in leaves.items():
            self._spans[number] = levels(hashes)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n <= 1:
            return []
        k = _largest_power_below(n)
        if m < k:
            return [*self._path(m, start, start + k), self.hash(start + k, end)]
        return [*self._path(m - k, start + k, end), self.hash(start, start + k)]

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        if first == 0 or first == second:
            return []
        self._prefetch(lambda tree: tree._subproof(first, 0, second, True))
        return self._subproof(first, 0, second, True)

    def _subproof(self, m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [self.hash(start, end)]
        k = _largest_power_below(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, whole), self.hash(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self.hash(start, start + k)]


@lru_cache(maxsize=256)
def _query(sql: str) -> TextClause:
    """One parsed statement per shape of read (how many spans, how many nodes)."""
    return text(sql)


class _Planner(StoredTree):
    """Walks a proof without reading or hashing leaves, noting the spans and nodes it needs."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.spans: set[int] = set()
        self.nodes: set[tuple[int, int]] = set()

    def _in_span(self, height: int, start: int) -> bytes:
        self.spans.add(start // SPAN)
        return PLACEHOLDER

    def _node(self, height: int, position: int) -> bytes:
        self.nodes.add((height, position))
        return PLACEHOLDER


PLACEHOLDER = bytes(32)
