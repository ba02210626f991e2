"""``X-Request-Id``: the caller's when it is well-formed, otherwise a new one."""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.redaction.access_line import holds_a_long_number

VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)


def choose_request_id(offered: str | None) -> str:
    if offered and VALID_REQUEST_ID.match(offered):
        return offered
    while True:  # drawn again when the access line could not show it (about 4 in 1,000)
        made = "req_" + secrets.token_hex(12)
        if not holds_a_long_number(made):
            return made


class RequestIdMiddleware:
    """Sets ``scope["state"]["request_id"]`` and stamps every response with it and with the
    security headers (no caching anywhere: any response may carry revealed data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = None
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                offered = value.decode("latin-1")
                break
        request_id = choose_request_id(offered)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"x-request-id", b"server", b"cache-control")
                ]
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(SECURITY_HEADERS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
