"""The email blind index: a keyed HMAC (by the key service) for exact-match search.

Scheme, per customer, recorded in ``email_index_version``:

- ``N >= 1``: HMAC-SHA256 under version N of the index key over
  ``b"strongroom/blind-index/v1" 0x00 <field label> 0x00 <normalised value>`` — the label
  (``customers.email``) separates this field's digests from any other field's, so equal values
  in two fields never share a digest.
- ``0``: the old form (no label, index-key version 1), left by migration a16_0007 until
  :func:`reindex` recomputes it.

Search computes the digest under the latest version and, while older versions remain (the
smallest one in the table is one indexed read), under each of those too, so search keeps
working during a migration or a rotation. Re-indexing runs in batches like the data-key rewrap:
each chunk is read in a short transaction, its emails opened under the customers' data keys
(one batch unwrap) and digested in one Transit batch with no transaction open, and written
where the stored index is still the one read (an erasure meanwhile wins).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from service.core.db import transaction
from service.customers import sensitive
from service.customers.models import Customer
from service.customers.validation import normalised_email
from service.customers.vault import unseal
from service.keys.cache import DataKeyCache
from service.keys.errors import WrappedKeyRejected
from service.keys.port import KeyService

EMAIL_LABEL = "customers.email"
LEGACY_VERSION = 0
_DOMAIN = b"strongroom/blind-index/v1"
DEFAULT_CHUNK_SIZE = 200

Progress = Callable[[int], None]


def labelled(label: str, value: str) -> bytes:
    return _DOMAIN + b"\x00" + label.encode("utf-8") + b"\x00" + value.encode("utf-8")


def email_digest(key_service: KeyService, email: str) -> tuple[str, int]:
    """(digest, index-key version) of an email under the latest version, for storing."""
    digests, version = key_service.keyed_digests([labelled(EMAIL_LABEL, normalised_email(email))])
    return digests[0], version


def older_digests(key_service: KeyService, email: str, oldest: int, latest: int) -> list[str]:
    """The email's digests under every version from ``oldest`` up to (not including)
    ``latest``: the label-less legacy form for version 0."""
    normalised = normalised_email(email)
    digests: list[str] = []
    for version in range(max(oldest, 1), latest):
        found, _ = key_service.keyed_digests([labelled(EMAIL_LABEL, normalised)], version)
        digests += found
    if oldest == LEGACY_VERSION:
        digests.append(key_service.blind_index(normalised.encode("utf-8")))
    return digests


def search(session: Session, key_service: KeyService, email: str) -> list[str]:
    """Tokens of the live customers whose email is this one (normalised), oldest first.

    One round trip in the steady state: the match under the latest version comes back with
    the smallest version still stored; only while older ones remain (a migration or rotation
    not yet re-indexed) does a second query look for the email under those."""
    latest_digest, latest = email_digest(key_service, email)
    oldest_stored = select(func.min(Customer.email_index_version)).scalar_subquery()
    live = Customer.erased_at.is_(None)
    rows = session.execute(
        select(Customer.id, Customer.created_at, oldest_stored).where(
            Customer.email_index == latest_digest, live
        )
    ).all()
    oldest = rows[0][2] if rows else session.scalar(select(func.min(Customer.email_index_version)))
    found = [(created, token) for token, created, _ in rows]
    if oldest is not None and int(oldest) < latest:
        older = older_digests(key_service, email, int(oldest), latest)
        found += [
            (created, token)
            for token, created in session.execute(
                select(Customer.id, Customer.created_at).where(
                    Customer.email_index.in_(older), live
                )
            )
        ]
    return [token for _, token in sorted(set(found))]


@dataclass(frozen=True)
class ReindexResult:
    version: int
    reindexed: int
    changed_meanwhile: int
    failed: int


def reindex(
    session_factory: sessionmaker[Session],
    key_service: KeyService,
    cache: DataKeyCache,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_progress: Progress | None = None,
) -> ReindexResult:
    """Recompute, chunk by chunk, every email index below the index key's latest version."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    _, target = key_service.keyed_digests([labelled(EMAIL_LABEL, "")])  # the latest version
    done = changed = 0
    failed: set[str] = set()
    while True:
        with transaction(session_factory) as session:
            chunk = _below(session, target, chunk_size, failed)
            emails = _open_emails(session, key_service, cache, chunk, failed)
        if not chunk:
            break
        if not emails:
            continue
        tokens = list(emails)
        digests, version = key_service.keyed_digests(
            [labelled(EMAIL_LABEL, normalised_email(emails[t][1])) for t in tokens], target
        )
        with transaction(session_factory) as session:
            for token, digest in zip(tokens, digests, strict=True):
                written = session.execute(
                    update(Customer)
                    .where(Customer.id == token, Customer.email_index == emails[token][0])
                    .values(email_index=digest, email_index_version=version)
                    .execution_options(synchronize_session=False)
                )
                if written.rowcount:  # type: ignore[attr-defined]
                    done += 1
                else:
                    changed += 1
        if on_progress is not None:
            on_progress(done)
    return ReindexResult(target, done, changed, len(failed))


def _below(session: Session, target: int, limit: int, failed: Collection[str]) -> list[Customer]:
    query = select(Customer).where(
        Customer.email_index.is_not(None),
        Customer.erased_at.is_(None),
        Customer.email_index_version < target,
    )
    if failed:
        query = query.where(Customer.id.not_in(list(failed)))
    return list(session.scalars(query.order_by(Customer.id).limit(limit)))


def _open_emails(
    session: Session,
    key_service: KeyService,
    cache: DataKeyCache,
    chunk: list[Customer],
    failed: set[str],
) -> dict[str, tuple[str, str]]:
    """token → (stored index, clear email) for the chunk; customers whose data key cannot be
    unwrapped are set aside in ``failed`` (reported, never retried in this run)."""
    wrapped = [c.wrapped_data_key for c in chunk if c.wrapped_data_key]
    missing = list(dict.fromkeys(w for w in wrapped if cache.get(w) is None))
    if missing:
        try:
            for w, plaintext in zip(missing, key_service.unwrap_data_keys(missing), strict=True):
                cache.put(w, plaintext)
        except WrappedKeyRejected as refused:
            bad = {missing[i] for i in refused.failed_indices}
            failed.update(c.id for c in chunk if c.wrapped_data_key in bad)
            good = [w for w in missing if w not in bad]
            if good:
                for w, plaintext in zip(good, key_service.unwrap_data_keys(good), strict=True):
                    cache.put(w, plaintext)
    opened: dict[str, tuple[str, str]] = {}
    for customer in chunk:
        key = cache.get(customer.wrapped_data_key or "")
        if key is None or customer.id in failed:
            failed.add(customer.id)
            continue
        opened[customer.id] = (
            str(customer.email_index),
            str(unseal(customer, key, sensitive.EMAIL)),
        )
    return opened
