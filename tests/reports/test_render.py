"""Renderers: caller-supplied text (purposes, actor names) cannot inject markup or formulas."""

from __future__ import annotations

import csv
import io
import json

from service.reports.model import Chart, Report, SectionResult, Stamp, Table
from service.reports.render import render

HOSTILE = '<script>alert("x")</script> | =HYPERLINK("evil") & <img src=x>'


def hostile_report(chain_ok: bool = True) -> Report:
    section = SectionResult(
        id="by-purpose",
        title="Reveals by purpose",
        description="",
        figures={"events": 2},
        table=Table(columns=["purpose", "events"], rows=[[HOSTILE, 2]]),
        chart=Chart(kind="bars", title="by purpose", bars=[(HOSTILE, 2)]),
    )
    daily = SectionResult(
        id="daily",
        title="Daily",
        description="",
        figures={"events": 3},
        table=Table(columns=["actor", "events"], rows=[[HOSTILE, 3]]),
        chart=Chart(
            kind="daily",
            title="per day",
            days=["2026-03-01", "2026-03-02"],
            series={HOSTILE: {"2026-03-01": 1, "2026-03-02": 2}},
        ),
    )
    stamp = Stamp(
        chain_ok=chain_ok,
        checked=10,
        tree_size=10,
        root_hash="ab" * 32,
        first_bad_seq=None if chain_ok else 7,
        tree_heads=1,
        tree_heads_verified=1 if chain_ok else 0,
        generated_at="2026-03-09T00:00:00Z",
    )
    return Report(
        name="sample",
        title="Sample",
        description="",
        window_from="2026-03-01T00:00:00Z",
        window_to="2026-03-08T00:00:00Z",
        stamp=stamp,
        sections=[section, daily],
    )


def test_html_escapes_every_caller_supplied_string_in_tables_and_charts() -> None:
    page = render(hostile_report(), "html")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert page.count("<svg") == 2


def test_html_shows_a_broken_chain_prominently() -> None:
    page = render(hostile_report(chain_ok=False), "html")
    assert "verification FAILED at sequence 7" in page and 'class="stamp bad"' in page


def test_markdown_keeps_a_hostile_cell_inside_its_column_and_out_of_html() -> None:
    text = render(hostile_report(), "md")
    row = next(line for line in text.splitlines() if "alert" in line)
    assert row.count(" | ") == 1 and "\\|" in row
    assert "<script" not in text and "&lt;script>" in text


def test_csv_neutralises_formulas_and_keeps_blocks_per_section() -> None:
    rows = list(csv.reader(io.StringIO(render(hostile_report(), "csv"))))
    assert rows[0] == ["audit", "sample"]
    assert ["chain verified", "ok"] in rows
    data_rows = [r for r in rows if r and r[0] == "by-purpose"]
    assert data_rows == [["by-purpose", HOSTILE, "2"]]  # starts with '<', not a formula
    formula = render(Report(**{**hostile_report().__dict__, "name": "=cmd|' /C calc'!A0"}), "csv")
    assert formula.startswith("audit,'=cmd")


def test_json_is_the_whole_report() -> None:
    body = json.loads(render(hostile_report(), "json"))
    assert body["stamp"]["tree_size"] == 10
    assert body["sections"][0]["table"]["rows"] == [[HOSTILE, 2]]
