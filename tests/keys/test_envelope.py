from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.keys.envelope import (
    FORMAT_VERSION,
    NONCE_BYTES,
    TAG_BYTES,
    associated_data,
    decrypt_field,
    encrypt_field,
)
from service.keys.errors import DecryptionFailed

KEY = bytes(range(32))
PLACE = {"table": "customers", "column": "email", "record_id": "cus_tok_1", "key_version": 1}


def test_field_round_trips_under_the_same_key_and_place() -> None:
    blob = encrypt_field(KEY, b"jane@example.com", **PLACE)
    assert decrypt_field(KEY, blob, **PLACE) == b"jane@example.com"


def test_ciphertext_layout_is_version_byte_nonce_then_ciphertext_and_tag() -> None:
    plaintext = b"0123456789"
    blob = encrypt_field(KEY, plaintext, **PLACE)
    assert blob[0] == FORMAT_VERSION
    assert len(blob) == 1 + NONCE_BYTES + len(plaintext) + TAG_BYTES
    assert plaintext not in blob


def test_same_plaintext_encrypts_differently_each_time_because_nonces_are_random() -> None:
    blobs = {encrypt_field(KEY, b"same", **PLACE) for _ in range(50)}
    nonces = {blob[1 : 1 + NONCE_BYTES] for blob in blobs}
    assert len(blobs) == 50
    assert len(nonces) == 50


@pytest.mark.parametrize(
    "moved",
    [
        {"record_id": "cus_tok_2"},
        {"column": "phone"},
        {"table": "payment_methods"},
        {"key_version": 2},
    ],
    ids=["another-row", "another-column", "another-table", "another-key-version"],
)
def test_ciphertext_copied_elsewhere_fails_to_decrypt(moved: dict[str, object]) -> None:
    blob = encrypt_field(KEY, b"jane@example.com", **PLACE)
    with pytest.raises(DecryptionFailed):
        decrypt_field(KEY, blob, **{**PLACE, **moved})


def test_flipping_any_bit_of_the_ciphertext_is_detected() -> None:
    blob = encrypt_field(KEY, b"4242", **PLACE)
    for position in range(len(blob)):
        for bit in (0x01, 0x80):
            tampered = bytearray(blob)
            tampered[position] ^= bit
            with pytest.raises(DecryptionFailed):
                decrypt_field(KEY, bytes(tampered), **PLACE)


def test_truncated_or_empty_ciphertext_is_detected() -> None:
    blob = encrypt_field(KEY, b"4242", **PLACE)
    for length in (0, 1, NONCE_BYTES, len(blob) - 1):
        with pytest.raises(DecryptionFailed):
            decrypt_field(KEY, blob[:length], **PLACE)


def test_another_customers_key_cannot_decrypt() -> None:
    blob = encrypt_field(KEY, b"jane@example.com", **PLACE)
    with pytest.raises(DecryptionFailed):
        decrypt_field(os.urandom(32), blob, **PLACE)


def test_associated_data_is_unambiguous_where_plain_concatenation_is_not() -> None:
    first = associated_data(table="ab", column="c", record_id="d", key_version=1)
    second = associated_data(table="a", column="bc", record_id="d", key_version=1)
    assert first != second
    blob = encrypt_field(KEY, b"x", table="ab", column="c", record_id="d", key_version=1)
    with pytest.raises(DecryptionFailed):
        decrypt_field(KEY, blob, table="a", column="bc", record_id="d", key_version=1)


def test_keys_that_are_not_256_bits_and_non_positive_versions_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt_field(KEY[:16], b"x", **PLACE)
    with pytest.raises(ValueError, match="key_version"):
        encrypt_field(KEY, b"x", **{**PLACE, "key_version": 0})


@settings(max_examples=60, deadline=None)
@given(
    plaintext=st.binary(max_size=512),
    table=st.text(max_size=20),
    column=st.text(max_size=20),
    record_id=st.text(max_size=40),
    key_version=st.integers(min_value=1, max_value=2**64 - 1),
)
def test_any_field_round_trips(
    plaintext: bytes, table: str, column: str, record_id: str, key_version: int
) -> None:
    place = {"table": table, "column": column, "record_id": record_id, "key_version": key_version}
    assert decrypt_field(KEY, encrypt_field(KEY, plaintext, **place), **place) == plaintext
