"""The real server (uvicorn, production logging): no server banner, request ids and no-store
on every answer, and a newline in any request field never makes two log lines."""

from __future__ import annotations

import json
import socket
import uuid

from tests.fixtures.live_server import LiveServer
from tests.hardening.hostile import LOG_INJECTION


def raw_request(server: LiveServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_live_server_sends_no_banner_and_stamps_every_answer(live_server: LiveServer) -> None:
    for method, path, who in (
        ("GET", "/healthz", None),
        ("GET", "/v1/nowhere", None),
        ("DELETE", "/v1/audit/verify", "admin"),
        ("GET", "/v1/audit/verify", "admin"),
        ("GET", "/v1/audit/verify", None),
    ):
        response = live_server.call(method, path, who=who)
        assert "server" not in response.headers, (method, path)
        assert response.headers["x-request-id"]
        assert response.headers["cache-control"] == "no-store"


def test_a_newline_in_any_request_field_never_makes_two_log_lines(live_server: LiveServer) -> None:
    marker = uuid.uuid4().hex
    forged = LOG_INJECTION.replace("forged-line", f"forged-{marker}")
    with live_server.client("service") as client:
        client.post("/v1/redact", json={"text": forged})
        client.post("/v1/customers", json={"name": forged, "email": "x@example.com"})
        client.get(f"/v1/customers/cus_tok_{marker}%0A%0Dforged-{marker}")
        client.get("/v1/audit/events", params={"actor": forged})
    # Raw bytes: a header value with a bare LF or CR, which a strict client would refuse.
    for header in (b"X-Request-Id", b"Idempotency-Key", b"X-Purpose"):
        raw_request(
            live_server,
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
            + header
            + b": a\rforged-"
            + marker.encode()
            + b"\r\nConnection: close\r\n\r\n",
        )
    live_server.stop()
    text = live_server.log_text()
    # Every request the app answered left its access line (the raw ones with a bare CR are
    # refused by the HTTP parser before the app), and none of their fields is written: the
    # line holds the route template, never the path or a header.
    access = [line for line in text.splitlines() if '"logger": "strongroom.access"' in line]
    assert len(access) >= 4, "the requests never reached the log: the test proves nothing"
    assert marker not in text
    for line in text.splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)  # every line is one whole JSON record
        assert isinstance(entry, dict) and "message" in entry
        assert not line.startswith(f"forged-{marker}")
