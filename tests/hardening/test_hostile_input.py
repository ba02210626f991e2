"""Hostile input against every POST body and path parameter the app publishes: a clear
problem+json error with the right code, no submitted value echoed, nothing written (the
request's own audit event is the only new row) and the service still answering.

Each test walks the operations at run time, so endpoints that land later are covered.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest

from tests.fixtures.app import Api
from tests.hardening.hostile import (
    ECHO_MARKER,
    HOSTILE_STRINGS,
    body_template,
    marked,
    replaced,
    string_slots,
)
from tests.hardening.support import (
    Book,
    Operation,
    audit_events_for,
    operations,
    problem_errors,
    row_counts,
)

# Tables that may change on a rejected request besides its own audit event: the audit head
# row is updated in place (no new row), a signed checkpoint may fall due, and a request that
# carries an Idempotency-Key stores its (replayable) 4xx answer, as API.md says it must.
AUDIT_ONLY = {"audit_events": 1}
MAY_GROW = {"audit_tree_heads", "audit_nodes", "idempotency_keys"}


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def add(self, label: str, message: str) -> None:
        self.problems.append(f"{label}: {message}")

    def assert_none(self) -> None:
        assert not self.problems, "\n".join(self.problems[:60])


def send(
    api: Api,
    operation: Operation,
    url: str,
    *,
    who: str,
    content: bytes | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[Any, str]:
    request_id = "hostile-" + uuid.uuid4().hex
    all_headers = {"X-Request-Id": request_id, **(headers or {})}
    if operation.idempotency and "Idempotency-Key" not in all_headers:
        all_headers["Idempotency-Key"] = uuid.uuid4().hex
    if content is not None:
        all_headers.setdefault("Content-Type", "application/json")
        response = api.call(operation.method, url, who=who, content=content, headers=all_headers)
    elif json_body is not None:
        response = api.call(operation.method, url, who=who, json=json_body, headers=all_headers)
    else:
        response = api.call(operation.method, url, who=who, headers=all_headers)
    return response, request_id


def check_rejected(
    api: Api,
    findings: Findings,
    label: str,
    before: dict[str, int],
    response: Any,
    request_id: str,
    *,
    statuses: set[int],
    codes: set[str],
    echo: str | None = None,
) -> None:
    """The response is a clean rejection and only the request's audit event was written."""
    if response.status_code not in statuses:
        findings.add(
            label,
            f"status {response.status_code} not in {sorted(statuses)}: {response.text[:300]!r}",
        )
    if response.status_code >= 400:
        for error in problem_errors(response):
            findings.add(label, error)
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            code = response.json().get("code")
            if code not in codes:
                findings.add(label, f"code {code!r} not in {sorted(codes)}")
    if echo and echo in response.text:
        findings.add(label, "the submitted value is echoed in the answer")
    after = row_counts(api.ctx.engine)
    grown = {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}
    unexpected = {t: n for t, n in grown.items() if t not in MAY_GROW and t != "audit_events"}
    if unexpected or grown.get("audit_events") != 1:
        findings.add(label, f"rows written besides one audit event: {grown}")
    if audit_events_for(api.ctx.engine, request_id) != 1:
        findings.add(label, "the request does not have exactly one audit event")


def still_answering(api: Api, book: Book) -> None:
    response = api.call("GET", f"/v1/customers/{book.tokens['customer_id']}", who="service")
    assert response.status_code in (200, 410), response.text


def clock_enabled(api: Api) -> bool:
    """Without the test clock its routes answer 404 to everything, body or not."""
    return bool(api.ctx.settings.test_clock)


def body_operations(api: Api) -> list[Operation]:
    found = [op for op in operations(api.app) if op.has_body]
    assert len(found) >= 5, "the app publishes fewer POST bodies than the API has"
    return found


def template_for(api: Api, operation: Operation, book: Book) -> dict[str, Any]:
    spec = api.app.openapi()
    return body_template(
        spec["paths"][operation.path][operation.method.lower()], spec, operation.action, book
    )


NESTED_ARRAYS = b"[" * 100_000 + b"]" * 100_000
NESTED_OBJECTS = b'{"a":' * 100_000 + b"1" + b"}" * 100_000

MALFORMED_BODIES: dict[str, bytes] = {
    "not json": b"{not json",
    "truncated": b'{"name": "Holly',
    "invalid utf-8": b'{"name": "\xff\xfe"}',
    "lone surrogate": b'{"name": "\\ud800"}',
    "100,000 nested arrays": NESTED_ARRAYS,
    "100,000 nested objects": NESTED_OBJECTS,
    "array": b"[]",
    "array of objects": b'[{"name": "Holly Day"}]',
    "string": b'"holly"',
    "number": b"42",
    "null": b"null",
    "true": b"true",
    "empty object key trick": b'{"": ""}',
    "duplicate keys": b'{"name": "a", "name": "b"}',
    "NaN": b'{"amount": NaN}',
}


def test_malformed_and_deeply_nested_json_is_a_clean_400_or_422_and_writes_nothing(
    shared_api: Api, book: Book
) -> None:
    findings = Findings()
    for operation in body_operations(shared_api):
        url = operation.url(book.for_operation(operation))
        disabled = operation.action.startswith("test:clock") and not clock_enabled(shared_api)
        for name, body in MALFORMED_BODIES.items():
            before = row_counts(shared_api.ctx.engine)
            response, request_id = send(shared_api, operation, url, who="admin", content=body)
            check_rejected(
                shared_api,
                findings,
                f"{operation.method} {operation.path} [{name}]",
                before,
                response,
                request_id,
                statuses={400, 404}
                if disabled
                else {400, 404, 410, 422}
                if name in ("empty object key trick", "duplicate keys", "lone surrogate", "NaN")
                else {400},
                codes={"invalid_request", "not_found", "gone"},
            )
    still_answering(shared_api, book)
    findings.assert_none()


def test_bodies_over_one_mebibyte_are_413_declared_or_streamed_and_write_nothing(
    shared_api: Api, book: Book
) -> None:
    limit = shared_api.ctx.settings.max_body_bytes
    oversized = json.dumps({"text": "A" * (limit + 10)}).encode()
    findings = Findings()
    for operation in body_operations(shared_api):
        url = operation.url(book.for_operation(operation))
        for mode in ("declared", "chunked"):
            before = row_counts(shared_api.ctx.engine)
            content: Any = (
                oversized if mode == "declared" else iter([oversized[:65536], oversized[65536:]])
            )
            response, request_id = send(shared_api, operation, url, who="admin", content=content)
            check_rejected(
                shared_api,
                findings,
                f"{operation.method} {operation.path} [{mode}]",
                before,
                response,
                request_id,
                statuses={413},
                codes={"payload_too_large"},
            )
    still_answering(shared_api, book)
    findings.assert_none()


def test_a_body_that_is_not_json_is_415(shared_api: Api, book: Book) -> None:
    findings = Findings()
    for operation in body_operations(shared_api):
        url = operation.url(book.for_operation(operation))
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
            before = row_counts(shared_api.ctx.engine)
            response, request_id = send(
                shared_api,
                operation,
                url,
                who="admin",
                content=b"name=holly",
                headers={"Content-Type": content_type},
            )
            check_rejected(
                shared_api,
                findings,
                f"{operation.method} {operation.path} [{content_type}]",
                before,
                response,
                request_id,
                statuses={415},
                codes={"unsupported_media_type"},
            )
    findings.assert_none()


def test_hostile_strings_in_every_string_field_never_fail_the_service_or_leak_back(
    shared_api: Api, book: Book
) -> None:
    """SQL/LDAP/log injection, NUL, RTL override, confusables, zero-width and 200,000-char
    strings in every string of every body: stored verbatim-and-safe or refused cleanly."""
    findings = Findings()
    for operation in body_operations(shared_api):
        url = operation.url(book.for_operation(operation))
        template = template_for(shared_api, operation, book)
        for slot in string_slots(template):
            for name, value in HOSTILE_STRINGS.items():
                hostile = marked(value)
                body = replaced(template, slot, hostile)
                before = row_counts(shared_api.ctx.engine)
                response, request_id = send(shared_api, operation, url, who="admin", json_body=body)
                label = f"{operation.method} {operation.path} {'.'.join(map(str, slot))} [{name}]"
                if response.status_code >= 500:
                    findings.add(
                        label, f"server error {response.status_code}: {response.text[:200]}"
                    )
                elif response.status_code >= 400:
                    check_rejected(
                        shared_api,
                        findings,
                        label,
                        before,
                        response,
                        request_id,
                        statuses={400, 404, 409, 410, 413, 422},
                        codes={
                            "invalid_request",
                            "not_found",
                            "conflict",
                            "gone",
                            "payload_too_large",
                            "policy_violation",
                        },
                        echo=ECHO_MARKER,
                    )
    still_answering(shared_api, book)
    findings.assert_none()


def test_hostile_path_parameters_are_404_and_write_nothing(shared_api: Api, book: Book) -> None:
    findings = Findings()
    candidates = {
        **HOSTILE_STRINGS,
        "huge": "A" * 10_000,
        "traversal": "../../v1/audit/verify",
        "prefixed sql": "cus_tok_' OR 1=1 --",
        "empty-looking": " ",
    }
    with_parameters = [op for op in operations(shared_api.app) if op.parameters]
    assert with_parameters
    for operation in with_parameters:
        for parameter in operation.parameters:
            for name, value in candidates.items():
                tokens = {**book.for_operation(operation), parameter: quote(marked(value), safe="")}
                before = row_counts(shared_api.ctx.engine)
                body = template_for(shared_api, operation, book) if operation.has_body else None
                response, request_id = send(
                    shared_api, operation, operation.url(tokens), who="admin", json_body=body
                )
                check_rejected(
                    shared_api,
                    findings,
                    f"{operation.method} {operation.path} {parameter} [{name}]",
                    before,
                    response,
                    request_id,
                    statuses={404},
                    codes={"not_found"},
                    echo=ECHO_MARKER,
                )
    still_answering(shared_api, book)
    findings.assert_none()


AMOUNTS: dict[str, bytes] = {
    "-1": b"-1",
    "0": b"0",
    "10**12+1": str(10**12 + 1).encode(),
    "2**63": str(2**63).encode(),
    "2**64+1": str(2**64 + 1).encode(),
    "1e309": b"1e309",
    "-1e309": b"-1e309",
    "1.5": b"1.5",
    "string 100": b'"100"',
    "true": b"true",
    "null": b"null",
}
# Beyond Python's 4,300-digit limit the number cannot even be parsed: malformed (400).
UNPARSEABLE_AMOUNT = b"1" + b"0" * 4300


@pytest.mark.parametrize("action", ["charges:charge:create", "subscriptions:subscription:create"])
def test_negative_zero_overflowing_and_mistyped_amounts_are_422(
    shared_api: Api, book: Book, action: str
) -> None:
    findings = Findings()
    operation = next(op for op in operations(shared_api.app) if op.action == action)
    template = template_for(shared_api, operation, book)
    for name, raw in {**AMOUNTS, "4,301 digits": UNPARSEABLE_AMOUNT}.items():
        text = json.dumps({**template, "amount": "AMOUNT"}).replace('"AMOUNT"', raw.decode())
        before = row_counts(shared_api.ctx.engine)
        response, request_id = send(
            shared_api, operation, operation.path, who="service", content=text.encode()
        )
        check_rejected(
            shared_api,
            findings,
            f"{action} amount={name}",
            before,
            response,
            request_id,
            statuses={400} if raw is UNPARSEABLE_AMOUNT else {422},
            codes={"invalid_request", "policy_violation"},
        )
    still_answering(shared_api, book)
    findings.assert_none()


CURRENCIES = [
    "XTS",
    "XAU",
    "xts",
    "usd ",
    " usd",
    "ZZZ",
    "US",
    "USDD",
    "",
    "us\u0000",
    "\u0055\u0053\u0044\u200b",
    840,
    None,
]


@pytest.mark.parametrize("action", ["charges:charge:create", "subscriptions:subscription:create"])
def test_invalid_currencies_are_422(shared_api: Api, book: Book, action: str) -> None:
    findings = Findings()
    operation = next(op for op in operations(shared_api.app) if op.action == action)
    template = template_for(shared_api, operation, book)
    for currency in CURRENCIES:
        before = row_counts(shared_api.ctx.engine)
        response, request_id = send(
            shared_api,
            operation,
            operation.path,
            who="service",
            json_body={**template, "currency": currency},
        )
        check_rejected(
            shared_api,
            findings,
            f"{action} currency={currency!r}",
            before,
            response,
            request_id,
            statuses={422},
            codes={"invalid_request"},
        )
    findings.assert_none()


FAR_TIMES = [
    "1970-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "1999-12-31T23:59:59Z",
    "9999-12-31T23:59:59Z",
    "2099-01-01T00:00:00+00:00",
    "2026-13-45T00:00:00Z",
    "2026-01-01T00:00:00",
    "+275760-09-13T00:00:00Z",
    "now-ish",
    1e20,
    -1,
]

TIME_FIELDS = {
    "subscriptions:subscription:create": ["start_at"],
    "pauses:pause:create": ["start", "end"],
    "pauses:bulk:create": ["start", "end"],
    "inventory:breach:report": ["from", "to"],
}


def test_times_far_in_the_past_or_future_or_malformed_are_422(shared_api: Api, book: Book) -> None:
    findings = Findings()
    by_action = {op.action: op for op in operations(shared_api.app)}
    for action, fields in TIME_FIELDS.items():
        operation = by_action[action]
        url = operation.url(book.for_operation(operation))
        template = template_for(shared_api, operation, book)
        for time_field in fields:
            for value in FAR_TIMES:
                body = {**template, time_field: value}
                if time_field == "end":
                    body.pop("days", None)
                before = row_counts(shared_api.ctx.engine)
                response, request_id = send(shared_api, operation, url, who="admin", json_body=body)
                check_rejected(
                    shared_api,
                    findings,
                    f"{action} {time_field}={value!r}",
                    before,
                    response,
                    request_id,
                    statuses={422},
                    codes={"invalid_request"},
                )
    for query in (
        "from=0001-01-01T00:00:00Z",
        "to=9999-12-31T00:00:00Z",
        "from=yesterday",
        "actor=admin%00",
        "target=cus_tok_%00%27%20OR%201%3D1",
    ):
        operation = by_action["audit:event:list"]
        before = row_counts(shared_api.ctx.engine)
        response, request_id = send(shared_api, operation, f"/v1/audit/events?{query}", who="admin")
        check_rejected(
            shared_api,
            findings,
            f"audit events {query}",
            before,
            response,
            request_id,
            statuses={422},
            codes={"invalid_request"},
        )
    still_answering(shared_api, book)
    findings.assert_none()


def test_huge_arrays_and_objects_are_refused_within_the_size_limit(
    shared_api: Api, book: Book
) -> None:
    findings = Findings()
    by_action = {op.action: op for op in operations(shared_api.app)}
    cases = {
        "redaction:text:redact": {"lines": ["x"] * 150_000},
        "inventory:breach:report": {
            "from": "2026-01-01T00:00:00Z",
            "to": "2026-02-01T00:00:00Z",
            "actors": ["a"] * 100_000,
        },
        "subscriptions:subscription:create": {
            **template_for(shared_api, by_action["subscriptions:subscription:create"], book),
            "tags": [f"t{i}" for i in range(50_000)],
        },
        "customers:customer:create": {
            "name": "Holly Day",
            "email": "holly@example.com",
            "metadata": {f"k{i}": "v" for i in range(40_000)},
        },
        "events:webhook_endpoint:create": {
            "url": "https://hooks.example.com/x",
            "events": ["charge.succeeded"] * 50_000,
        },
    }
    for action, body in cases.items():
        operation = by_action[action]
        before = row_counts(shared_api.ctx.engine)
        response, request_id = send(
            shared_api, operation, operation.path, who="admin", json_body=body
        )
        check_rejected(
            shared_api,
            findings,
            f"{action} huge",
            before,
            response,
            request_id,
            statuses={413, 422},
            codes={"invalid_request", "payload_too_large"},
        )
    still_answering(shared_api, book)
    findings.assert_none()


def raw_asgi_get(api: Api, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, dict]:
    """One request straight into the ASGI app, with header bytes no HTTP client would send
    (CR, LF, NUL): what a proxy that passes them through would hand the service."""
    import asyncio

    sent: list[dict[str, Any]] = []
    path_only, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path_only,
        "raw_path": path_only.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(api.app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode("latin-1") for k, v in start["headers"]}


HEADER_INJECTIONS = {
    "crlf": b"abc\r\nSet-Cookie: stolen=1",
    "lf": b"abc\nX-Forged: 1",
    "nul": b"abc\x00def",
    "sql": b"' OR 1=1 --",
    "ldap": b"*)(uid=*",
    "rtl": "abc\u202edef".encode(),
    "overlong": b"k" * 300,
}


def test_header_injection_in_request_id_idempotency_key_and_purpose_is_never_echoed(
    shared_api: Api, book: Book
) -> None:
    customer = book.tokens["customer_id"]
    auth = (b"authorization", f"Bearer {shared_api.keys['compliance']}".encode())
    for name, value in HEADER_INJECTIONS.items():
        status, headers = raw_asgi_get(
            shared_api,
            f"/v1/customers/{customer}/reveal?fields=name",
            [auth, (b"x-request-id", value), (b"x-purpose", value)],
        )
        assert status in (200, 400, 410, 422), (name, status)
        assert headers["x-request-id"].startswith("req_"), name  # a fresh id, not the offered
        assert "set-cookie" not in headers and "x-forged" not in headers, name
        assert all(value.decode("latin-1") not in v for v in headers.values()), name
    for name, value in HEADER_INJECTIONS.items():
        response = shared_api.call(
            "POST",
            "/v1/redact",
            who="service",
            json={"text": "hello"},
            headers={"Idempotency-Key": value.translate(None, b"\r\n\x00")},  # type: ignore[dict-item]
        )
        assert response.status_code in (200, 422), (name, response.text)
        if response.status_code == 422:
            assert not problem_errors(response)
            assert value.decode("latin-1") not in response.text
    assert shared_api.call("GET", "/healthz", who=None).status_code == 200
