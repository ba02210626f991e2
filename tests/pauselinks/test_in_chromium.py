"""A subscriber's pause link in a real browser (Debian's Chromium through chromedriver) at
phone width, against the real server (``strongroom serve`` on the test clock, its scheduler
delivering to a real receiver): choose two weeks, read the preview, confirm; the API then
shows that pause and ``/upcoming`` exactly what the preview said; resume now through a second
link; a used and an expired link show their pages. Screenshots go to
``test-artifacts/pause-links/``; no page logs a console error or a CSP violation, and the
server's log (its access lines included) never holds a token."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from service.core.config import PROJECT_ROOT
from tests.console.browser import WIDTHS, console_problems, wait_for
from tests.fixtures.live_server import LiveServer
from tests.pauselinks.support import as_listed, policy_file

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "pause-links"


def move_clock(server: LiveServer, moment: datetime) -> None:
    moved = server.call("POST", "/v1/test/clock", json={"now": moment.isoformat()})
    assert moved.status_code == 200, moved.text


def new_link(server: LiveServer, subscription: str, **body: object) -> str:
    created = server.call(
        "POST", f"/v1/subscriptions/{subscription}/pause-links", who="service", json=body
    )
    assert created.status_code == 201, created.text
    return str(created.json()["url"])


def test_a_subscriber_pauses_and_resumes_from_a_phone(
    make_live_server, openbao, localstripe, receiver, tmp_path, chrome
) -> None:
    from selenium.webdriver.common.by import By

    server: LiveServer = make_live_server(
        db_url=f"sqlite:///{tmp_path / 'live.db'}",
        vault_addr=openbao.addr,
        vault_token=openbao.token,
        stripe_api_base=localstripe.url,
        env={
            "STRONGROOM_TEST_CLOCK": "1",
            "STRONGROOM_UNSAFE_TEST_CLOCK_IN_PRODUCTION": "1",
            "STRONGROOM_POLICY_FILE": str(policy_file(tmp_path)),
        },
    )
    driver = chrome
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    shots: list[Path] = []
    tokens: list[str] = []

    def page(name: str, status: int | None = None) -> None:
        """A phone-width screenshot of the whole page, and the console's messages; a page
        meant to answer 410 makes Chromium log that status for the document, nothing else."""
        wait_for(lambda: driver.execute_script("return document.readyState") == "complete")
        width, height = WIDTHS["phone"]
        full = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, int(full) + 140), 4000))
        path = ARTIFACTS / f"{name}-phone.png"
        driver.save_screenshot(str(path))
        shots.append(path)
        driver.set_window_size(width, height)
        expected = (
            f"{driver.current_url} - Failed to load resource: "
            f"the server responded with a status of {status}"
        )
        found = [m for m in console_problems(driver) if not (status and m.startswith(expected))]
        if found:
            problems[name] = found

    def open_link(url: str) -> None:
        tokens.append(url.rsplit("/", 1)[1])
        driver.get(url)

    def shown_charges() -> list[tuple[str, int, int, str]]:
        return [
            (
                row.get_attribute("data-due-at"),
                int(row.get_attribute("data-amount-due")),
                int(row.get_attribute("data-credit-applied")),
                row.get_attribute("data-status"),
            )
            for row in driver.find_elements(By.CSS_SELECTOR, "table.charges tbody tr[data-due-at]")
        ]

    now = datetime.fromisoformat(server.call("GET", "/v1/test/clock").json()["now"])
    hook = server.call(
        "POST", "/v1/webhook-endpoints", json={"url": receiver.url, "events": ["pause.scheduled"]}
    )
    assert hook.status_code == 201, hook.text
    customer = server.call(
        "POST",
        "/v1/customers",
        who="service",
        json={"name": "Mara Holt", "email": "mara@example.com", "payment_method": "pm_card_visa"},
    ).json()["id"]
    sub = server.call(
        "POST",
        "/v1/subscriptions",
        who="service",
        json={
            "customer": customer,
            "plan": "coffee-club",
            "amount": 2450,
            "currency": "usd",
            "interval": "month",
            "start_at": now.isoformat(),
        },
    ).json()["id"]
    now += timedelta(days=5)
    move_clock(server, now)

    # the subscriber opens the link on a phone and chooses two weeks
    driver.set_window_size(*WIDTHS["phone"])
    open_link(new_link(server, sub, return_url="https://shop.example/account"))
    page("01-choose")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Pause your subscription"
    assert "M*** H***" in driver.find_element(By.CSS_SELECTOR, "dl.summary").text
    assert "Mara" not in driver.page_source
    driver.find_element(By.CSS_SELECTOR, "label[for=days-14]").click()
    assert driver.find_element(By.ID, "days-14").is_selected()
    driver.find_element(By.ID, "see-preview").click()
    wait_for(lambda: "days=14" in driver.current_url)
    page("02-preview")
    sentence = driver.find_element(By.ID, "preview")
    assert sentence.text.startswith("Your subscription resumes on ")
    assert "Your next charge will be $24.50 on " in sentence.text
    resumes_at = sentence.get_attribute("data-resumes-at")
    promised = shown_charges()
    assert resumes_at == (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
    driver.find_element(By.ID, "confirm").click()
    wait_for(lambda: driver.find_elements(By.ID, "done"))
    page("03-confirmed")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Your pause is confirmed"

    # the API shows the pause, and /upcoming exactly what the preview promised
    state = server.call("GET", f"/v1/subscriptions/{sub}", who="service").json()
    assert state["status"] == "paused"
    assert state["pauses"][0]["ends_at"] == resumes_at
    assert state["pauses"][0]["created_by"].startswith("subscriber-link:pl_")
    listed = server.call("GET", f"/v1/subscriptions/{sub}/upcoming?count=3", who="service")
    assert as_listed(listed.json()["data"]) == promised
    now += timedelta(minutes=1)
    move_clock(server, now)  # the test clock runs due jobs (the event's delivery) when moved
    scheduled = wait_for(lambda: receiver.received)
    event = json.loads(scheduled[0].body)
    assert (event["type"], event["data"]["pause"]) == ("pause.scheduled", state["pauses"][0]["id"])

    # resume now, through a second link: its preview first
    used_link = driver.current_url
    open_link(new_link(server, sub))
    page("04-paused")
    assert "Paused until" in driver.find_element(By.ID, "status").text
    driver.find_element(By.ID, "see-resume").click()
    wait_for(lambda: "resume=preview" in driver.current_url)
    page("05-resume-preview")
    promised = shown_charges()
    driver.find_element(By.ID, "confirm").click()
    wait_for(lambda: driver.find_elements(By.ID, "done"))
    page("06-resumed")
    listed = server.call("GET", f"/v1/subscriptions/{sub}/upcoming?count=3", who="service")
    assert as_listed(listed.json()["data"]) == promised
    assert server.call("GET", f"/v1/subscriptions/{sub}", who="service").json()["status"] == (
        "active"
    )

    # a used link, then an expired one
    driver.get(used_link)
    page("07-used", status=410)
    assert driver.find_element(By.TAG_NAME, "h1").text == "This link has already been used"
    open_link(new_link(server, sub, expires_in_hours=1))
    move_clock(server, now + timedelta(hours=2))
    driver.refresh()
    page("08-expired", status=410)
    assert driver.find_element(By.TAG_NAME, "h1").text == "This link has expired"
    assert "coffee-club" not in driver.page_source

    assert not problems, problems
    assert all(shot.stat().st_size > 0 for shot in shots)
    # the check has teeth: an inline script is refused by the CSP
    driver.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.x = 1';"
        "document.body.appendChild(s);"
    )
    assert driver.execute_script("return window.x === undefined")
    assert console_problems(driver), "the CSP refusal was not reported"

    server.stop()
    log = server.log_text()
    assert '"message": "GET /p/{token} 200 ' in log  # the page's access line: its route
    for token in tokens:
        assert token not in log
