"""A TCP proxy that forwards one chosen request and then loses its response.

It stands between a real client and a real server (the stripe SDK and localstripe; psycopg and
PostgreSQL) to reproduce a connection that fails after the server has acted: the request
arrived, the answer never did.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class ResponseLosingProxy:
    """Forwards bytes both ways; drops the connection instead of relaying the first response
    to a request that starts with ``lose_response_to`` (or holds it anywhere, for protocols
    whose messages start with framing bytes)."""

    def __init__(
        self, upstream_port: int, lose_response_to: bytes, *, anywhere: bool = False
    ) -> None:
        self._upstream_port = upstream_port
        self._lose_response_to = lose_response_to
        self._anywhere = anywhere
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.responses_lost = 0
        self._lock = threading.Lock()

    def __enter__(self) -> ResponseLosingProxy:
        threading.Thread(target=self._accept_forever, daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._listener.close()

    def _accept_forever(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self._upstream_port))
            lose_next = threading.Event()
            threading.Thread(
                target=self._requests, args=(client, upstream, lose_next), daemon=True
            ).start()
            threading.Thread(
                target=self._responses, args=(upstream, client, lose_next), daemon=True
            ).start()

    def _requests(
        self, client: socket.socket, upstream: socket.socket, lose: threading.Event
    ) -> None:
        while chunk := self._receive(client):
            with self._lock:
                chosen = (
                    self._lose_response_to in chunk
                    if self._anywhere
                    else chunk.startswith(self._lose_response_to)
                )
                if chosen and self.responses_lost == 0:
                    self.responses_lost += 1
                    lose.set()
            upstream.sendall(chunk)
        with contextlib.suppress(OSError):
            upstream.shutdown(socket.SHUT_WR)

    def _responses(
        self, upstream: socket.socket, client: socket.socket, lose: threading.Event
    ) -> None:
        while chunk := self._receive(upstream):
            if lose.is_set():
                break
            client.sendall(chunk)
        # shutdown() sends the FIN at once; close() alone would wait for the other thread's recv.
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    @staticmethod
    def _receive(sock: socket.socket) -> bytes:
        try:
            return sock.recv(65536)
        except OSError:
            return b""
