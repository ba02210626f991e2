"""The report formats, by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from service.reports.model import Report
from service.reports.render_html import render_html
from service.reports.render_text import render_csv, render_json, render_markdown

ReportFormat = Literal["md", "csv", "json", "html"]

RENDERERS: dict[str, Callable[[Report], str]] = {
    "md": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}


def render(report: Report, format: str) -> str:
    return RENDERERS[format](report)
