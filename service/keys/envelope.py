"""Field encryption under a customer's data key: AES-256-GCM with random 96-bit nonces.

Byte format of an encrypted field::

    +---------+-----------------+----------------------------------+
    | 0x01    | nonce (12 B)    | AES-GCM ciphertext || tag (16 B)  |
    +---------+-----------------+----------------------------------+

The first byte is the format version. The associated data (authenticated, not stored) is::

    b"strongroom/field/v1"
    || u32be(len(table))     || table      (UTF-8)
    || u32be(len(column))    || column     (UTF-8)
    || u32be(len(record_id)) || record_id  (UTF-8)
    || u64be(key_version)

Length prefixes make the encoding unambiguous (("ab", "c") and ("a", "bc") differ), so a
ciphertext moved to another table, column, record or key version fails to decrypt.

``key_version`` is the generation of the *data key* (1 for a customer's first data key, +1 each
time that data key is replaced), not the version of the Transit key wrapping it: a Transit
rewrap changes the latter without touching the data key, and must not break field ciphertexts.
"""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.keys.errors import DecryptionFailed
from service.keys.port import DATA_KEY_BYTES

FORMAT_VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = bytes([FORMAT_VERSION])
_AD_DOMAIN = b"strongroom/field/v1"
_MAX_KEY_VERSION = 2**64 - 1


def associated_data(*, table: str, column: str, record_id: str, key_version: int) -> bytes:
    """The canonical, unambiguous associated data binding a ciphertext to its place."""
    if not 1 <= key_version <= _MAX_KEY_VERSION:
        raise ValueError("key_version must be a positive 64-bit integer")
    parts = [_AD_DOMAIN]
    for name in (table, column, record_id):
        encoded = name.encode("utf-8")
        parts.append(struct.pack(">I", len(encoded)))
        parts.append(encoded)
    parts.append(struct.pack(">Q", key_version))
    return b"".join(parts)


def _cipher(key: bytes) -> AESGCM:
    if len(key) != DATA_KEY_BYTES:
        raise ValueError("a data key is exactly 32 bytes (AES-256)")
    return AESGCM(key)


def encrypt_field(
    key: bytes, plaintext: bytes, *, table: str, column: str, record_id: str, key_version: int
) -> bytes:
    """Encrypt ``plaintext`` for one column of one record (format above)."""
    aad = associated_data(table=table, column=column, record_id=record_id, key_version=key_version)
    nonce = os.urandom(NONCE_BYTES)
    return _HEADER + nonce + _cipher(key).encrypt(nonce, plaintext, aad)


def decrypt_field(
    key: bytes, blob: bytes, *, table: str, column: str, record_id: str, key_version: int
) -> bytes:
    """Decrypt a field; raise DecryptionFailed on any mismatch, truncation or tampering."""
    aad = associated_data(table=table, column=column, record_id=record_id, key_version=key_version)
    cipher = _cipher(key)
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[:1] != _HEADER:
        raise DecryptionFailed("The stored ciphertext is malformed")
    nonce = blob[1 : 1 + NONCE_BYTES]
    try:
        return cipher.decrypt(nonce, blob[1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise DecryptionFailed(
            "The stored ciphertext does not decrypt for this record, column and key"
        ) from None
