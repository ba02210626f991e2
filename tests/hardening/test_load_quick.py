"""The load benchmark's quick mode as a CI test: its checks, never its timings."""

from __future__ import annotations

from bench.bench_load import run


def test_mixed_load_from_several_principals_keeps_every_invariant() -> None:
    figures, checks = run(quick=True, clients=4, seconds=6.0)
    assert figures, "the load produced no figures"
    assert checks.audit_ok, "the audit chain does not verify after the load"
    assert checks.requests_sent >= 50
    assert checks.requests_with_one_event == checks.requests_sent, checks
    assert checks.server_errors == 0, checks
    assert checks.charges_created > 0, "no charge was made: the charge checks prove nothing"
    assert checks.duplicate_charges == 0, checks
    assert checks.charges_stored == checks.charges_created, checks
    assert checks.processor_payments == checks.charges_stored, checks
    assert checks.replay_mismatches == 0, checks
