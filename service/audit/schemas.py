"""Response bodies of the tree endpoints (API.md, "Audit"): signed tree heads and proofs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Read(BaseModel):
    # a view with a key the model lacks fails, rather than losing the key from the answer
    model_config = ConfigDict(extra="forbid")


class SthRead(_Read):
    tree_size: int
    root_hash: str
    timestamp: int
    previous: str | None
    key_version: int
    signature: str


class InclusionProofRead(_Read):
    leaf_index: int
    tree_size: int
    leaf_hash: str | None
    audit_path: list[str]
    sth: SthRead


class ConsistencyProofRead(_Read):
    first: int
    second: int
    proof: list[str]
    sths: list[SthRead]
