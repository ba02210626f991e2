"""Response bodies of the audit endpoints (API.md, "Audit"): events, signed tree heads, proofs
and verification."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from service.core.schemas import ReadModel


class AuditEventRead(ReadModel):
    seq: int | None = Field(description="1-based leaf position; null while queued")
    id: str
    at: str
    actor: str
    role: str
    action: str
    targets: list[str]
    purpose: str | None
    fields: list[str] | None
    outcome: Literal["allowed", "denied", "error"]
    status: int | None
    request_id: str | None
    source_ip: str | None
    leaf_hash: str | None = Field(description="null while queued")


class AuditEventPage(ReadModel):
    data: list[AuditEventRead]
    next_cursor: str | None


class SthRead(ReadModel):
    tree_size: int
    root_hash: str
    timestamp: int
    previous: str | None
    key_version: int
    signature: str


class InclusionProofRead(ReadModel):
    leaf_index: int
    tree_size: int
    leaf_hash: str | None
    audit_path: list[str]
    sth: SthRead


class ConsistencyProofRead(ReadModel):
    first: int
    second: int
    proof: list[str]
    sths: list[SthRead]


class SthCheckRead(ReadModel):
    count: int
    verified: int


class AnchorCheckRead(ReadModel):
    latest_tree_size: int
    checked: int
    missing: int
    consistent: bool


class VerifyRead(ReadModel):
    ok: bool
    checked: int
    tree_size: int
    root_hash: str | None
    queued: int
    sths: SthCheckRead
    anchors: AnchorCheckRead
    first_bad_seq: int | None
    reason: str | None
