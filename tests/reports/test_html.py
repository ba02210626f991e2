"""The HTML report opens in headless Chromium, offline, and renders its tables and charts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from service.core.config import PROJECT_ROOT
from service.core.db import transaction
from service.reports.render_html import render_html
from service.reports.runner import run_audit
from service.reports.spec import load_audit
from tests.fixtures.app import Api
from tests.reports.seed import REPORT_NOW, WINDOW_END, WINDOW_START, seed

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Anything a browser would fetch: a URL scheme, or an attribute or CSS rule that loads.
LOADERS = re.compile(
    r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|<script|<link|<img|<iframe|@import|url\(", re.I
)


def chromium() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    message = (
        "headless Chromium is not installed (Debian package 'chromium', /usr/bin/chromium); "
        "`.ci/setup --test` installs it"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip("!!! " + message + " — the HTML rendering test did NOT run !!!")


def headless(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--no-first-run",
            "--no-default-browser-check",
            # Every host name resolves nowhere: a fetch, had the page one, would fail.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )


# audit → (charts, tables, a heading) its page must show
PAGES = {
    "pci-dss-10-2": (3, 5, "10.2.1.1 Individual access to cardholder data"),
    "reveals-by-purpose": (1, 3, "Reveals by purpose"),
}


@pytest.fixture(params=sorted(PAGES))
def report_page(
    request: pytest.FixtureRequest, make_api: Callable[..., Api], sqlite_url: str, tmp_path: Path
) -> Path:
    data = seed(make_api, sqlite_url)
    with transaction(data.api.ctx.session_factory) as session:
        report = run_audit(
            load_audit(PROJECT_ROOT / "audits", request.param),
            session,
            data.api.ctx.key_service,
            start=WINDOW_START,
            end=WINDOW_END,
            now=REPORT_NOW,
        )
    page = tmp_path / f"{request.param}.html"
    page.write_text(render_html(report), encoding="utf-8")
    return page


def test_html_report_loads_nothing_from_anywhere(report_page: Path) -> None:
    html = report_page.read_text()
    assert LOADERS.search(html) is None
    assert "default-src 'none'" in html  # and the page forbids it should one slip in


def test_html_report_renders_tables_and_charts_in_headless_chromium(
    report_page: Path, tmp_path: Path
) -> None:
    binary = chromium()
    screenshot = tmp_path / "report.png"
    shot = headless(
        binary,
        tmp_path / "profile-shot",
        f"--screenshot={screenshot}",
        "--window-size=1280,2000",
        report_page.as_uri(),
    )
    assert shot.returncode == 0, shot.stderr.decode(errors="replace")[-2000:]
    image = screenshot.read_bytes()
    assert image.startswith(PNG_SIGNATURE)
    assert len(image) > 50_000, "a blank 1280x2000 page compresses to a few kilobytes"

    dumped = headless(binary, tmp_path / "profile-dom", "--dump-dom", report_page.as_uri())
    assert dumped.returncode == 0, dumped.stderr.decode(errors="replace")[-2000:]
    dom = dumped.stdout.decode()
    charts, tables, heading = PAGES[report_page.stem]
    assert dom.count("<svg") >= charts
    assert dom.count("<table") >= tables
    assert "<rect" in dom and "Audit trail verified" in dom
    assert heading in dom
