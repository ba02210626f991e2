"""Charts drawn by hand as inline SVG: no library, no script, nothing fetched.

Inline SVG in HTML needs no namespace declaration, so the page holds no URL at all.
"""

from __future__ import annotations

import math
from html import escape

PALETTE = (
    "#2563eb",
    "#d97706",
    "#059669",
    "#dc2626",
    "#7c3aed",
    "#0891b2",
    "#db2777",
    "#65a30d",
    "#9333ea",
    "#475569",
)
OTHERS = "others"
MAX_SERIES = len(PALETTE) - 1
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _nice_ceiling(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2 or 5 times a power of ten)."""
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(title: str, bars: list[tuple[str, int]]) -> str:
    """Horizontal bars, one per label, largest first, value printed at the end."""
    label_width, bar_width, row, top = 240, 440, 26, 34
    width = label_width + bar_width + 80
    height = top + row * max(len(bars), 1) + 12
    peak = max((value for _, value in bars), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" {FONT} font-weight="600">{escape(title)}</text>',
    ]
    if not bars:
        parts.append(f'<text x="0" y="{top + 16}" {FONT} fill="#64748b">no events</text>')
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        length = max(2, round(bar_width * value / peak))
        colour = PALETTE[index % len(PALETTE)]
        parts += [
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" {FONT}>'
            f"{escape(_shorten(label, 34))}</text>",
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row - 8}" '
            f'rx="3" fill="{colour}"><title>{escape(label)}: {value}</title></rect>',
            f'<text x="{label_width + length + 6}" y="{y + 16}" {FONT}>{value}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def _fold_series(series: dict[str, dict[str, int]]) -> list[tuple[str, dict[str, int]]]:
    """The busiest series by name, the rest summed as ``others``, so colours stay distinct."""
    ranked = sorted(series.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    kept = ranked[:MAX_SERIES]
    if len(ranked) > MAX_SERIES:
        folded: dict[str, int] = {}
        for _, days in ranked[MAX_SERIES:]:
            for day, value in days.items():
                folded[day] = folded.get(day, 0) + value
        kept.append((OTHERS, folded))
    return kept


def daily_chart(title: str, days: list[str], series: dict[str, dict[str, int]]) -> str:
    """Stacked columns: one column per day, one colour per actor, with a legend."""
    left, top, plot_height, plot_width = 48, 34, 220, 820
    folded = _fold_series(series)
    legend_rows = math.ceil(len(folded) / 4) or 1
    height = top + plot_height + 40 + legend_rows * 20
    width = left + plot_width + 20
    totals = [sum(values.get(day, 0) for _, values in folded) for day in days]
    peak = _nice_ceiling(max(totals, default=0))
    column = plot_width / max(len(days), 1)
    bar_width = min(column * 0.76, 56.0)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" {FONT} font-weight="600">{escape(title)}</text>',
    ]
    for step in range(5):
        value = peak * step / 4
        y = top + plot_height - plot_height * step / 4
        parts += [
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" '
            'stroke="#e2e8f0"/>',
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT} fill="#64748b">'
            f"{value:g}</text>",
        ]
    if not days:
        parts.append(
            f'<text x="{left + 10}" y="{top + plot_height / 2:.0f}" {FONT} fill="#64748b">'
            "no events</text>"
        )
    label_every = max(1, math.ceil(len(days) / 12))
    for index, day in enumerate(days):
        x = left + index * column
        base = top + plot_height
        for series_index, (name, values) in enumerate(folded):
            value = values.get(day, 0)
            if not value:
                continue
            bar = plot_height * value / peak
            base -= bar
            parts.append(
                f'<rect x="{x + (column - bar_width) / 2:.1f}" y="{base:.1f}" '
                f'width="{bar_width:.1f}" '
                f'height="{bar:.1f}" fill="{PALETTE[series_index % len(PALETTE)]}">'
                f"<title>{escape(name)} on {day}: {value}</title></rect>"
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + column / 2:.1f}" y="{top + plot_height + 16}" '
                f'text-anchor="middle" {FONT} fill="#475569">{day[5:]}</text>'
            )
    legend_top = top + plot_height + 30
    for series_index, (name, values) in enumerate(folded):
        x = left + (series_index % 4) * 200
        y = legend_top + (series_index // 4) * 20
        parts += [
            f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" '
            f'fill="{PALETTE[series_index % len(PALETTE)]}"/>',
            f'<text x="{x + 18}" y="{y + 11}" {FONT}>'
            f"{escape(_shorten(name, 22))} ({sum(values.values())})</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)
