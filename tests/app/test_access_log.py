"""The served app's access line: one per request, the route's template instead of the path the
client sent, and through the real redacting filter unchanged (its parts are safe shapes)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.app.logging import JsonLineFormatter
from service.app.main import create_app
from service.audit.models import AuditEvent
from service.redaction.access_line import ACCESS_LOGGER
from service.redaction.log_filter import RedactingFilter
from service.redaction.redactor import get_redactor
from tests.charges.support import new_customer
from tests.fixtures.app import Api

EMAIL = "hodan.warsame@example.org"


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(RedactingFilter(get_redactor()))
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_one_line_per_request_with_the_route_template_never_the_path(
    sqlite_api: Api, access_lines: io.StringIO
) -> None:
    customer = new_customer(sqlite_api)
    served = TestClient(create_app(sqlite_api.ctx, access_log=True))
    auth = {"Authorization": f"Bearer {sqlite_api.keys['service']}"}

    read = served.get(
        f"/v1/customers/{customer}", headers={**auth, "X-Request-Id": "req_" + "a" * 24}
    )
    unknown = served.get(f"/v1/customers/{EMAIL}/x?email={EMAIL}", headers=auth)
    named_id = served.get("/healthz", headers={"X-Request-Id": "Hodan.Warsame"})

    assert (read.status_code, unknown.status_code, named_id.status_code) == (200, 404, 200)
    lines = access_lines.getvalue().splitlines()
    assert len(lines) == 3
    assert '"message": "GET /v1/customers/{customer_id} 200 ' in lines[0]
    event = re.search(rf'ms req_{"a" * 24} (aud_[0-9a-f]{{24}})"}}$', lines[0])
    assert event is not None, lines[0]
    with sqlite_api.ctx.session_factory() as session:  # the line names the request's event
        logged = session.scalars(
            select(AuditEvent.id).where(AuditEvent.request_id == "req_" + "a" * 24)
        ).all()
    assert logged == [event.group(1)]
    assert customer not in lines[0]
    assert '"message": "GET - 404 ' in lines[1]
    assert unknown.headers["x-request-id"] in lines[1]
    assert '"message": "GET /healthz 200 ' in lines[2]
    output = access_lines.getvalue()
    assert EMAIL not in output and "hodan" not in output.lower()
    # a caller's id that could spell a name is left out; the event's id is the service's own
    assert re.search(r'ms - (aud_[0-9a-f]{24}|-)"}$', lines[2]), lines[2]
    assert "Warsame" not in output


def test_a_newline_in_a_logged_value_never_makes_two_lines() -> None:
    """The live server no longer writes request fields (see tests/hardening/test_live_headers):
    the JSON line is what keeps any other logged value on one line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(RedactingFilter(get_redactor()))
    logger = logging.getLogger("strongroom.test.access.newline")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("value %s", 'a\rforged-line\n{"level": "info"}', extra={"x": "b\nc"})
    finally:
        logger.removeHandler(handler)
    assert len(stream.getvalue().splitlines()) == 1


def test_an_event_that_never_committed_is_not_named_by_the_line(
    sqlite_api: Api, access_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding: the line named the event of a transaction that then failed to commit,
    so `audit reconcile` reported an outage as a deletion. A fake, because no real part fails
    at exactly this point: every commit that carries an audit event raises, as a database
    lost between the INSERT and the COMMIT would."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from service.audit.recorder import QUEUED_KEY

    real_commit = Session.commit

    def commit_unless_it_carries_an_event(self: Session) -> None:
        if self.info.get(QUEUED_KEY):
            self.rollback()
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))
        real_commit(self)

    served = TestClient(create_app(sqlite_api.ctx, access_log=True), raise_server_exceptions=False)
    customer = new_customer(sqlite_api)
    monkeypatch.setattr(Session, "commit", commit_unless_it_carries_an_event)
    read = served.get(
        f"/v1/customers/{customer}",
        headers={"Authorization": f"Bearer {sqlite_api.keys['service']}"},
    )

    assert read.status_code >= 500
    [line] = [line for line in access_lines.getvalue().splitlines() if "GET /v1/customers" in line]
    assert line.endswith(' -"}'), line  # no event id: none was written
    assert not re.search(r"aud_[0-9a-f]{24}", line)
