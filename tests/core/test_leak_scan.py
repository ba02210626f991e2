"""The leak scan itself can fail: a planted canary is found in every place it looks."""

from __future__ import annotations

import logging

from tests import canaries


def test_scan_finds_each_canary_whatever_its_case() -> None:
    assert canaries.scan("nothing here") == []
    assert canaries.NAME in canaries.scan(f"hello {canaries.NAME.upper()}!")
    assert canaries.EMAIL in canaries.scan(f"to={canaries.EMAIL}")


def test_a_log_record_with_a_canary_is_redacted_before_it_is_written(service_logging) -> None:
    logging.getLogger("strongroom.test").warning(
        "customer %s wrote from %s",
        canaries.NAME,
        canaries.EMAIL,
        extra={"detail": {"phone": canaries.PHONE}},
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    tail = service_logging.read_text(encoding="utf-8").splitlines()[-1]
    assert "customer <PERSON> wrote from <EMAIL_ADDRESS>" in tail
    assert canaries.scan(tail) == []


def test_the_audit_scan_finds_a_canary_planted_in_an_event(sqlite_api) -> None:
    from datetime import UTC, datetime

    from service.audit.recorder import AuditRecord, append_event
    from service.core.db import transaction

    assert sqlite_api.leaked_canaries() == []
    with transaction(sqlite_api.ctx.session_factory) as session:
        append_event(
            session,
            AuditRecord("audit:event:list", purpose=canaries.PURPOSE),
            at=datetime.now(UTC),
            status=200,
        )
    assert "Quillfeather" in sqlite_api.leaked_canaries()
    # remove the planted event so the fixture's own end-of-test scan stays green
    with sqlite_api.ctx.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE audit_events SET purpose = NULL"))


def test_http_client_internals_never_log_below_warning(service_logging) -> None:
    from service.app.logging import QUIET_LIBRARIES

    for name in QUIET_LIBRARIES:
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
    text = service_logging.read_text(encoding="utf-8")
    assert "sk_test_strongroom" not in text
