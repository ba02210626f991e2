"""The HTTP protocol the service's uvicorn serves with: httptools' C parser (uvicorn's
``standard`` choice; h11, the pure-Python default, was about 8% of a worker's profile),
Nagle's algorithm off on every connection, and a bound on a request's head.

Nagle: uvicorn sends a response's head and its body in two writes. asyncio turns Nagle off on
the sockets it creates, but under ``--workers N`` uvicorn binds the listening socket itself
(protocol 0) and asyncio leaves the connections accepted from it alone: every answer on a
kept-alive connection after the first then waits for the client's delayed ACK of its head —
40 ms on Linux. Measured on a bare FastAPI read with ``--workers 2``: 44 ms per request with
Nagle on, 1.6 ms with it off.

The head: h11 refused a head (request line and headers) over 16 KiB; httptools sets no limit
and holds a header being received in memory until it ends, so without one a client could
make a worker hold as much as it cares to send. The request line and headers the parser hands
over are counted per request, and the bytes that arrive while no head is complete (a header
still arriving) across reads; past 16 KiB either way the connection is answered 431 and
closed.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 16 * 1024

_HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 35\r\n"
    b"connection: close\r\n"
    b"\r\n"
    b"Request header fields are too large"
)


class _HeadTooLarge(Exception):
    """Raised from a parser callback: httptools stops and uvicorn answers (see
    :meth:`ServiceHttpProtocol.send_400_response`)."""


class ServiceHttpProtocol(HttpToolsProtocol):
    _awaiting_head = True
    _received_awaiting_head = 0  # raw bytes since the last head completed, across reads
    _head_parsed = 0  # bytes of the current head the parser has handed over
    _head_too_large = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head:
            self._received_awaiting_head += len(data)
        super().data_received(data)
        # A header still arriving is held by httptools until it ends: counted by the read.
        if self._awaiting_head and self._received_awaiting_head > MAX_HEAD_BYTES:
            self._refuse()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_parsed = 0

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)  # `: ` and CRLF
        super().on_header(name, value)

    def _count_head(self, size: int) -> None:
        self._head_parsed += size
        if self._head_parsed > MAX_HEAD_BYTES:
            self._head_too_large = True
            raise _HeadTooLarge

    def send_400_response(self, msg: str) -> None:
        if self._head_too_large:
            self._refuse()
        else:
            super().send_400_response(msg)

    def _refuse(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(_HEAD_TOO_LARGE)
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._awaiting_head, self._received_awaiting_head = True, 0
