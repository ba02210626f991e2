"""The console in a real browser (Debian's Chromium through chromedriver) against the real
server: sign in, search the trail, open an event, run pci-dss-10-2 and download its CSV,
produce a breach report, sign out. Every page is screenshotted at desktop and phone widths,
and no page logs a console error or a CSP violation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.console.browser import console_problems, screenshot_both_widths, wait_for
from tests.fixtures.live_server import LiveServer


def seed(server: LiveServer) -> str:
    created = server.call(
        "POST", "/v1/customers", json={"name": "Ada Lovelace", "email": "ada@example.com"}
    )
    assert created.status_code == 201, created.text
    token = created.json()["id"]
    revealed = server.call(
        "GET",
        f"/v1/customers/{token}/reveal?fields=email",
        who="compliance",
        headers={"X-Purpose": "support ticket 4411"},
    )
    assert revealed.status_code == 200
    server.call("GET", "/v1/audit/events", who="service")  # a denied request
    return token


def test_console_walkthrough_in_chromium(live_server: LiveServer, chrome) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    driver = chrome
    base = live_server.base_url
    customer = seed(live_server)
    problems: dict[str, list[str]] = {}
    shots: list[Path] = []

    def page(name: str, refused: int | None = None) -> None:
        """Screenshots and the console's messages; a page that is meant to answer 401/403
        makes Chromium log that status for the document itself, and only that is allowed."""
        wait_for(lambda: driver.execute_script("return document.readyState") == "complete")
        shots.extend(screenshot_both_widths(driver, name))
        expected = (
            f"{driver.current_url} - Failed to load resource: "
            f"the server responded with a status of {refused}"
        )
        found = [m for m in console_problems(driver) if not (refused and m.startswith(expected))]
        if found:
            problems[name] = found

    def field(element_id: str):
        return driver.find_element(By.ID, element_id)

    # sign in (the compliance officer)
    driver.get(f"{base}/console/sign-in")
    page("01-sign-in")
    assert driver.find_element(By.CSS_SELECTOR, "label[for=api_key]").text
    field("api_key").send_keys(live_server.keys["compliance"])
    field("api_key").submit()
    wait_for(lambda: driver.current_url == f"{base}/console")
    page("02-overview")
    assert "live-compliance" in driver.find_element(By.CLASS_NAME, "who").text
    assert driver.find_element(By.CSS_SELECTOR, "figure.chart svg")
    assert "strongroom_console" not in driver.execute_script("return document.cookie")
    session_cookie = driver.get_cookie("strongroom_console")
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Strict"

    # search the trail: the reveal by live-compliance
    driver.find_element(By.LINK_TEXT, "Trail").click()
    field("actor").send_keys("live-compliance")
    field("action").send_keys("customers:customer:reveal")
    field("action").submit()
    wait_for(lambda: "actor=live-compliance" in driver.current_url)
    page("03-trail-search")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.data tbody tr")
    assert len(rows) == 1 and customer in rows[0].text
    moment = rows[0].find_element(By.TAG_NAME, "time")
    assert moment.get_attribute("title").endswith("UTC")  # localised by the script file
    assert moment.text != moment.get_attribute("title")

    # open the event
    rows[0].find_element(By.CSS_SELECTOR, "td a").click()
    wait_for(lambda: "/console/trail/aud_" in driver.current_url)
    page("04-event")
    assert "support ticket 4411" in driver.find_element(By.CSS_SELECTOR, "dl.record").text

    # trail health
    driver.find_element(By.LINK_TEXT, "Trail health").click()
    page("05-health")
    assert "verifies" in driver.find_element(By.CSS_SELECTOR, "p.notice").text

    # run pci-dss-10-2 for a window, then download its CSV
    driver.find_element(By.LINK_TEXT, "Audits").click()
    page("06-audits")
    start = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    end = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    driver.execute_script(
        "document.getElementById('from-pci-dss-10-2').value = arguments[0];"
        "document.getElementById('to-pci-dss-10-2').value = arguments[1];",
        start,
        end,
    )
    field("run-pci-dss-10-2").click()
    wait_for(lambda: "/console/audits/pci-dss-10-2?" in driver.current_url)
    page("07-audit-pci-dss-10-2")
    assert driver.find_elements(By.CSS_SELECTOR, "main section")
    field("download-csv").click()
    downloaded = wait_for(
        lambda: [p for p in driver.downloads.glob("*.csv") if p.stat().st_size > 0]
    )
    assert "customers:customer:reveal" in downloaded[0].read_text(encoding="utf-8")

    # inventory and the subject's report
    driver.find_element(By.LINK_TEXT, "Inventory").click()
    page("08-inventory")
    assert "contact.email" in driver.find_element(By.CSS_SELECTOR, "table.data").text
    driver.find_element(By.LINK_TEXT, "Subjects").click()
    field("customer").send_keys(customer)
    field("customer").submit()
    wait_for(lambda: "customer=" in driver.current_url)
    page("09-subject")
    assert "support ticket 4411" in driver.find_element(By.CSS_SELECTOR, "main").text
    assert "ada@example.com" not in driver.page_source
    driver.find_element(By.CSS_SELECTOR, "details.reveal summary").click()
    field("field-email").click()
    field("purpose").send_keys("breach review 12")
    field("purpose").submit()
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "dl.revealed"))
    page("09b-subject-revealed")
    assert "ada@example.com" in driver.find_element(By.CSS_SELECTOR, "dl.revealed").text

    # breach report: what did live-compliance see in the window?
    driver.find_element(By.LINK_TEXT, "Breach report").click()
    driver.execute_script(
        "document.getElementById('from').value = arguments[0];"
        "document.getElementById('to').value = arguments[1];",
        start,
        end,
    )
    field("actors").send_keys("live-compliance")
    field("actors").submit()
    wait_for(lambda: "actors=live-compliance" in driver.current_url)
    page("10-breach-report")
    assert "Exposed: 1 subject" in driver.find_element(By.TAG_NAME, "main").text
    field("breach-csv").click()
    breach = wait_for(lambda: list(driver.downloads.glob("breach-report*.csv")))
    wait_for(lambda: customer in breach[0].read_text(encoding="utf-8"))

    driver.find_element(By.LINK_TEXT, "Keys").click()
    page("11-keys")
    assert "latest" in driver.find_element(By.CSS_SELECTOR, "table.data").text

    # a compliance key cannot reach the principals page
    driver.get(f"{base}/console/principals")
    page("12-principals-forbidden", refused=403)
    wait_for(lambda: driver.find_element(By.TAG_NAME, "h1").text == "Forbidden")

    # keyboard: the first Tab stop is the skip link, and it leads to the content
    driver.get(f"{base}/console/trail")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("class") == "skip"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(lambda: driver.current_url.endswith("#main"))
    Select(field("outcome")).select_by_value("denied")
    field("outcome").submit()
    wait_for(lambda: "outcome=denied" in driver.current_url)
    page("13-trail-denied")
    assert "live-service" in driver.find_element(By.CSS_SELECTOR, "table.data").text

    # sign out
    driver.find_element(By.CSS_SELECTOR, "form.signout button").click()
    wait_for(lambda: driver.find_element(By.TAG_NAME, "h1").text == "Signed out")
    page("14-signed-out")
    driver.get(f"{base}/console/trail")
    wait_for(lambda: driver.find_element(By.TAG_NAME, "h1").text == "Authentication required")
    page("15-after-sign-out", refused=401)

    assert not problems, problems
    # the check has teeth: an inline script is refused by the CSP, and the refusal is seen
    driver.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.x = 1';"
        "document.body.appendChild(s);"
    )
    assert driver.execute_script("return window.x === undefined")
    assert any("Content Security Policy" in m for m in console_problems(driver))
    assert len(shots) == 2 * 16 and all(p.stat().st_size > 1000 for p in shots)

    # every console request is in the trail, under the principal's name
    trail = live_server.call(
        "GET", "/v1/audit/events?actor=live-compliance&limit=500", who="admin"
    ).json()["data"]
    actions = {e["action"] for e in trail}
    assert {
        "console:session:create",
        "console:page:read",
        "audit:event:list",
        "audit:tree:verify",
        "audit:report:run",
        "inventory:inventory:read",
        "inventory:subject:read",
        "inventory:breach:report",
        "keys:data_key:read",
        "console:session:delete",
    } <= actions
    refused = [e for e in trail if e["action"] == "access:principal:list"]
    assert [(e["outcome"], e["status"]) for e in refused] == [("denied", 403)]
