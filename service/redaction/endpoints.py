"""``POST /v1/redact``: clean text or log lines that internal services send."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from service.access.actions import Action
from service.app.routing import AuditedRoute, operation
from service.redaction.redactor import get_redactor
from service.redaction.schemas import RedactRequest, redact_request

router = APIRouter(route_class=AuditedRoute, tags=["redaction"])


@router.post("/v1/redact", **operation(Action.REDACT))
async def redact(body: RedactRequest) -> dict[str, Any]:
    # NER is CPU-bound: keep it off the event loop
    return await run_in_threadpool(redact_request, body, get_redactor())
