"""A TCP proxy in front of localstripe that answers everything but one request.

The first request whose first line starts with ``hold_request`` is either forwarded and its
response held back (the processor acted, the caller never hears of it) or not forwarded at
all (the processor never heard of it). Either way the caller waits forever: the moment at
which a test kills it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class HangingProxy:
    def __init__(self, upstream_port: int, hold_request: bytes, *, forward: bool) -> None:
        self._upstream_port = upstream_port
        self._hold_request = hold_request
        self._forward = forward
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.holding = threading.Event()
        self._claimed = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HangingProxy:
        threading.Thread(target=self._accept_forever, daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept_forever(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self._upstream_port))
            self._sockets += [client, upstream]
            held = threading.Event()
            threading.Thread(
                target=self._requests, args=(client, upstream, held), daemon=True
            ).start()
            threading.Thread(
                target=self._responses, args=(upstream, client, held), daemon=True
            ).start()

    def _requests(
        self, client: socket.socket, upstream: socket.socket, held: threading.Event
    ) -> None:
        while chunk := _receive(client):
            with self._lock:
                hold = chunk.startswith(self._hold_request) and not self._claimed
                self._claimed = self._claimed or hold
            if hold:
                held.set()
                if not self._forward:
                    self.holding.set()
                    return
            upstream.sendall(chunk)

    def _responses(
        self, upstream: socket.socket, client: socket.socket, held: threading.Event
    ) -> None:
        while chunk := _receive(upstream):
            if held.is_set():
                self.holding.set()
                return
            client.sendall(chunk)


def _receive(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""
