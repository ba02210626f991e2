"""Errors of the key layer. Unreachable or sealed key service: ``KeyServiceUnavailable`` (503)."""

from __future__ import annotations

from collections.abc import Sequence

from service.core.errors import KeyServiceUnavailable, ServiceError

__all__ = [
    "DecryptionFailed",
    "KeyServiceError",
    "KeyServiceUnavailable",
    "WrappedKeyRejected",
]


class KeyServiceError(ServiceError):
    """The key service answered, but refused or failed the operation (not an outage).

    ``reason`` carries the key service's own words for operators' logs; it is not part of the
    API response and never holds key material or ciphertexts.
    """

    code, status, title = "internal_error", 500, "Key service error"

    def __init__(self, detail: str | None = None, *, reason: str = "") -> None:
        super().__init__(detail)
        self.reason = reason


class WrappedKeyRejected(KeyServiceError):
    """Transit refused to unwrap or rewrap some wrapped data keys (``failed_indices``): they
    are corrupt, belong to another key, or are older than the minimum decryption version."""

    title = "Wrapped data key rejected"

    def __init__(self, failed_indices: Sequence[int], *, reason: str = "") -> None:
        self.failed_indices = list(failed_indices)
        super().__init__(
            f"The key service rejected {len(self.failed_indices)} wrapped data key(s)",
            reason=reason,
        )


class DecryptionFailed(ServiceError):
    """A field ciphertext did not decrypt: wrong key, tampered bytes, or associated data that
    names another table, column, record or key version."""

    code, status, title = "internal_error", 500, "Decryption failed"
