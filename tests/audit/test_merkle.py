"""The tree is RFC 9162's: roots, inclusion and consistency proofs against a reference built
straight from the RFC's recursive definitions, for every size up to 70 and a few large ones."""

from __future__ import annotations

import hashlib

import pytest

from service.audit.checker import (
    canonical_json,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1, literally."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


LEAVES = [hashlib.sha256(b"\x00" + str(i).encode()).digest() for i in range(70)]


@pytest.mark.parametrize("size", range(1, 71))
def test_roots_and_proofs_match_the_rfc_definitions(size: int) -> None:
    leaves = LEAVES[:size]
    root = mth(leaves)
    assert root_of(leaves) == root
    for m in range(size):
        assert verify_inclusion(m, size, leaves[m], path(m, leaves), root)
        assert not verify_inclusion(
            m, size, LEAVES[69 - m] if size < 70 else b"x" * 32, path(m, leaves), root
        )
    for first in range(1, size + 1):
        proof = subproof(first, leaves, True) if first < size else []
        assert verify_consistency(first, size, mth(leaves[:first]), root, proof)
        if first < size:
            assert not verify_consistency(first, size, mth(leaves[:first]), b"\x00" * 32, proof)


def test_a_tampered_path_or_wrong_index_fails() -> None:
    leaves = LEAVES[:37]
    root = mth(leaves)
    good = path(11, leaves)
    assert verify_inclusion(11, 37, leaves[11], good, root)
    assert not verify_inclusion(12, 37, leaves[11], good, root)
    bad = [*good[:-1], hashlib.sha256(good[-1]).digest()]
    assert not verify_inclusion(11, 37, leaves[11], bad, root)


def test_leaf_hash_is_sha256_of_0x00_and_the_rfc8785_json() -> None:
    event = {
        "seq": 7,
        "id": "aud_1",
        "at": "2026-11-01T00:00:00.000000Z",
        "actor": "Zoë",
        "role": "service",
        "action": "customers:customer:read",
        "targets": ["cus_tok_1"],
        "purpose": 'line\nbreak "quoted"',
        "fields": None,
        "outcome": "allowed",
        "status": 200,
        "request_id": None,
        "source_ip": "127.0.0.1",
        "leaf_hash": "ignored",
    }
    expected = (
        '{"action":"customers:customer:read","actor":"Zoë","at":"2026-11-01T00:00:00.000000Z",'
        '"fields":null,"id":"aud_1","outcome":"allowed","purpose":"line\\nbreak \\"quoted\\"",'
        '"request_id":null,"role":"service","source_ip":"127.0.0.1","status":200,'
        '"targets":["cus_tok_1"]}'
    )
    leaf = {k: v for k, v in event.items() if k not in ("seq", "leaf_hash")}
    assert canonical_json(leaf).decode() == expected
    assert leaf_hash(event) == hashlib.sha256(b"\x00" + expected.encode()).digest()


def test_the_sequencers_fast_leaf_is_the_checkers_leaf_for_hostile_values() -> None:
    from types import SimpleNamespace

    from service.audit.chain import encode_list
    from service.audit.leaves import event_leaf

    awkward = ['a"b\\c', "tab\there", "nul\x00", "\u2028 line sep", "Zoë 李", "\x7f", "😀"]
    for text in awkward:
        event = {
            "id": "aud_" + text,
            "at": "2026-11-01T00:00:00.000000Z",
            "actor": text,
            "role": "service",
            "action": "customers:customer:read",
            "targets": [text, "cus_tok_1"],
            "purpose": text,
            "fields": [text],
            "outcome": "allowed",
            "status": 201,
            "request_id": None,
            "source_ip": text,
        }
        row = SimpleNamespace(
            **{**event, "targets": encode_list(event["targets"]), "fields": encode_list([text])}
        )
        assert event_leaf(row) == leaf_hash(event), repr(text)
