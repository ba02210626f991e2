"""Key rotation without downtime: rotate the Transit data key, rewrap every stored data key.

Each chunk is read in one short transaction, rewrapped through Transit's batch API with no
transaction open, and written in another short transaction where a row is updated only if its
wrapped key is still the one that was read (an erasure meanwhile wins). Rewrapping changes only
the wrapping: the data keys, and so every field ciphertext, stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from service.access.actions import Action
from service.audit.log import wall_clock_audit
from service.audit.recorder import SYSTEM_ACTOR
from service.core.db import transaction
from service.core.errors import Conflict, ValidationFailed
from service.keys import keystore
from service.keys.errors import WrappedKeyRejected
from service.keys.port import KeyService

DEFAULT_CHUNK_SIZE = 200

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RotationResult:
    new_version: int
    rewrapped: int
    changed_meanwhile: int
    rejected: int


def _key_event(
    session_factory: sessionmaker[Session],
    action: Action,
    actor: str,
    at: datetime,
    phase: str,
    *,
    failed: bool = False,
) -> None:
    """One event of a key change, committed on its own: ``intent: …`` before Transit is asked,
    then ``done: …`` or ``failed: …`` after (the phase goes in the event's purpose)."""
    wall_clock_audit().committed(
        session_factory,
        action,
        actor=actor,
        purpose=phase,
        status=500 if failed else None,
        at=at,
    )


@contextmanager
def audited_change(
    session_factory: sessionmaker[Session],
    action: Action,
    actor: str,
    now: Callable[[], datetime],
    intent: str,
) -> Iterator[list[str]]:
    """Records the intent, runs the Transit change, then records it done (or failed): a crash
    or a refusal between the two still leaves the attempt in the trail. The body appends the
    ``done`` text to the yielded list."""
    _key_event(session_factory, action, actor, now(), f"intent: {intent}")
    outcome: list[str] = []
    try:
        yield outcome
    except Exception as exc:
        _key_event(
            session_factory, action, actor, now(), f"failed: {type(exc).__name__}", failed=True
        )
        raise
    _key_event(session_factory, action, actor, now(), f"done: {outcome[0] if outcome else intent}")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def rotate_data_keys(
    session_factory: sessionmaker[Session],
    key_service: KeyService,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_progress: Progress | None = None,
    now: Callable[[], datetime] = _utc_now,
    actor: str = SYSTEM_ACTOR,
) -> RotationResult:
    """Rotate the data-wrapping key, then rewrap every data key under the new version.

    The rotation is audited as intent before Transit is asked and as done (or failed) after;
    an interrupted rewrap is resumed by ``rewrap_data_keys`` (or the next rotation)."""
    with audited_change(
        session_factory, Action.KEYS_ROTATE, actor, now, "rotate the data-wrapping key"
    ) as done:
        new_version = key_service.rotate_data_key()
        done.append(f"data-wrapping key rotated to version {new_version}")
    return rewrap_data_keys(
        session_factory, key_service, new_version, chunk_size=chunk_size, on_progress=on_progress
    )


def rewrap_data_keys(
    session_factory: sessionmaker[Session],
    key_service: KeyService,
    version: int,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_progress: Progress | None = None,
) -> RotationResult:
    """Rewrap, chunk by chunk, every stored data key wrapped under a version below ``version``."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    with transaction(session_factory) as session:
        total = keystore.count_wrapped_below(session, version)
    done = rewrapped = changed = 0
    rejected: set[str] = set()
    while True:
        with transaction(session_factory) as session:
            chunk = keystore.wrapped_below(session, version, chunk_size, excluding=rejected)
        if not chunk:
            break
        try:
            results = key_service.rewrap_data_keys([wrapped for _, wrapped in chunk])
        except WrappedKeyRejected as refused:
            # Corrupt or retired values cannot be rewrapped; the others go in the next round.
            rejected.update(chunk[index][0] for index in refused.failed_indices)
            continue
        with transaction(session_factory) as session:
            for (token, old), (new, new_version) in zip(chunk, results, strict=True):
                if keystore.replace_wrapped_key(
                    session, token, old=old, new=new, version=new_version
                ):
                    rewrapped += 1
                else:
                    changed += 1
        done += len(chunk)
        total = max(total, done)
        if on_progress is not None:
            on_progress(done, total)
    return RotationResult(
        new_version=version, rewrapped=rewrapped, changed_meanwhile=changed, rejected=len(rejected)
    )


def retire(
    session_factory: sessionmaker[Session],
    key_service: KeyService,
    min_version: int,
    *,
    now: Callable[[], datetime] = _utc_now,
    actor: str = SYSTEM_ACTOR,
) -> None:
    """Retire every version below ``min_version`` — decryption refused, then the versions
    trimmed from the key ring for good — once no data key is wrapped under an older one."""
    status = key_service.key_status()
    if not 1 <= min_version <= status.latest_version:
        raise ValidationFailed(
            f"The minimum decryption version must be between 1 and {status.latest_version}."
        )
    with transaction(session_factory) as session:
        remaining = keystore.count_wrapped_below(session, min_version)
        if remaining:
            raise Conflict(
                f"{remaining} data key(s) are still wrapped under a version below "
                f"{min_version}: rotate (rewrap) first."
            )
    with audited_change(
        session_factory,
        Action.KEYS_RETIRE,
        actor,
        now,
        f"retire data-wrapping key versions below {min_version}",
    ):
        key_service.retire_data_key_versions_below(min_version)
