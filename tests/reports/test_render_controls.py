"""Report text for terminals and Markdown viewers carries no control character (an ESC could
rewrite the screen), and CSV cells that a spreadsheet could read as a formula — after a
leading TAB or CR too — are neutralised. The real renderers and the real `audit tail` line."""

from __future__ import annotations

from service.audit.cli import _line
from service.reports.model import Report, SectionResult, Table
from service.reports.render import render
from tests.reports.test_render import hostile_report

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[1A\rOK\x00\x7f\x9b31m\u202etxt.exe\x08"


def controls(text: str, keep: str = "\n") -> list[str]:
    return [
        c
        for c in text
        if c not in keep and (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c == "\u202e")
    ]


def report_with(cell: str, *, title: str = "Sample") -> Report:
    base = hostile_report()
    section = SectionResult(
        id="by-actor",
        title=f"By actor {cell}",
        description=cell,
        figures={"actor": cell},
        table=Table(columns=["actor", "events"], rows=[[cell, 1]]),
        note=cell,
    )
    return Report(**{**base.__dict__, "title": title, "sections": [section]})


def test_markdown_carries_no_control_character_anywhere() -> None:
    text = render(report_with(ESCAPES, title="T" + ESCAPES), "md")
    assert controls(text) == []
    assert "pwned" in text and "OK" in text  # the visible text stays


def test_an_audit_tail_line_carries_no_control_character() -> None:
    event = {
        "seq": 1,
        "at": "2026-03-01T00:00:00Z",
        "outcome": "ok",
        "actor": "ops" + ESCAPES,
        "role": "admin",
        "action": "customers:customer:read",
        "targets": ["cus_tok_x" + ESCAPES],
        "purpose": None,
        "fields": [],
    }
    line = _line(event)
    assert controls(line, keep="") == [] and "cus_tok_x" in line


def test_csv_guards_formulas_behind_a_leading_tab_or_cr() -> None:
    for cell in ("\t=HYPERLINK(1)", "\r=1+1", "=1", "+1", "-1", "@SUM(A1)"):
        text = render(report_with(cell), "csv")
        assert "'" + cell in text, (cell, text)
        assert f"by-actor,{cell}" not in text and f'by-actor,"{cell}' not in text
