"""Each named audit in audits/ runs on the seeded dataset, and its figures match the seed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.core.config import PROJECT_ROOT
from service.core.db import transaction
from service.reports.model import Report, SectionResult
from service.reports.runner import run_audit
from service.reports.spec import available_audits, load_audit
from tests.customers.support import create
from tests.fixtures.app import Api
from tests.reports.seed import (
    ANCIENT,
    CHARGES,
    REPORT_NOW,
    WINDOW_END,
    WINDOW_START,
    Seed,
    seed,
)

AUDITS = PROJECT_ROOT / "audits"


@pytest.fixture
def seeded(make_api: Callable[..., Api], db_url: str) -> Seed:
    return seed(make_api, db_url)


def run(data: Seed, name: str) -> Report:
    with transaction(data.api.ctx.session_factory) as session:
        return run_audit(
            load_audit(AUDITS, name),
            session,
            data.api.ctx.key_service,
            start=WINDOW_START,
            end=WINDOW_END,
            now=REPORT_NOW,
        )


def section(report: Report, section_id: str) -> SectionResult:
    return next(s for s in report.sections if s.id == section_id)


def rows(report: Report, section_id: str) -> list[list[object]]:
    return section(report, section_id).table.rows


def head_seq(data: Seed) -> int:
    with transaction(data.api.ctx.session_factory) as session:
        return int(session.execute(select(func.max(AuditEvent.seq))).scalar_one())


def test_the_required_audits_exist_and_load() -> None:
    assert set(available_audits(AUDITS)) >= {
        "pci-dss-10-2",
        "reveals-by-purpose",
        "key-usage",
        "pause-and-charge-activity",
        "retention",
    }
    for name in available_audits(AUDITS):
        assert load_audit(AUDITS, name).sections


def test_every_report_carries_a_verification_stamp(seeded: Seed) -> None:
    report = run(seeded, "reveals-by-purpose")
    stamp = report.stamp
    assert stamp.chain_ok is True and stamp.first_bad_seq is None
    assert stamp.tree_size == stamp.checked == head_seq(seeded)
    assert len(stamp.root_hash) == 64
    assert stamp.generated_at == "2026-03-09T00:00:00Z"
    assert (report.window_from, report.window_to) == (
        "2026-03-01T00:00:00Z",
        "2026-03-08T00:00:00Z",
    )


def test_pci_dss_10_2_figures_match_the_seed(seeded: Seed) -> None:
    report = run(seeded, "pci-dss-10-2")
    reveal, read = "customers:customer:reveal", "customers:customer:read"
    assert [r[:3] for r in rows(report, "cardholder-access")] == [
        ["compliance", reveal, 3],
        ["analyst", reveal, 1],
        ["compliance", read, 1],
    ]
    chart = section(report, "cardholder-access").chart
    assert chart is not None and chart.kind == "daily"
    assert chart.series == {"analyst": {"2026-03-03": 1}, "compliance": {"2026-03-02": 4}}
    assert chart.days == ["2026-03-02", "2026-03-03"]

    assert sorted(r[:3] for r in rows(report, "invalid-access")) == [
        ["anonymous", "inventory:inventory:read", 1],
        ["service", "audit:event:list", 1],
        ["service", "customers:customer:reveal", 1],
    ]
    invalid = section(report, "invalid-access")
    assert invalid.events is not None and len(invalid.events.rows) == 3
    assert sorted(r[:4] for r in rows(report, "admin-privileges")) == [
        ["admin", "audit:tree:verify", "allowed", 1],
        ["admin", "customers:customer:erase", "allowed", 1],
        ["admin", "pauses:bulk:create", "allowed", 1],
    ]
    assert sorted(r[:3] for r in rows(report, "principal-changes")) == [
        ["access:principal:create", "principal:night-shift", 1],
        ["access:principal:revoke", "principal:night-shift", 1],
    ]
    assert section(report, "audit-trail-access").figures["events"] == 3


def test_reveals_by_purpose_figures_match_the_seed(seeded: Seed) -> None:
    report = run(seeded, "reveals-by-purpose")
    by_purpose = section(report, "by-purpose")
    assert [r[:2] for r in by_purpose.table.rows] == [
        ["support ticket 4711", 2],
        ["chargeback dispute", 1],
        ["gdpr request", 1],
    ]
    assert by_purpose.chart is not None
    assert by_purpose.chart.bars == [
        ("support ticket 4711", 2),
        ("chargeback dispute", 1),
        ("gdpr request", 1),
    ]
    expected = sorted(
        [purpose, actor, field, 1]
        for actor, purpose, _, fields in seeded.reveals
        for field in fields
    )
    assert sorted(r[:4] for r in rows(report, "by-purpose-actor-field")) == expected
    assert sorted(r[:3] for r in rows(report, "refused")) == [
        ["analyst", "error", 1],
        ["service", "denied", 1],
    ]


def test_key_usage_figures_match_the_seed(seeded: Seed) -> None:
    report = run(seeded, "key-usage")
    key = seeded.api.ctx.key_service.key_status()
    versions = section(report, "versions")
    # data keys of every holder: the customers (three created, one erased) plus those of the
    # subscriptions' metadata and the sealed idempotent responses
    from sqlalchemy import text

    with seeded.api.ctx.engine.connect() as conn:
        others = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM subscriptions WHERE wrapped_data_key IS NOT NULL)"
                " + (SELECT count(*) FROM idempotency_keys)"
                " + (SELECT count(*) FROM webhook_endpoints)"
            )
        ).scalar_one()
    assert versions.figures["data keys"] == 2 + others
    assert versions.figures["latest version"] == key.latest_version
    assert versions.figures["retired versions still in use"] == 0
    assert [r for r in versions.table.rows if r[2]] == [
        [key.latest_version, "latest", 2 + others, False]
    ]
    assert [r[:3] for r in rows(report, "rotations")] == [["keys:data_key:rotate", "2026-03-04", 1]]
    assert [r[:3] for r in rows(report, "erasures")] == [["admin", "2026-03-03", 1]]


def test_pause_and_charge_activity_figures_match_the_seed(seeded: Seed) -> None:
    report = run(seeded, "pause-and-charge-activity")
    assert sorted(r[:4] for r in rows(report, "by-actor")) == [
        ["admin", "pauses:bulk:create", "allowed", 1],
        ["service", "charges:charge:create", "allowed", len(CHARGES)],
        ["service", "charges:charge:create", "error", 1],
        ["service", "pauses:pause:create", "allowed", 1],
    ]
    chart = section(report, "by-actor").chart
    assert chart is not None
    assert chart.series == {"admin": {"2026-03-04": 1}, "service": {"2026-03-04": 4}}
    assert [r[:4] for r in rows(report, "bulk")] == [["admin", "pauses:bulk:create", "allowed", 1]]
    assert [r[:3] for r in rows(report, "jobs")] == [["jobs:charge:create", "allowed", 1]]

    charges = section(report, "charges")
    assert charges.note is None
    assert charges.figures == {"records": 2, "total amount": sum(a for a, _ in CHARGES)}
    assert sorted(charges.table.rows) == [
        ["one_off", "succeeded", "EUR", 1, 500],
        ["one_off", "succeeded", "USD", 1, 1999],
    ]
    pauses = section(report, "pauses")
    assert pauses.note is None
    assert pauses.figures == {"records": 1, "total credit_amount": 0}
    assert pauses.table.rows == [["service", "shift", "active", 1, 0]]


def test_retention_figures_match_the_seed(seeded: Seed) -> None:
    report = run(seeded, "retention")
    retention = section(report, "retention")
    total = head_seq(seeded)
    assert retention.figures["events in the trail"] == total
    assert retention.figures["events beyond retention"] == 2  # the two from January 2025
    assert retention.figures["events immediately queryable"] == total - 3
    assert retention.figures["oldest event"] == ANCIENT.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert retention.figures["queryable window complete"] is True
    states = {row[0]: (row[1], row[2]) for row in retention.table.rows}
    assert states["2025-01"] == (2, "beyond retention")
    assert states["2025-10"] == (1, "retained")
    assert states["2026-03"][1] == "immediately queryable"
    assert retention.note is not None and "2 events" in retention.note


def test_key_usage_flags_a_retired_version_still_wrapping_data_keys(
    make_api: Callable[..., Api], sqlite_url: str, fresh_key_service: Any
) -> None:
    api = make_api(sqlite_url, key_service=fresh_key_service)
    for _ in range(2):
        create(api)
    new_version = fresh_key_service.rotate_data_key()
    fresh_key_service.set_min_decryption_version(new_version)  # retired without a rewrap
    with transaction(api.ctx.session_factory) as session:
        report = run_audit(
            load_audit(AUDITS, "key-usage"),
            session,
            fresh_key_service,
            start=WINDOW_START,
            end=WINDOW_END,
            now=REPORT_NOW,
        )
    versions = section(report, "versions")
    assert versions.figures["retired versions still in use"] == 1
    assert versions.table.rows == [
        [new_version - 1, "retired", 2, True],
        [new_version, "latest", 0, False],
    ]
    assert versions.note is not None and "strongroom keys rotate" in versions.note
