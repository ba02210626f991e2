"""The key-service port: what Strongroom needs from Vault/OpenBao Transit, and nothing more."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

DATA_KEY_BYTES = 32

_WRAPPED_PREFIX = re.compile(r"^vault:v(?P<version>[1-9][0-9]*):")


@dataclass(frozen=True)
class DataKey:
    """A fresh AES-256 data key: its plaintext (memory only) and its Transit-wrapped form.

    ``version`` is the version of the Transit key that wrapped it; it changes on rewrap.
    """

    plaintext: bytes = field(repr=False)
    wrapped: str
    version: int


@dataclass(frozen=True)
class KeyStatus:
    name: str
    key_type: str
    latest_version: int
    min_decryption_version: int
    versions: tuple[int, ...]
    # Versions below it are deleted from the key ring (trimmed): gone for good.
    min_available_version: int = 0


def wrapped_key_version(wrapped: str) -> int:
    """The Transit key version in a wrapped value (``vault:v3:…`` → 3)."""
    match = _WRAPPED_PREFIX.match(wrapped)
    if match is None:
        raise ValueError("not a Transit ciphertext (expected the vault:vN: prefix)")
    return int(match.group("version"))


@runtime_checkable
class KeyService(Protocol):
    """Every failure to reach the key service raises ``KeyServiceUnavailable`` (never a hang,
    never a weaker fallback); a refusal by a reachable key service raises ``KeyServiceError``."""

    def ensure_keys(self) -> None:
        """Create the Transit mount and Strongroom's keys if they are missing."""
        ...

    def generate_data_key(self) -> DataKey:
        """A new 32-byte data key, with its wrapped form, in one call."""
        ...

    def unwrap_data_key(self, wrapped: str) -> bytes: ...

    def unwrap_data_keys(self, wrapped: Sequence[str]) -> list[bytes]:
        """Unwrap many keys through Transit's batch API, results in input order."""
        ...

    def rewrap_data_keys(self, wrapped: Sequence[str]) -> list[tuple[str, int]]:
        """Rewrap under the latest Transit key version: (new wrapped value, its version)."""
        ...

    def sign(self, data: bytes, key_version: int | None = None) -> str:
        """An ed25519 signature (``vault:vN:…``) from the audit signing key (its latest
        version unless ``key_version`` is given)."""
        ...

    def audit_key_version(self) -> int: ...

    def audit_public_keys(self) -> dict[int, bytes]:
        """Raw ed25519 public keys of every version of the audit signing key."""
        ...

    def put_anchor(self, tree_size: int, sth: dict[str, Any]) -> bool:
        """Anchor a signed tree head outside the database; False if that size is anchored."""
        ...

    def read_anchor(self, tree_size: int) -> dict[str, Any] | None: ...

    def anchored_sizes(self) -> list[int]: ...

    def verify(self, data: bytes, signature: str) -> bool: ...

    def blind_index(self, value: bytes) -> str:
        """The old label-less keyed digest under index-key version 1 (64 hex characters): only
        to find values indexed before field labels and rotation (scheme version 0)."""
        ...

    def keyed_digests(
        self, values: Sequence[bytes], key_version: int | None = None
    ) -> tuple[list[str], int]:
        """HMAC-SHA256 of each value under one version of the index key (the latest when None):
        (64-hex-character digests in input order, the version used)."""
        ...

    def rotate_index_key(self) -> int:
        """Add a version to the blind-index key (operator token); returns it."""
        ...

    def rotate_data_key(self) -> int:
        """Add a new version to the data-wrapping key; returns it (the new latest)."""
        ...

    def key_status(self) -> KeyStatus: ...

    def set_min_decryption_version(self, version: int) -> None: ...

    def retire_data_key_versions_below(self, version: int) -> None:
        """Refuse decryption and encryption under every version below ``version``, then
        delete those versions from the key ring (trim), so that no one — not even a token
        allowed to change the key's configuration — can bring them back."""
        ...

    def check(self) -> None:
        """Raise ``KeyServiceUnavailable`` unless the key service is reachable and unsealed."""
        ...
