"""Checking the trail without the database: hashes, proofs, signed tree heads and exports.

Everything an auditor needs to check what Strongroom hands out — an event's inclusion proof,
a consistency proof between two tree heads, an export — lives here and depends on nothing but
the standard library and ``cryptography``, so it can be copied out and run alone
(``python checker.py export FILE --public-key PEM``).

The tree is RFC 9162's: leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ l ‖ r);
a leaf is the RFC 8785 (JCS) JSON of the event without ``seq`` and ``leaf_hash``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

LEAF_FIELDS = (
    "id",
    "at",
    "actor",
    "role",
    "action",
    "targets",
    "purpose",
    "fields",
    "outcome",
    "status",
    "request_id",
    "source_ip",
)
STH_FIELDS = ("tree_size", "root_hash", "timestamp", "previous", "key_version", "signature")
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


class CheckFailed(Exception):
    """What was handed over does not check out; the message says what and where."""


def canonical_json(value: Any) -> bytes:
    """RFC 8785 for the values the trail holds (strings, integers, null, lists, objects with
    ASCII keys): sorted keys, no whitespace, minimal escaping, UTF-8."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError("the trail's canonical JSON holds no floating-point numbers")
    if isinstance(value, list):
        for item in value:
            _refuse_floats(item)
    elif isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)


def leaf_hash(event: Mapping[str, Any]) -> bytes:
    leaf = {name: event[name] for name in LEAF_FIELDS}
    return hashlib.sha256(b"\x00" + canonical_json(leaf)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, folding the compact range of complete subtrees (O(n), no recursion)."""
    frontier: list[tuple[int, bytes]] = []
    for leaf in leaves:
        push_leaf(frontier, leaf)
    return frontier_root(frontier)


def push_leaf(frontier: list[tuple[int, bytes]], leaf: bytes) -> list[tuple[int, bytes]]:
    """Append a leaf to a compact range ``[(height, hash)]`` (the complete subtrees of the tree,
    left to right); returns the subtrees it completed as ``(height, hash)``, lowest first."""
    frontier.append((0, leaf))
    closed: list[tuple[int, bytes]] = []
    while len(frontier) > 1 and frontier[-1][0] == frontier[-2][0]:
        height, right = frontier.pop()
        _, left = frontier.pop()
        frontier.append((height + 1, node_hash(left, right)))
        closed.append(frontier[-1])
    return closed


def frontier_root(frontier: Sequence[tuple[int, bytes]]) -> bytes:
    if not frontier:
        return bytes.fromhex(EMPTY_ROOT)
    root = frontier[-1][1]
    for _, left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if leaf_index >= tree_size or leaf_index < 0:
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if first < 1 or first > second:
        return first == 0 and not proof
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# -- signed tree heads ------------------------------------------------------------------------


def sth_message(sth: Mapping[str, Any]) -> bytes:
    """What the signature covers: the STH's RFC 8785 JSON without ``signature``."""
    return canonical_json({k: sth[k] for k in STH_FIELDS if k != "signature"})


def sth_digest(sth: Mapping[str, Any]) -> str:
    """What the next STH's ``previous`` holds: SHA-256 of this STH's RFC 8785 JSON."""
    return hashlib.sha256(canonical_json({k: sth[k] for k in STH_FIELDS})).hexdigest()


def load_public_keys(pem: str) -> dict[int, Ed25519PublicKey]:
    """Every ``-----BEGIN PUBLIC KEY-----`` block of ``strongroom audit public-key``, each
    preceded by a ``# key_version N`` line."""
    keys: dict[int, Ed25519PublicKey] = {}
    version: int | None = None
    block: list[str] = []
    for line in pem.splitlines():
        if line.startswith("# key_version "):
            version = int(line.split()[-1])
        elif line.startswith("-----BEGIN"):
            block = [line]
        elif line.startswith("-----END"):
            block.append(line)
            key = load_pem_public_key("\n".join(block).encode())
            if not isinstance(key, Ed25519PublicKey):
                raise CheckFailed("the public key is not an ed25519 key")
            keys[version if version is not None else len(keys) + 1] = key
            version, block = None, []
        elif block:
            block.append(line)
    if not keys:
        raise CheckFailed("no public key found in the PEM file")
    return keys


def sth_signature_valid(sth: Mapping[str, Any], keys: Mapping[int, Ed25519PublicKey]) -> bool:
    key = keys.get(sth.get("key_version"))  # type: ignore[arg-type]
    if key is None:
        return False
    try:
        key.verify(base64.b64decode(sth["signature"], validate=True), sth_message(sth))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def check_sth(sth: Mapping[str, Any], keys: Mapping[int, Ed25519PublicKey]) -> None:
    if set(sth) != set(STH_FIELDS):
        raise CheckFailed("the tree head does not have exactly the fields of an STH")
    if not sth_signature_valid(sth, keys):
        raise CheckFailed(f"the signature of the tree head of size {sth['tree_size']} is not valid")


# -- what the service hands out -----------------------------------------------------------------


def check_proof(document: Mapping[str, Any], keys: Mapping[int, Ed25519PublicKey]) -> None:
    """An inclusion proof (``/v1/audit/events/{id}/proof``), optionally with the ``event``."""
    sth = document["sth"]
    check_sth(sth, keys)
    leaf = bytes.fromhex(document["leaf_hash"])
    if "event" in document and leaf_hash(document["event"]) != leaf:
        raise CheckFailed("the event does not hash to the proof's leaf_hash")
    if document["tree_size"] != sth["tree_size"]:
        raise CheckFailed("the proof's tree_size is not its tree head's")
    path = [bytes.fromhex(h) for h in document["audit_path"]]
    if not verify_inclusion(
        document["leaf_index"], sth["tree_size"], leaf, path, bytes.fromhex(sth["root_hash"])
    ):
        raise CheckFailed(f"leaf {document['leaf_index']} is not in the signed tree")


def encode_paths(paths: Iterable[Sequence[bytes]]) -> str:
    """The export's ``proofs``: for each exported event in order, one byte with the length of
    its audit path, then the path's hashes (32 bytes each); base64."""
    out = bytearray()
    for path in paths:
        out.append(len(path))
        for node in path:
            out += node
    return base64.b64encode(bytes(out)).decode()


def decode_paths(encoded: str) -> list[list[bytes]]:
    raw = base64.b64decode(encoded, validate=True)
    paths: list[list[bytes]] = []
    at = 0
    while at < len(raw):
        count = raw[at]
        at += 1
        end = at + 32 * count
        if end > len(raw):
            raise CheckFailed("the export's proofs are truncated")
        paths.append([raw[i : i + 32] for i in range(at, end, 32)])
        at = end
    return paths


def check_export(lines: Iterable[str], keys: Mapping[int, Ed25519PublicKey]) -> int:
    """A JSON-lines export: every event is in the tree signed by the last line's STH.
    Returns the number of events checked."""
    events: list[dict[str, Any]] = []
    trailer: dict[str, Any] | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if trailer is not None:
            raise CheckFailed(f"line {number}: data after the closing tree head")
        item = json.loads(line)
        if "sth" in item:
            trailer = item
        else:
            events.append(item)
    if trailer is None:
        raise CheckFailed("the export has no closing tree head line (cut short?)")
    sth = trailer["sth"]
    check_sth(sth, keys)
    paths = decode_paths(trailer["proofs"])
    if len(paths) != len(events):
        raise CheckFailed(f"{len(events)} events but {len(paths)} proofs")
    root = bytes.fromhex(sth["root_hash"])
    for event, path in zip(events, paths, strict=True):
        leaf = leaf_hash(event)
        if event.get("leaf_hash") not in (None, leaf.hex()):
            raise CheckFailed(f"event seq {event.get('seq')}: leaf_hash does not match its fields")
        if not verify_inclusion(event["seq"] - 1, sth["tree_size"], leaf, path, root):
            raise CheckFailed(f"event seq {event.get('seq')} is not in the signed tree")
    return len(events)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a Strongroom audit proof or export.")
    parser.add_argument("kind", choices=["proof", "export"])
    parser.add_argument("file")
    parser.add_argument("--public-key", required=True)
    args = parser.parse_args(argv)
    with open(args.public_key, encoding="utf-8") as handle:
        keys = load_public_keys(handle.read())
    try:
        with open(args.file, encoding="utf-8") as handle:
            if args.kind == "proof":
                check_proof(json.load(handle), keys)
                print("ok: the event is in the signed tree")
            else:
                print(f"ok: {check_export(handle, keys)} events are in the signed tree")
    except (CheckFailed, KeyError, ValueError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
