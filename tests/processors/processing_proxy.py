"""An HTTP proxy in front of localstripe that reports every payment as still processing.

localstripe settles a PaymentIntent at once; Stripe can report one ``processing`` for days
(bank debits). The proxy forwards each request unchanged and rewrites only the answer: every
PaymentIntent that succeeded reads ``processing``, and its charge ``pending``. Everything else
(customers, payment methods, their detachment and deletion) is localstripe's own answer.
``payments_finish()`` lets every later answer through unchanged: the payments have succeeded.
``go_down()``/``come_back()``: meanwhile every request is answered 503 without reaching
localstripe (a processor outage at a chosen moment).
"""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

# Not forwarded: the connection is the proxy's own, and the answer is rewritten uncompressed.
_UNAVAILABLE = json.dumps({"error": {"message": "Service unavailable."}}).encode()
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "accept-encoding", "host"}


class ProcessingProxy:
    def __init__(self, upstream_port: int) -> None:
        upstream = upstream_port

        class Handler(_Handler):
            upstream_port = upstream
            finished = threading.Event()
            down = threading.Event()

        self._handler = Handler
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def payments_finish(self) -> None:
        """From now on, payments read as localstripe settled them (succeeded)."""
        self._handler.finished.set()

    def go_down(self) -> None:
        self._handler.down.set()

    def come_back(self) -> None:
        self._handler.down.clear()

    def __enter__(self) -> ProcessingProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream_port = 0
    finished = threading.Event()
    down = threading.Event()

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_DELETE(self) -> None:
        self._forward()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: request lines hold processor ids."""

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.down.is_set():
            self._answer(503, [("Content-Type", "application/json")], _UNAVAILABLE)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            status, reply, kept = answer.status, answer.read(), answer.getheaders()
        finally:
            upstream.close()
        if "json" in (answer.getheader("Content-Type") or "") and not self.finished.is_set():
            reply = json.dumps(still_processing(json.loads(reply))).encode()
        self._answer(status, kept, reply)

    def _answer(self, status: int, kept: list[tuple[str, str]], reply: bytes) -> None:
        self.send_response(status)
        for name, value in kept:
            if name.lower() not in _HOP_HEADERS | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


def still_processing(value: Any) -> Any:
    """The answer with every succeeded PaymentIntent ``processing`` and its charge ``pending``
    (what Stripe answers for a payment not yet settled), at any depth (expanded objects)."""
    if isinstance(value, dict):
        if value.get("status") == "succeeded":
            if value.get("object") == "payment_intent":
                value["status"] = "processing"
            elif value.get("object") == "charge":
                value["status"] = "pending"
        for item in value.values():
            still_processing(item)
    elif isinstance(value, list):
        for item in value:
            still_processing(item)
    return value
