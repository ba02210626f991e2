"""Named audits run for a window, the inventory, a subject's report and the breach report."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from markupsafe import Markup

from service.access.actions import Action
from service.app.context import app_context, get_clock, get_key_service, resolve
from service.console.forms import int_list, split_list, window
from service.console.reveal_pages import revealable
from service.console.routing import ConsoleRoute, console_page, render
from service.core.errors import NotFound, ValidationFailed
from service.inventory import service as inventory_service
from service.inventory.endpoints import key_name_of
from service.reports.model import Chart, Report, SectionResult
from service.reports.render import RENDERERS
from service.reports.render import render as render_report
from service.reports.runner import run_audit
from service.reports.spec import AuditSpecError, available_audits, load_audit
from service.reports.svg import bar_chart, daily_chart
from service.web.humanize import money_cell

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

DEFAULT_WINDOW = timedelta(days=30)
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}
TimeText = Annotated[str, Query(max_length=40)]


def _now(request: Request) -> datetime:
    return resolve(request, get_clock).now()


def _chart(chart: Chart | None) -> Markup | None:
    if chart is None:
        return None
    svg = (
        bar_chart(chart.title, chart.bars)
        if chart.kind == "bars"
        else daily_chart(chart.title, chart.days, chart.series)
    )
    return Markup(svg)  # noqa: S704 - svg.py escapes every label it draws


def _display_rows(section: SectionResult) -> list[list[tuple[str, bool]]]:
    """Each cell as (text, is_number); amounts beside a currency read as money ($1,234.50)."""
    columns = section.table.columns
    rows = []
    for row in section.table.rows:
        cells = []
        for index, cell in enumerate(row):
            number = isinstance(cell, int | float) and not isinstance(cell, bool)
            money = money_cell(columns, row, index)
            if money is not None:
                text = money
            elif number:
                text = f"{cell:,}"
            else:
                text = "" if cell is None else str(cell)
            cells.append((text, number))
        rows.append(cells)
    return rows


def _attachment(body: str, media: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


# -- named audits -------------------------------------------------------------------------------


@router.get("/audits", **console_page(Action.AUDIT_REPORT_RUN))
def audits(request: Request) -> Response:
    directory = app_context(request).settings.audits_dir
    listed = [load_audit(directory, name) for name in available_audits(directory)]
    now = _now(request)
    return render(
        request,
        "audits.html",
        title="Named audits",
        audits=listed,
        default_from=(now - DEFAULT_WINDOW).strftime("%Y-%m-%dT%H:%M"),
        default_to=now.strftime("%Y-%m-%dT%H:%M"),
    )


def _run(request: Request, name: str, from_: str, to: str) -> Report:
    request.state.audit.add_target(f"audit:{name}")
    try:
        spec = load_audit(app_context(request).settings.audits_dir, name)
    except AuditSpecError:
        raise NotFound("No audit of this name.") from None
    now = _now(request)
    start, end = window(from_, to)
    return run_audit(
        spec,
        request.state.db,
        resolve(request, get_key_service),
        start=start or now - DEFAULT_WINDOW,
        end=end or now,
        now=now,
    )


@router.get("/audits/{name}", **console_page(Action.AUDIT_REPORT_RUN))
def audit_report(
    request: Request,
    name: str,
    from_: Annotated[str, Query(alias="from", max_length=40)] = "",
    to: TimeText = "",
) -> Response:
    report = _run(request, name, from_, to)
    charts = {section.id: _chart(section.chart) for section in report.sections}
    rows = {section.id: _display_rows(section) for section in report.sections}
    return render(
        request,
        "audit_report.html",
        title=report.title,
        report=report,
        stamp=vars(report.stamp),
        charts=charts,
        rows=rows,
        formats=list(RENDERERS),
        window={"from": from_, "to": to},
    )


@router.get("/audits/{name}/download", **console_page(Action.AUDIT_REPORT_RUN))
def audit_download(
    request: Request,
    name: str,
    format: Annotated[str, Query(max_length=8)] = "csv",
    from_: Annotated[str, Query(alias="from", max_length=40)] = "",
    to: TimeText = "",
) -> Response:
    if format not in RENDERERS:
        raise ValidationFailed("Format: md, csv, json or html.")
    report = _run(request, name, from_, to)
    return _attachment(render_report(report, format), MEDIA[format], f"{name}.{format}")


# -- inventory, subjects, breach ----------------------------------------------------------------


@router.get("/inventory", **console_page(Action.INVENTORY_READ))
def inventory(request: Request) -> Response:
    key_name = key_name_of(resolve(request, get_key_service))
    body = inventory_service.inventory(request.state.db, key_name, _now(request))
    return render(request, "inventory.html", title="Data inventory", inventory=body)


@router.get("/subjects", **console_page(Action.INVENTORY_SUBJECT))
def subject(request: Request, customer: Annotated[str, Query(max_length=80)] = "") -> Response:
    token = customer.strip()
    report: dict[str, Any] | None = None
    if token:
        request.state.audit.add_target(token)
        report = inventory_service.subject_report(request.state.db, token)
    return render(
        request,
        "subject.html",
        title="Subject report",
        customer=token,
        report=report,
        revealable=revealable(request) if report else [],
        revealed=None,
        purpose="",
    )


def _breach(
    request: Request, from_: str, to: str, actors: str, key_versions: str
) -> dict[str, Any]:
    start, end = window(from_, to)
    if start is None or end is None:
        raise ValidationFailed("A breach window needs both 'From' and 'To'.")
    query = inventory_service.BreachQuery(
        start=start,
        end=end,
        actors=split_list(actors) or None,
        key_versions=int_list(key_versions, "Key versions") or None,
    )
    result = inventory_service.breach_report(request.state.db, query)
    for subject_row in result["subjects"]:
        request.state.audit.add_target(subject_row["customer"])
    return result


@router.get("/breach", **console_page(Action.INVENTORY_BREACH))
def breach(
    request: Request,
    from_: Annotated[str, Query(alias="from", max_length=40)] = "",
    to: TimeText = "",
    actors: Annotated[str, Query(max_length=1000)] = "",
    key_versions: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    values = {"from": from_, "to": to, "actors": actors, "key_versions": key_versions}
    result = _breach(request, from_, to, actors, key_versions) if from_ or to else None
    return render(request, "breach.html", title="Breach report", values=values, result=result)


@router.get("/breach.csv", **console_page(Action.INVENTORY_BREACH))
def breach_csv(
    request: Request,
    from_: Annotated[str, Query(alias="from", max_length=40)] = "",
    to: TimeText = "",
    actors: Annotated[str, Query(max_length=1000)] = "",
    key_versions: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    result = _breach(request, from_, to, actors, key_versions)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["customer", "categories"])
    for row in result["subjects"]:
        writer.writerow([row["customer"], " ".join(row["categories"])])
    return _attachment(out.getvalue(), MEDIA["csv"], "breach-report.csv")
