"""Building a trail for tests: events appended as requests append them, then sequenced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from service.audit.recorder import AuditRecord, append_events
from service.audit.seal import EventSealer
from service.audit.sequencer import Sequencer
from service.audit.verify import verify_with
from service.core.db import make_engine, make_session_factory, snapshot

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def record(i: int) -> AuditRecord:
    return AuditRecord(
        action="customers:customer:read",
        actor=f"svc-{i % 3}",
        role="service",
        targets=[f"cus_tok_{i:012d}"],
        purpose="support" if i % 4 == 0 else None,
        fields=["email"] if i % 5 == 0 else None,
    )


def sealer_for(keys: Any) -> EventSealer:
    """One sealer per key service, as a serving process has: once it has derived the seal key,
    appends go on while the key service is down."""
    if id(keys) not in _SEALERS:
        _SEALERS[id(keys)] = (keys, EventSealer(keys))
    return _SEALERS[id(keys)][1]


_SEALERS: dict[int, tuple[Any, EventSealer]] = {}


def append(url: str, keys: Any, count: int, start: int = 0, per_commit: int = 1) -> None:
    """Queue ``count`` events as requests do, sealed with ``keys``' seal key."""
    engine = make_engine(url)
    factory = make_session_factory(engine, sealer_for(keys))
    for first in range(start, start + count, per_commit):
        with factory() as session:
            numbers = range(first, min(first + per_commit, start + count))
            append_events(
                session,
                [record(i) for i in numbers],
                at=T0 + timedelta(seconds=first),
                status=200,
                request_id=f"r{first}",
                source_ip="127.0.0.1",
            )
            session.commit()
    engine.dispose()


def sequence(
    url: str, key_service: Any, batch_size: int = 1000, anchor_file: Path | None = None
) -> int:
    engine = make_engine(url)
    sequencer = Sequencer(
        make_session_factory(engine, sealer_for(key_service)),
        key_service,
        anchors=key_service,
        anchor_file=anchor_file,
        batch_size=batch_size,
    )
    try:
        return sequencer.run()
    finally:
        engine.dispose()


def verify(url: str, key_service: Any, anchor_file: Path | None = None) -> dict[str, Any]:
    engine = make_engine(url)
    with snapshot(engine) as connection:
        result = verify_with(
            connection, key_service, anchor_file=anchor_file, sealer=sealer_for(key_service)
        ).as_dict()
    engine.dispose()
    return result


def tamper(url: str, *statements: str, **params: Any) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)
    engine.dispose()


def scalar(url: str, statement: str) -> Any:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(statement)).scalar()
    engine.dispose()
    return value
