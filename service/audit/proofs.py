"""Inclusion and consistency proofs (RFC 9162 §2.1.3.1 and §2.1.4.1) from the stored tree.

Every hash a proof needs is the root of a range of leaves that either is a complete aligned
subtree of ``2**STORED_HEIGHT`` leaves or more (read from ``audit_nodes``) or lies within one
span of ``2**STORED_HEIGHT`` leaves (computed from the leaf hashes on the events).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from service.audit.checker import node_hash, root_of
from service.audit.models import AuditEvent, AuditNode
from service.audit.sequencer import STORED_HEIGHT

SPAN = 1 << STORED_HEIGHT


def _largest_power_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


class StoredTree:
    """Subtree hashes of the tree as stored, memoised for the life of one request."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._spans: dict[int, list[bytes]] = {}
        self._nodes: dict[tuple[int, int], bytes] = {}

    def _span(self, number: int) -> list[bytes]:
        if number not in self._spans:
            first = number * SPAN + 1
            hashes = self.session.scalars(
                select(AuditEvent.leaf_hash)
                .where(AuditEvent.seq >= first, AuditEvent.seq < first + SPAN)
                .order_by(AuditEvent.seq)
            ).all()
            self._spans[number] = [bytes.fromhex(h) for h in hashes if h is not None]
        return self._spans[number]

    def leaves(self, start: int, end: int) -> list[bytes]:
        """Leaf hashes of leaves ``start`` to ``end`` (exclusive) within one span."""
        number = start // SPAN
        span = self._span(number)
        offset = number * SPAN
        if end - offset > len(span):
            raise LookupError(f"leaves up to {end} are not in the stored tree")
        return span[start - offset : end - offset]

    def hash(self, start: int, end: int) -> bytes:
        """MTH of leaves ``start`` to ``end`` (exclusive)."""
        size = end - start
        if size <= SPAN and start // SPAN == (end - 1) // SPAN:
            return root_of(self.leaves(start, end))
        if size & (size - 1) == 0 and start % size == 0:
            height = size.bit_length() - 1
            return self._node(height, start >> height)
        k = _largest_power_below(size)
        return node_hash(self.hash(start, start + k), self.hash(start + k, end))

    def _node(self, height: int, position: int) -> bytes:
        key = (height, position)
        if key not in self._nodes:
            value = self.session.scalar(
                select(AuditNode.hash).where(
                    AuditNode.height == height, AuditNode.position == position
                )
            )
            if value is None:
                raise LookupError(f"subtree {height}/{position} is not stored")
            self._nodes[key] = bytes.fromhex(value)
        return self._nodes[key]

    def inclusion_path(self, index: int, tree_size: int) -> list[bytes]:
        self._prefetch(lambda tree: tree._path(index, 0, tree_size))
        return self._path(index, 0, tree_size)

    def _prefetch(self, proof: Callable[[StoredTree], object]) -> None:
        """Learn which spans and stored nodes ``proof`` reads (a dry run on placeholders), then
        read them all in two queries instead of one per node."""
        plan = _Planner(self.session)
        proof(plan)
        spans = sorted(plan.spans - set(self._spans))
        if spans:
            rows = self.session.execute(
                select(AuditEvent.seq, AuditEvent.leaf_hash)
                .where(
                    or_(
                        *(
                            (AuditEvent.seq >= n * SPAN + 1) & (AuditEvent.seq <= (n + 1) * SPAN)
                            for n in spans
                        )
                    )
                )
                .order_by(AuditEvent.seq)
            ).all()
            for number in spans:
                self._spans[number] = []
            for seq, value in rows:
                if value is not None:
                    self._spans[(seq - 1) // SPAN].append(bytes.fromhex(value))
        nodes = sorted(plan.nodes - set(self._nodes))
        if nodes:
            for height, position, value in self.session.execute(
                select(AuditNode.height, AuditNode.position, AuditNode.hash).where(
                    tuple_(AuditNode.height, AuditNode.position).in_(nodes)
                )
            ):
                self._nodes[(height, position)] = bytes.fromhex(value)

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


class _Planner(StoredTree):
    """Walks a proof without reading anything, noting the spans and nodes it would read."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.spans: set[int] = set()
        self.nodes: set[tuple[int, int]] = set()

    def leaves(self, start: int, end: int) -> list[bytes]:
        self.spans.add(start // SPAN)
        return [PLACEHOLDER] * (end - start)

    def _node(self, height: int, position: int) -> bytes:
        self.nodes.add((height, position))
        return PLACEHOLDER


PLACEHOLDER = bytes(32)
