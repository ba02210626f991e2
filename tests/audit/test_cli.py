"""``strongroom audit``: verify, export, tail and run, through the real command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from service.cli import app
from service.core.db import transaction
from tests.reports.seed import Seed


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_verify_reports_an_intact_trail(seeded_cli: Seed) -> None:
    code, out, _ = invoke("audit", "verify")
    assert code == 0, out
    assert "audit trail intact" in out
    code, out, _ = invoke("audit", "verify", "--format", "json")
    result = json.loads(out)
    assert result["ok"] is True and result["first_bad_seq"] is None


def test_verify_names_the_first_bad_sequence_number_after_tampering(seeded_cli: Seed) -> None:
    with transaction(seeded_cli.api.ctx.session_factory) as session:
        session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 9"))
    code, _, err = invoke("audit", "verify", "--quiet")
    assert code == 1
    assert "first bad sequence number 9" in err
    code, out, _ = invoke("audit", "verify", "--format", "json")
    assert code == 1 and json.loads(out)["first_bad_seq"] == 9


def test_export_writes_the_window_as_jsonl_or_csv(seeded_cli: Seed, tmp_path: Path) -> None:
    target = tmp_path / "march.jsonl"
    window = ["--from", "2026-03-03", "--to", "2026-03-04T00:00:00+00:00"]
    code, _, _ = invoke("audit", "export", "--format", "jsonl", *window, "--output", str(target))
    assert code == 0
    events = [json.loads(line) for line in target.read_text().splitlines()]
    assert "sth" in events.pop()  # the closing tree head line
    assert events and all(e["at"].startswith("2026-03-03") for e in events)
    assert "customers:customer:erase" in {e["action"] for e in events}

    code, out, _ = invoke("audit", "export", "--format", "csv", *window)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["seq"] for r in rows] == [str(e["seq"]) for e in events]


def test_export_rejects_a_reversed_window(seeded_cli: Seed) -> None:
    code, _, err = invoke("audit", "export", "--from", "2026-03-05", "--to", "2026-03-01")
    assert code == 1 and "--from must not be after --to" in err
    code, _, err = invoke("audit", "export", "--from", "last tuesday")
    assert code == 1 and "--from must be a date" in err


def test_tail_prints_the_last_events(seeded_cli: Seed) -> None:
    code, out, _ = invoke("audit", "tail", "-n", "2")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert "access:principal:revoke principal:night-shift" in lines[-1]


def test_run_writes_a_self_contained_html_report(seeded_cli: Seed, tmp_path: Path) -> None:
    target = tmp_path / "pci.html"
    window = ["--from", "2026-03-01", "--to", "2026-03-08"]
    code, _, err = invoke(
        "audit", "run", "pci-dss-10-2", *window, "--format", "html", "--output", str(target)
    )
    assert code == 0, err
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "<table" in page and "Audit trail verified" in page
    assert "http://" not in page and "https://" not in page


def test_run_prints_markdown_json_and_csv(seeded_cli: Seed) -> None:
    window = ["--from", "2026-03-01", "--to", "2026-03-08"]
    code, out, _ = invoke("audit", "run", "reveals-by-purpose", *window)
    assert code == 0 and out.startswith("# Reveals of personal data, by purpose")
    assert "| support ticket 4711 | 2 |" in out
    code, out, _ = invoke("audit", "run", "reveals-by-purpose", *window, "--format", "json")
    report = json.loads(out)
    assert report["stamp"]["chain_ok"] is True
    assert report["sections"][0]["figures"]["events"] == 4
    code, out, _ = invoke("audit", "run", "key-usage", *window, "--format", "csv")
    assert code == 0 and out.startswith("audit,key-usage\n")
    assert "chain verified,ok" in out


def test_run_of_an_unknown_audit_lists_the_known_ones(seeded_cli: Seed) -> None:
    code, _, err = invoke("audit", "run", "pci-dss-99")
    assert code == 1
    assert "no audit named 'pci-dss-99'" in err and "pci-dss-10-2" in err


def test_run_on_a_broken_chain_warns_and_exits_1(seeded_cli: Seed) -> None:
    with transaction(seeded_cli.api.ctx.session_factory) as session:
        session.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    code, out, err = invoke("audit", "run", "retention", "--format", "md")
    assert code == 1
    assert "FAILED" in out and "broken at sequence 4" in err


def test_verify_shows_a_progress_bar_on_long_chains(
    seeded_cli: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.audit.cli

    monkeypatch.setattr(service.audit.cli, "PROGRESS_THRESHOLD", 1)
    code, out, err = invoke("audit", "verify")
    assert code == 0 and "audit trail intact" in out
    assert "verifying the audit trail" in err
