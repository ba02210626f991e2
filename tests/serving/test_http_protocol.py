"""The HTTP layer the served process speaks (``service/app/http_protocol.py``), attacked over a
raw socket against the real ``strongroom serve``: a request's head is bounded, the bound is
per request on a kept-alive connection, and a request that could be read two ways is refused."""

from __future__ import annotations

import contextlib
import socket
import time

from service.app.http_protocol import MAX_HEAD_BYTES
from tests.fixtures.live_server import LiveServer


def connect(server: LiveServer) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass  # the server closed with our unread bytes still queued: what it sent came first
    return received


def read_one_answer(connection: socket.socket) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        assert chunk, f"closed before an answer: {received!r}"
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head


def healthz(extra_headers: bytes = b"") -> bytes:
    return b"GET /healthz HTTP/1.1\r\nHost: test\r\n" + extra_headers + b"\r\n"


def test_a_head_past_the_limit_is_answered_431_and_closed_whether_sent_at_once_or_slowly(
    live_server: LiveServer,
) -> None:
    padding = b"X-Padding: " + b"a" * (2 * 1024 * 1024) + b"\r\n"  # 2 MiB: many reads
    with connect(live_server) as connection:
        # The server may close while we are still sending: its answer was written before.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(healthz(padding))
        answer = read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]

    with connect(live_server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
        answer = b""
        for index in range(4 * MAX_HEAD_BYTES // 512):
            try:
                connection.sendall(b"X-Slow-%d: %s\r\n" % (index, b"b" * 500))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.002)  # separate reads on the server's side
        answer = read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]

    # A head a little past the limit in one write, read by the server at once.
    with connect(live_server) as connection:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(healthz(b"X-Over: " + b"d" * (MAX_HEAD_BYTES + 100) + b"\r\n"))
        answer = read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]

    # The worker that refused them still serves.
    with connect(live_server) as connection:
        connection.sendall(healthz(b"Connection: close\r\n"))
        assert read_until_closed(connection).startswith(b"HTTP/1.1 200 ")


def test_the_bound_is_per_request_on_a_kept_alive_connection(live_server: LiveServer) -> None:
    """Twenty requests with heads of about half the limit on one connection: together they
    are ten times the limit, each is well under it, and each is answered."""
    header = b"X-Half: " + b"c" * (MAX_HEAD_BYTES // 2) + b"\r\n"
    with connect(live_server) as connection:
        for _ in range(20):
            connection.sendall(healthz(header))
            assert read_one_answer(connection).startswith(b"HTTP/1.1 200 ")
        # A body does not count as head either (refused for being a body on this route or
        # accepted: either way answered, and the connection goes on).
        body = b"{" + b" " * (3 * MAX_HEAD_BYTES) + b"}"
        connection.sendall(
            b"POST /v1/customers HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        assert not read_one_answer(connection).startswith(b"HTTP/1.1 431 ")
        connection.sendall(healthz())
        assert read_one_answer(connection).startswith(b"HTTP/1.1 200 ")


def test_a_request_with_both_content_length_and_chunked_encoding_is_refused(
    live_server: LiveServer,
) -> None:
    """The classic smuggling shape: a front end that reads Content-Length would pass the
    second request inside the first one's body. Refused whole, and nothing behind it runs."""
    smuggled = b"GET /v1/audit/events HTTP/1.1\r\nHost: test\r\n\r\n"
    body = b"0\r\n\r\n" + smuggled
    with connect(live_server) as connection:
        connection.sendall(
            b"POST /v1/customers HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n%s" % (len(body), body)
        )
        answer = read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 1, answer
