"""Free text about a customer (a pause's ``reason``, a charge's ``description``): kept only
encrypted under that customer's data key, so erasure shreds it with everything else; the audit
gets a redacted, length-capped form; the processor gets nothing.

``X-Purpose`` goes through :func:`for_audit` too. Control characters are refused at the edge
(schemas and headers), so none reaches storage, the audit or a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.customers.models import Customer
from service.customers.validation import no_control_characters
from service.keys.cache import DataKeyCache
from service.keys.envelope import decrypt_field, encrypt_field
from service.keys.port import KeyService

# The audit keeps at most this many characters of a redacted free text (then "…").
MAX_AUDIT_TEXT = 120
ELLIPSIS = "…"


@dataclass(frozen=True)
class CustomerKey:
    """A live customer's unwrapped data key and the generation its ciphertexts are bound to."""

    customer: str
    plaintext: bytes = field(repr=False)
    generation: int


@dataclass(frozen=True)
class Place:
    """Where a free text lives: bound into its ciphertext's associated data."""

    table: str
    column: str
    record_id: str


def redacted(text: str) -> str:
    """The form that is stored (encrypted) and shown: what the redactor leaves. The
    process-wide redactor, loaded only when a text comes (its NER model is large)."""
    from service.redaction.redactor import get_redactor, redact_text

    return redact_text(get_redactor(), no_control_characters(text)).text


def for_audit(text: str | None) -> str | None:
    """What the audit keeps of a free text: redacted, then capped."""
    if text is None:
        return None
    kept = redacted(text.strip())
    if len(kept) > MAX_AUDIT_TEXT:
        kept = kept[: MAX_AUDIT_TEXT - 1] + ELLIPSIS
    return kept


def customer_keys(
    session: Session, key_service: KeyService, cache: DataKeyCache, tokens: Iterable[str]
) -> dict[str, CustomerKey]:
    """The data keys of the live customers among ``tokens`` (one batch unwrap for the keys
    not cached); erased or unknown ones are left out."""
    wanted = list(dict.fromkeys(tokens))
    if not wanted:
        return {}
    rows = session.execute(
        select(Customer.id, Customer.wrapped_data_key, Customer.data_key_generation).where(
            Customer.id.in_(wanted),
            Customer.wrapped_data_key.is_not(None),
            Customer.erased_at.is_(None),
        )
    ).all()
    missing = list(dict.fromkeys(w for _, w, _ in rows if cache.get(w) is None))
    if missing:
        for wrapped, plaintext in zip(missing, key_service.unwrap_data_keys(missing), strict=True):
            cache.put(wrapped, plaintext)
    keys: dict[str, CustomerKey] = {}
    for token, wrapped, generation in rows:
        plaintext = cache.get(wrapped) or key_service.unwrap_data_key(wrapped)
        keys[str(token)] = CustomerKey(str(token), plaintext, int(generation))
    return keys


def seal(key: CustomerKey, place: Place, text: str) -> bytes:
    return encrypt_field(
        key.plaintext,
        text.encode("utf-8"),
        table=place.table,
        column=place.column,
        record_id=place.record_id,
        key_version=key.generation,
    )


def open_sealed(key: CustomerKey | None, place: Place, blob: bytes | None) -> str | None:
    """The clear text, or None when nothing is stored or the customer was erased."""
    if blob is None or key is None:
        return None
    return decrypt_field(
        key.plaintext,
        bytes(blob),
        table=place.table,
        column=place.column,
        record_id=place.record_id,
        key_version=key.generation,
    ).decode("utf-8")
