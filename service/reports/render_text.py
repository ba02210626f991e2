"""Reports as JSON, Markdown and CSV."""

from __future__ import annotations

import csv
import io
import json

from service.core.printable import one_line, printable
from service.reports.model import Cell, Report, SectionResult, Stamp, Table
from service.web.humanize import money_cell


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


def stamp_lines(stamp: Stamp) -> list[tuple[str, Cell]]:
    return [
        ("chain verified", "ok" if stamp.chain_ok else "FAILED"),
        ("events checked", stamp.checked),
        ("first bad sequence number", stamp.first_bad_seq),
        ("tree size", stamp.tree_size),
        ("root hash", stamp.root_hash),
        ("signed tree heads verified", f"{stamp.tree_heads_verified} of {stamp.tree_heads}"),
        ("generated at", stamp.generated_at),
    ]


# -- Markdown -----------------------------------------------------------------------------------


def _md_cell(value: Cell) -> str:
    if value is None:
        return ""
    text = "yes" if value is True else "no" if value is False else str(value)
    # Pipes would split the cell; '<' could open raw HTML in a Markdown viewer.
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return one_line(escaped)


def _md_table(table: Table) -> list[str]:
    if not table.rows:
        return ["_Nothing in this window._", ""]
    lines = [
        "| " + " | ".join(_md_cell(c) for c in table.columns) + " |",
        "|" + "|".join("---" for _ in table.columns) + "|",
    ]
    lines += [
        "| "
        + " | ".join(money_cell(table.columns, row, i) or _md_cell(c) for i, c in enumerate(row))
        + " |"
        for row in table.rows
    ]
    return [*lines, ""]


def _md_section(section: SectionResult) -> list[str]:
    lines = [f"## {section.title}", ""]
    if section.description:
        lines += [section.description.strip(), ""]
    lines += [f"- **{name}**: {_md_cell(value)}" for name, value in section.figures.items()]
    lines.append("")
    if section.note:
        lines += [f"> {section.note}", ""]
    lines += _md_table(section.table)
    if section.events is not None and section.events.rows:
        lines += ["**Latest events**", "", *_md_table(section.events)]
    return lines


def render_markdown(report: Report) -> str:
    lines = [f"# {report.title}", ""]
    if report.description:
        lines += [report.description.strip(), ""]
    lines += [f"Audit `{report.name}`, window {report.window_from} to {report.window_to}.", ""]
    lines += ["### Verification stamp", ""]
    lines += [f"- **{name}**: {_md_cell(value)}" for name, value in stamp_lines(report.stamp)]
    lines.append("")
    for section in report.sections:
        lines += _md_section(section)
    # titles, descriptions and notes too: nothing but line breaks reaches a terminal or viewer
    return printable("\n".join(lines).rstrip(), keep="\n") + "\n"


# -- CSV: one block per section, separated by a blank row ---------------------------------------


# A cell starting with one of these is a formula to spreadsheet programs (TAB and CR too: some
# strip them and then read the formula behind) — OWASP's CSV injection guidance.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(*cells: Cell) -> None:
        writer.writerow([_csv_safe(c) for c in cells])

    row("audit", report.name)
    row("title", report.title)
    row("window from", report.window_from)
    row("window to", report.window_to)
    for name, value in stamp_lines(report.stamp):
        row(name, value)
    for section in report.sections:
        writer.writerow([])
        row("section", section.id, section.title)
        for name, value in section.figures.items():
            row("figure", name, value)
        if section.note:
            row("note", section.note)
        row("section", *section.table.columns)
        for cells in section.table.rows:
            row(section.id, *cells)
    return buffer.getvalue()
