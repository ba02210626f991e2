"""Verify runs while the sequencer goes on: a tree head sequenced and anchored after verify
began is not a head the database lost. (Found as a rare failure of a crash test: verify took
its snapshot, the background sequencer then committed and anchored the next head, and verify,
reading the anchors last, reported the database short of it.)"""

from __future__ import annotations

from typing import Any

from service.keys.transit import TransitKeyService
from tests.audit.trail import append, sequence, verify


class SequencedWhenAnchorsAreRead:
    """The real anchor store; on verify's first read of it, one more event is appended,
    sequenced and anchored through the real sequencer and OpenBao. A wrapper only to place
    that at the exact moment verify reads the anchors: no real part pauses there."""

    def __init__(self, store: TransitKeyService, url: str) -> None:
        self._store = store
        self._url = url
        self.fired = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def anchored_sizes(self) -> list[int]:
        if not self.fired:
            self.fired = True
            append(self._url, self._store, 1, start=100)
            assert sequence(self._url, self._store) == 1
        return self._store.anchored_sizes()


def test_a_head_anchored_while_verify_runs_is_not_reported_missing(
    db_url: str, key_service: TransitKeyService
) -> None:
    append(db_url, key_service, 7)
    assert sequence(db_url, key_service) == 7
    store = SequencedWhenAnchorsAreRead(key_service, db_url)

    result = verify(db_url, store)

    assert store.fired
    assert result["ok"], result
    assert result["tree_size"] == 8 and result["anchors"]["latest_tree_size"] == 8
