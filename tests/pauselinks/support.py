"""What the pause link tests share: an app on the test clock with a policy of their choosing,
a browser-like client (HTTPS, so the Secure CSRF cookie travels), links made through the API,
and the figures a page shows, read off its data attributes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.app.wiring import wire
from service.core.clock import FrozenClock
from service.core.db import Base
from tests.fixtures.app import Api

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "policies" / "default.yaml"
START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CSRF = re.compile(r'name="csrf" value="([^"]*)"')
ROW = re.compile(
    r'data-due-at="([^"]+)" data-amount-due="(\d+)" data-credit-applied="(\d+)" '
    r'data-status="(\w+)"'
)


def at(days: float) -> str:
    return (START + timedelta(days=days)).isoformat()


def policy_file(tmp_path: Path, *, modes: str = "[shift]", **limits: int) -> Path:
    text = DEFAULT_POLICY.read_text()
    text = text.replace("allow_http_loopback_webhooks: false", "allow_http_loopback_webhooks: true")
    text = text.replace("  modes: [shift]", f"  modes: {modes}")
    for name, value in limits.items():
        text = re.sub(rf"  {name}: \d+", f"  {name}: {value}", text)
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def clocked_api(make_api: Any, db_url: str, tmp_path: Path, **policy: Any) -> Api:
    return make_api(  # type: ignore[no-any-return]
        db_url,
        clock=FrozenClock(START),
        settings_overrides={"test_clock": True, "policy_file": policy_file(tmp_path, **policy)},
    )


def subscriber(api: Api, accept_language: str | None = None) -> TestClient:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    return TestClient(
        api.app, base_url="https://pay.example", headers=headers, raise_server_exceptions=False
    )


def new_link(api: Api, subscription: str, **body: Any) -> tuple[str, str]:
    """A link's id and its page's path (which holds the token)."""
    response = api.call(
        "POST", f"/v1/subscriptions/{subscription}/pause-links", who="service", json=body
    )
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    return response.json()["id"], url[url.index("/p/") :]


HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def confirmation(html: str) -> dict[str, str]:
    """The fields the page's confirming form (method post) sends, as a browser would."""
    start = html.index('<form method="post"')
    return dict(HIDDEN.findall(html[start : html.index("</form>", start)]))


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


@dataclass
class Shown:
    """The figures a page shows (the preview sentence and the charges table)."""

    resumes_at: str | None
    next_due_at: str | None
    next_amount: int | None
    charges: list[tuple[str, int, int, str]]


def shown(html: str) -> Shown:
    resumes = re.search(r'data-resumes-at="([^"]+)"', html)
    due = re.search(r'data-next-due-at="([^"]+)"', html)
    amount = re.search(r'data-next-amount="(\d+)"', html)
    return Shown(
        resumes_at=resumes.group(1) if resumes else None,
        next_due_at=due.group(1) if due else None,
        next_amount=int(amount.group(1)) if amount else None,
        charges=[(d, int(a), int(c), s) for d, a, c, s in ROW.findall(html)],
    )


def as_listed(entries: list[dict[str, Any]]) -> list[tuple[str, int, int, str]]:
    """``/upcoming`` entries in the page's terms."""
    return [(e["due_at"], e["amount_due"], e["credit_applied"], e["status"]) for e in entries]


def row_counts(api: Api) -> dict[str, int]:
    wire()
    with api.ctx.session_factory() as session:
        return {
            table.name: int(session.execute(select(func.count()).select_from(table)).scalar_one())
            for table in Base.metadata.sorted_tables
        }
