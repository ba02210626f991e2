"""Sealing and opening a customer's sensitive columns under its data key.

Each value is JSON, encrypted with AES-256-GCM (``service.keys.envelope``) and bound to the
column's table and name, the customer's token and the data key's generation.
"""

from __future__ import annotations

import json
from typing import Any

from service.core.errors import Gone
from service.customers.models import Customer
from service.customers.sensitive import SensitiveColumn
from service.keys.cache import DataKeyCache
from service.keys.envelope import decrypt_field, encrypt_field
from service.keys.port import KeyService


def seal(customer: Customer, key: bytes, column: SensitiveColumn, value: Any) -> None:
    """Store ``value`` encrypted in ``column`` (None stores nothing)."""
    if value is None:
        setattr(customer, column.column, None)
        return
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    blob = encrypt_field(key, plaintext, **_place(customer, column))
    setattr(customer, column.column, blob)


def unseal(customer: Customer, key: bytes, column: SensitiveColumn) -> Any:
    """The clear value of ``column``, or None when nothing is stored there."""
    blob: bytes | None = getattr(customer, column.column)
    if blob is None:
        return None
    return json.loads(decrypt_field(key, bytes(blob), **_place(customer, column)))


def _place(customer: Customer, column: SensitiveColumn) -> dict[str, Any]:
    if customer.data_key_generation is None:
        raise Gone("This customer has been erased.")
    return {
        "table": column.table,
        "column": column.column,
        "record_id": customer.id,
        "key_version": customer.data_key_generation,
    }


def data_key(customer: Customer, key_service: KeyService, cache: DataKeyCache) -> bytes:
    """The customer's unwrapped data key, from the cache or from the key service."""
    wrapped = customer.wrapped_data_key
    if wrapped is None:
        raise Gone("This customer has been erased.")
    key = cache.get(wrapped)
    if key is None:
        key = key_service.unwrap_data_key(wrapped)
        cache.put(wrapped, key)
    return key
