"""Signed tree heads: building, signing and the public shape of one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.checker import sth_digest, sth_message
from service.audit.models import AuditTreeHead


class TreeHeadSigner(Protocol):
    """The Transit ed25519 key ``strongroom-audit`` (``KeyService`` implements this)."""

    def audit_key_version(self) -> int: ...

    def sign(self, data: bytes, key_version: int | None = None) -> str: ...


def sth_view(head: AuditTreeHead) -> dict[str, Any]:
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp,
        "previous": head.previous,
        "key_version": head.key_version,
        "signature": head.signature,
    }


def signed_head(
    signer: TreeHeadSigner,
    *,
    key_version: int,
    tree_size: int,
    root_hash: str,
    timestamp: int,
    previous: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The STH for a tree, chained to ``previous`` (the last STH, or None for the first)."""
    sth: dict[str, Any] = {
        "tree_size": tree_size,
        "root_hash": root_hash,
        "timestamp": timestamp,
        "previous": sth_digest(previous) if previous is not None else None,
        "key_version": key_version,
        "signature": "",
    }
    vault_signature = signer.sign(sth_message(sth), key_version=key_version)
    prefix, version, signature = vault_signature.split(":", 2)
    if prefix != "vault" or version != f"v{key_version}":
        raise ValueError(f"the key service signed with {version}, not v{key_version}")
    sth["signature"] = signature
    return sth


def latest_head(session: Session) -> AuditTreeHead | None:
    return session.scalars(
        select(AuditTreeHead).order_by(AuditTreeHead.tree_size.desc()).limit(1)
    ).first()


def head_of_size(session: Session, tree_size: int) -> AuditTreeHead | None:
    return session.get(AuditTreeHead, tree_size)


def frontier_of(head: AuditTreeHead | None) -> list[tuple[int, bytes]]:
    if head is None:
        return []
    return [(height, bytes.fromhex(value)) for height, value in json.loads(head.frontier)]


def encode_frontier(frontier: list[tuple[int, bytes]]) -> str:
    return json.dumps([[height, value.hex()] for height, value in frontier], separators=(",", ":"))
