"""Debian's Chromium driven by Debian's chromedriver through Selenium: nothing is downloaded
(Selenium Manager is never asked, the driver's path is given). Screenshots go to
``test-artifacts/console/`` (git-ignored)."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service.core.config import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "console"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# The browser runs in a zone other than UTC, so localised times differ from the UTC text.
BROWSER_TZ = "Asia/Kolkata"


def _require(binary: str, package: str) -> str:
    found = shutil.which(binary) or (
        f"/usr/bin/{binary}" if Path(f"/usr/bin/{binary}").exists() else None
    )
    if found:
        return found
    message = (
        f"{binary} is not installed (Debian package '{package}'); `.ci/setup --test` installs it"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip("!!! " + message + " — the console browser test did NOT run !!!")


@pytest.fixture
def chrome(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for name in ("selenium", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
    browser = _require("chromium", "chromium")
    driver_path = _require("chromedriver", "chromium-driver")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(
        executable_path=driver_path,
        env={**os.environ, "TZ": BROWSER_TZ},
        log_output=str(tmp_path / "chromedriver.log"),
    )
    driver = webdriver.Chrome(service=service, options=options)
    driver.downloads = downloads  # type: ignore[attr-defined]
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


def screenshot_both_widths(driver: object, name: str) -> list[Path]:
    """A PNG of the whole page (up to 4,000 px tall) at desktop and at phone width; back to
    desktop afterwards."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for label, (width, height) in WIDTHS.items():
        driver.set_window_size(width, height)  # type: ignore[attr-defined]
        full = driver.execute_script(  # type: ignore[attr-defined]
            "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight"
        )
        driver.set_window_size(width, min(max(height, int(full)), 4000))  # type: ignore[attr-defined]
        path = ARTIFACTS / f"{name}-{label}.png"
        driver.save_screenshot(str(path))  # type: ignore[attr-defined]
        saved.append(path)
    driver.set_window_size(*WIDTHS["desktop"])  # type: ignore[attr-defined]
    return saved


def console_problems(driver: object) -> list[str]:
    """Console errors and CSP violations since the last call (Chromium logs both as SEVERE)."""
    entries = driver.get_log("browser")  # type: ignore[attr-defined]
    return [e["message"] for e in entries if e["level"] in ("SEVERE", "WARNING")]


def wait_for(condition: Callable[[], object], timeout: float = 15.0) -> object:
    """Polls until `condition` is truthy. While a click's navigation is under way the old
    document may be gone and the new one not yet parsed, so an element not found (or gone
    stale) only means "not yet"."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (NoSuchElementException, StaleElementReferenceException):
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")
