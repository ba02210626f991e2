"""One access line per HTTP request, built from safe-shaped values only (see
:mod:`service.redaction.access_line`): the redacting filter lets such a line through without
running the detector, where uvicorn's line (client address, raw path and query) needed it."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.redaction.access_line import (
    ACCESS_FORMAT,
    ACCESS_LOGGER,
    EVENT_ID_STATE,
    MORE_EVENTS_STATE,
    NONE,
    SAFE_METHODS,
    event_id_label,
    request_id_label,
    route_label,
)

access_log = logging.getLogger(ACCESS_LOGGER)


class AccessLogMiddleware:
    """Logs ``method route-template status duration request-id event-id`` once the response is sent
    (status 500 if the app raised before answering). Outermost: the request id is in the
    scope's state once :class:`RequestIdMiddleware` has run, the route once routing has."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            method = scope.get("method", "")
            state = scope.get("state", {})
            access_log.info(
                ACCESS_FORMAT,
                method if method in SAFE_METHODS else "OTHER",
                route_label(scope.get("route")) if "route" in scope else NONE,
                status,
                (time.perf_counter() - started) * 1000,
                request_id_label(state.get("request_id")),
                event_id_label(state.get(EVENT_ID_STATE), state.get(MORE_EVENTS_STATE, 0)),
            )
