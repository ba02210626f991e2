"""A report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched."""

from __future__ import annotations

from html import escape

from service.reports.model import Cell, Report, SectionResult, Stamp, Table
from service.reports.svg import bar_chart, daily_chart
from service.web.humanize import money_cell

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #0f172a; background: #f1f5f9; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; }
header p { margin: 4px 0; color: #475569; }
.stamp { display: flex; gap: 24px; flex-wrap: wrap; align-items: center; margin: 18px 0;
  padding: 14px 18px; border-radius: 10px; background: #fff; border-left: 6px solid; }
.stamp.ok { border-color: #16a34a; } .stamp.bad { border-color: #dc2626; }
.stamp .verdict { font-size: 17px; font-weight: 700; }
.stamp.ok .verdict { color: #15803d; } .stamp.bad .verdict { color: #b91c1c; }
.stamp dl { display: flex; gap: 20px; flex-wrap: wrap; margin: 0; }
.stamp dt { font-size: 11px; text-transform: uppercase; color: #64748b; letter-spacing: .04em; }
.stamp dd { margin: 0; font-family: ui-monospace, monospace; font-size: 13px; }
.overview { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr));
  gap: 12px; margin: 18px 0 28px; }
.overview a { text-decoration: none; color: inherit; background: #fff; border-radius: 10px;
  padding: 12px 14px; box-shadow: 0 1px 2px rgba(15,23,42,.08); }
.overview .figure { font-size: 26px; font-weight: 700; color: #1d4ed8; }
.overview .label { font-size: 12px; color: #475569; }
section { background: #fff; border-radius: 12px; padding: 20px 24px; margin: 0 0 22px;
  box-shadow: 0 1px 3px rgba(15,23,42,.08); }
section h2 { font-size: 18px; margin: 0 0 4px; }
section p.description { margin: 0 0 12px; color: #475569; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 14px; }
.figures div { background: #f8fafc; border: 1px solid #e2e8f0; border-radius: 8px;
  padding: 6px 12px; }
.figures b { display: block; font-size: 18px; }
.figures span { font-size: 12px; color: #64748b; }
.note { background: #fef3c7; border-radius: 8px; padding: 8px 12px; margin: 8px 0; }
.chart { display: block; max-width: 100%; height: auto; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
th { text-align: left; background: #f1f5f9; color: #334155; font-weight: 600; }
.scroll { overflow-x: auto; }
td { overflow-wrap: anywhere; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e2e8f0; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafbfc; }
.empty { color: #64748b; font-style: italic; }
h3 { font-size: 14px; margin: 16px 0 4px; color: #334155; }
footer { color: #64748b; font-size: 12px; text-align: center; }
"""


def _text(value: Cell) -> str:
    if value is None:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return escape(str(value))


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(table: Table, row: list[Cell], index: int) -> str:
    """A number, or an amount beside a currency as money ($1,234.50)."""
    money = money_cell(table.columns, row, index)
    return escape(money) if money is not None else _text(row[index])


def _table(table: Table) -> str:
    if not table.rows:
        return '<p class="empty">Nothing in this window.</p>'
    numeric = [_is_number(c) for c in table.rows[0]]
    head = "".join(
        f'<th class="num">{escape(c)}</th>' if number else f"<th>{escape(c)}</th>"
        for c, number in zip(table.columns, numeric, strict=False)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_cell(table, row, i)}</td>'
            if _is_number(c)
            else f"<td>{_text(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _stamp(stamp: Stamp) -> str:
    verdict = (
        "Audit trail verified: intact"
        if stamp.chain_ok
        else f"Audit trail verification FAILED at sequence {stamp.first_bad_seq}"
    )
    items = [
        ("events checked", stamp.checked),
        ("tree size", stamp.tree_size),
        ("root hash", stamp.root_hash[:16] + "…"),
        ("signed tree heads", f"{stamp.tree_heads_verified} of {stamp.tree_heads}"),
        ("generated at", stamp.generated_at),
    ]
    details = "".join(f"<div><dt>{escape(k)}</dt><dd>{_text(v)}</dd></div>" for k, v in items)
    return (
        f'<div class="stamp {"ok" if stamp.chain_ok else "bad"}" '
        f'title="root hash {escape(stamp.root_hash)}">'
        f'<div class="verdict">{escape(verdict)}</div><dl>{details}</dl></div>'
    )


def _headline(section: SectionResult) -> tuple[str, Cell]:
    """The one figure that summarises a section on the overview."""
    name, value = next(iter(section.figures.items()), ("", None))
    return name, value


def _overview(report: Report) -> str:
    cards = []
    for section in report.sections:
        name, value = _headline(section)
        cards.append(
            f'<a href="#{escape(section.id)}"><div class="figure">{_text(value)}</div>'
            f'<div class="label">{escape(name)} — {escape(section.title)}</div></a>'
        )
    return f'<nav class="overview">{"".join(cards)}</nav>'


def _section(section: SectionResult) -> str:
    parts = [f'<section id="{escape(section.id)}"><h2>{escape(section.title)}</h2>']
    if section.description:
        parts.append(f'<p class="description">{escape(section.description.strip())}</p>')
    figures = "".join(
        f"<div><b>{_text(v)}</b><span>{escape(k)}</span></div>" for k, v in section.figures.items()
    )
    parts.append(f'<div class="figures">{figures}</div>')
    if section.note:
        parts.append(f'<p class="note">{escape(section.note)}</p>')
    if section.chart is not None:
        chart = section.chart
        if chart.kind == "bars":
            parts.append(bar_chart(chart.title, chart.bars))
        else:
            parts.append(daily_chart(chart.title, chart.days, chart.series))
    parts.append(_table(section.table))
    if section.events is not None:
        parts.append("<h3>Latest events</h3>" + _table(section.events))
    parts.append("</section>")
    return "".join(parts)


def render_html(report: Report) -> str:
    title = escape(report.title)
    body = "".join(_section(s) for s in report.sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing on this page may be fetched: no scripts, no remote styles, fonts or images.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{title}</title><style>{STYLE}</style></head><body><main>"
        f"<header><h1>{title}</h1>"
        f"<p>{escape(report.description.strip())}</p>"
        f"<p>Audit <code>{escape(report.name)}</code> · window "
        f"<b>{escape(report.window_from)}</b> to <b>{escape(report.window_to)}</b> "
        "(start included, end excluded)</p></header>"
        f"{_stamp(report.stamp)}{_overview(report)}{body}"
        f"<footer>Generated by Strongroom at {escape(report.stamp.generated_at)}.</footer>"
        "</main></body></html>\n"
    )
