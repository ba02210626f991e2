"""The compact range of a tree being read leaf by leaf (verify), extended a batch at a time.

After ``size`` leaves, ``stack`` holds one complete subtree hash per set bit of ``size``,
largest first (RFC 9162's tree is the fold of these from the right). ``push`` adds one leaf;
``extend`` adds many by hashing aligned power-of-two pieces of the batch level by level in
list comprehensions — one call per node instead of a Python loop iteration per leaf, which
was half of verify's time at a million events — and gives the root at any size reached in it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from hashlib import sha256

MAX_PIECE_HEIGHT = 16  # pieces of at most 65,536 leaves: a piece's levels stay small


def fold(nodes: Sequence[bytes]) -> bytes:
    """The root of a compact range (complete subtrees, largest first)."""
    root = nodes[-1]
    for left in reversed(nodes[:-1]):
        root = sha256(b"\x01" + left + root).digest()
    return root


class CompactRange:
    def __init__(self) -> None:
        self.stack: list[bytes] = []
        self.size = 0

    def root(self) -> bytes:
        return fold(self.stack)

    def push(self, leaf: bytes) -> None:
        self._push_subtree(leaf, 0)

    def extend(self, leaves: Sequence[bytes], sizes: Sequence[int]) -> dict[int, bytes]:
        """Append ``leaves``; return the root of the tree at each of ``sizes`` (ascending) that
        falls within the leaves appended."""
        roots: dict[int, bytes] = {}
        done = 0
        while done < len(leaves):
            start = self.size
            height = (len(leaves) - done).bit_length() - 1
            if start:
                height = min(height, (start & -start).bit_length() - 1)
            height = min(height, MAX_PIECE_HEIGHT)
            width = 1 << height
            piece = levels(leaves[done : done + width])
            for size in sizes[bisect_right(sizes, start) : bisect_left(sizes, start + width + 1)]:
                offset = size - start
                inside = [
                    piece[h][(offset >> h) - 1] for h in range(height, -1, -1) if offset >> h & 1
                ]
                roots[size] = fold(self.stack + inside)
            self._push_subtree(piece[height][0], height)
            done += width
        return roots

    def _push_subtree(self, node: bytes, height: int) -> None:
        """Append a complete subtree of ``2**height`` leaves; ``size`` is a multiple of it."""
        stack = self.stack
        stack.append(node)
        merges = self.size >> height
        self.size += 1 << height
        while merges & 1:
            right = stack.pop()
            stack[-1] = sha256(b"\x01" + stack[-1] + right).digest()
            merges >>= 1


def levels(leaves: Sequence[bytes]) -> list[Sequence[bytes]]:
    """Every level of complete subtrees over ``leaves``, leaves first: ``levels[h][i]`` is the
    hash of leaves ``i * 2**h`` to ``(i + 1) * 2**h`` (a trailing odd node is not paired)."""
    result = [leaves]
    level = leaves
    while len(level) > 1:
        level = [
            sha256(b"\x01" + left + right).digest()
            for left, right in zip(level[::2], level[1::2], strict=False)
        ]
        result.append(level)
    return result
