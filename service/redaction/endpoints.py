"""``POST /v1/redact``: clean text or log lines that internal services send."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from service.access.actions import Action
from service.app.context import get_redactor
from service.app.routing import AuditedRoute, operation
from service.redaction.redactor import Redactor
from service.redaction.schemas import (
    RedactLinesRead,
    RedactRequest,
    RedactTextRead,
    redact_request,
)

router = APIRouter(route_class=AuditedRoute, tags=["redaction"])


@router.post(
    "/v1/redact",
    response_model=RedactTextRead | RedactLinesRead,
    **operation(Action.REDACT),
)
async def redact(
    body: RedactRequest, redactor: Annotated[Redactor, Depends(get_redactor)]
) -> dict[str, Any]:
    # NER is CPU-bound: keep it off the event loop
    return await run_in_threadpool(redact_request, body, redactor)
