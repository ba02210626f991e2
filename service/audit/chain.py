"""The canonical serialisation of an event and the hash that links it to its predecessor."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

CHECKPOINT_CONTEXT = "strongroom-audit-checkpoint:v1"

# The columns of an event in canonical order: the hash covers every one but the last.
EVENT_COLUMNS = (
    "seq",
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
    "prev_hash",
    "hash",
)


def format_time(when: datetime) -> str:
    """Fixed-width UTC text, so stored times sort and compare as strings on every database."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_list(values: Sequence[str] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(list(values), separators=(",", ":"), ensure_ascii=False)


def event_hash(row: Sequence[Any]) -> str:
    """SHA-256 over the canonical JSON array of every column but ``hash``, in table order:
    seq, id, at, actor, role, action, targets, purpose, fields, outcome, status, request_id,
    source_ip, prev_hash."""
    canonical = json.dumps(list(row), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def checkpoint_message(seq: int, chain_hash: str) -> bytes:
    return f"{CHECKPOINT_CONTEXT}:{seq}:{chain_hash}".encode()
