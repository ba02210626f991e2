"""The one audit writer: every event goes through ``AuditLog`` (``ctx.audit``), joins the
caller's transaction, and takes its moment from the app's clock."""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from service.access.actions import Action
from service.audit.log import AuditLog, build_sequencer, system_record
from service.audit.models import AuditEvent
from service.core.clock import FrozenClock
from service.core.config import Settings
from service.core.db import transaction
from tests.fixtures.app import Api

SERVICE = Path(__file__).resolve().parents[2] / "service"
STORAGE = {SERVICE / "audit" / "recorder.py", SERVICE / "audit" / "log.py"}


def _calls_of(path: Path, names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "service.audit.recorder":
            found += [f"imports {a.name}" for a in node.names if a.name in names]
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in names:
                found.append(f"calls {name}")
    return found


def test_no_module_but_the_audit_log_appends_events_or_builds_a_sequencer() -> None:
    writers = {"append_event", "append_events"}
    offenders = {
        str(path.relative_to(SERVICE)): calls
        for path in SERVICE.rglob("*.py")
        if path not in STORAGE and (calls := _calls_of(path, writers | {"Sequencer"}))
    }
    assert offenders == {}


def _events(api: Api) -> list[AuditEvent]:
    with api.ctx.session_factory() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.pk)))


def test_a_system_event_commits_with_the_callers_transaction_or_not_at_all(
    sqlite_api: Api,
) -> None:
    before = len(_events(sqlite_api))
    with sqlite_api.ctx.session_factory() as session:
        sqlite_api.ctx.audit.system(session, Action.JOB_CHARGE, ["ch_rolledback"])
        session.rollback()
    assert len(_events(sqlite_api)) == before
    with transaction(sqlite_api.ctx.session_factory) as session:
        event_id = sqlite_api.ctx.audit.system(
            session, Action.JOB_CHARGE, ["ch_kept", "cus_kept"], purpose="why"
        )
    stored = _events(sqlite_api)[-1]
    assert (stored.id, stored.actor, stored.role, stored.action) == (
        event_id,
        "system",
        "system",
        Action.JOB_CHARGE,
    )
    assert (stored.targets, stored.purpose, stored.status, stored.request_id) == (
        '["ch_kept","cus_kept"]',
        "why",
        None,
        None,
    )


def test_the_app_audit_log_takes_its_moment_from_the_app_clock(
    make_api: Callable[..., Api], sqlite_url: str
) -> None:
    clock = FrozenClock(datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC))
    api = make_api(sqlite_url, clock=clock)
    with transaction(api.ctx.session_factory) as session:
        api.ctx.audit.system(session, Action.JOB_SUBSCRIPTION_CANCEL, ["sub_x"])
    assert _events(api)[-1].at == "2031-05-06T07:08:09.000000Z"
    # a request's event too
    api.call("GET", "/v1/customers?limit=1")
    assert _events(api)[-1].at.startswith("2031-05-06T07:08:09")
    # and a job passes its own ``now`` when it has one
    later = clock.now() + timedelta(hours=1)
    with transaction(api.ctx.session_factory) as session:
        api.ctx.audit.records(session, [system_record(Action.JOB_PAUSE_START, ["p"])], at=later)
    assert _events(api)[-1].at.startswith("2031-05-06T08:08:09")


def test_a_request_event_carries_the_request_id_and_the_outcome(sqlite_api: Api) -> None:
    response = sqlite_api.call("GET", "/v1/customers/cus_doesnotexist0001")
    assert response.status_code == 404
    stored = _events(sqlite_api)[-1]
    assert stored.request_id == response.headers["x-request-id"]
    assert (stored.status, stored.outcome, stored.actor) == (404, "error", "admin")


def test_a_committed_event_stays_when_what_follows_fails(sqlite_api: Api) -> None:
    log = AuditLog(FrozenClock(datetime(2030, 1, 1, tzinfo=UTC)))
    with pytest.raises(RuntimeError), transaction(sqlite_api.ctx.session_factory):
        log.committed(
            sqlite_api.ctx.session_factory,
            Action.KEYS_ROTATE,
            actor="cli:ops@host",
            purpose="intent: rotate",
        )
        raise RuntimeError("Transit refused")
    stored = _events(sqlite_api)[-1]
    assert (stored.actor, stored.purpose, stored.at) == (
        "cli:ops@host",
        "intent: rotate",
        "2030-01-01T00:00:00.000000Z",
    )


def test_every_sequencer_gets_its_batch_size_and_anchor_file_from_settings(
    tmp_path: Path, sqlite_api: Api
) -> None:
    settings = Settings(
        database_url="sqlite://", audit_sequence_batch=7, audit_anchor_file=tmp_path / "anchors"
    )
    sequencer = build_sequencer(
        settings, sqlite_api.ctx.session_factory, sqlite_api.ctx.key_service
    )
    assert sequencer.batch_size == 7
    assert sequencer.anchor_file == tmp_path / "anchors"
