"""The Jinja environment every server-rendered page uses: autoescaped, strict about undefined
names, with the humanize helpers as filters."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from service.web import humanize


def when(value: object) -> Markup:
    """A ``<time>`` element: UTC text (the title too), localised in the browser by a script
    file when scripts run; the page reads the same without it."""
    if value is None or value == "":
        return Markup("")
    text = humanize.utc_text(value)  # type: ignore[arg-type]
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        humanize.iso_utc(value),  # type: ignore[arg-type]
        text,
        text,
    )


def make_environment(*template_dirs: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = humanize.format_money
    env.filters["when"] = when
    env.filters["utc"] = humanize.utc_text
    env.globals["escape"] = escape
    return env
