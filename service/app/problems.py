"""RFC 9457 problem+json: the one renderer for every error the service answers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.core.errors import (
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    ServiceError,
    StorageUnavailable,
    ValidationFailed,
)
from service.core.field_paths import public_field_path

log = logging.getLogger("strongroom.errors")

PROBLEM_TYPE_BASE = "https://strongroom.dev/problems/"

# Validation errors whose meaning is "this is not a usable JSON object at all" (400, not 422).
_MALFORMED_TYPES = {"json_invalid", "json_type", "model_attributes_type", "dict_type"}


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


def problem(error: ServiceError) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "code": error.code,
        **error.extra,
    }
    return ProblemResponse(body, status_code=error.status, headers=error.headers)


def describe_validation(exc: RequestValidationError, body_model: Any = None) -> ServiceError:
    """Say which fields are wrong and why, never echoing what was submitted (not even the
    keys of a free-form map: see :mod:`service.core.field_paths`)."""
    errors = exc.errors()
    for err in errors:
        loc = tuple(err.get("loc", ()))
        # not JSON at all (located at a byte offset), or the body itself of the wrong type; a
        # field of the wrong type is a 422 naming that field
        kind = err.get("type")
        if kind == "json_invalid" or (kind in _MALFORMED_TYPES and loc == ("body",)):
            return InvalidRequest("The body must be a JSON object.")
        if err.get("type") == "missing" and loc == ("body",):
            return InvalidRequest("A JSON body is required.")
    problems = []
    for err in errors[:20]:
        field = public_field_path(err.get("loc", ()), body_model)
        problems.append({"field": field, "problem": _safe_message(err)})
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
    return ValidationFailed(f"Validation failed: {summary}", extra={"errors": problems})


def _safe_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required"
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    # pydantic sometimes quotes the input in its message (enum and literal errors do not, but
    # custom validators might); cut anything after "input" to be safe.
    return message.split(", input", 1)[0][:200]


def to_service_error(exc: BaseException, body_model: Any = None) -> ServiceError:
    """``body_model``: the operation's body type, against which field paths are named."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, RequestValidationError):
        return describe_validation(exc, body_model)
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return NotFound("No such resource.")
        if exc.status_code == 405:
            return MethodNotAllowed("This method is not allowed on this resource.")
        return InvalidRequest(
            "The request could not be served.",
            status=exc.status_code if 400 <= exc.status_code < 500 else 400,
        )
    if isinstance(exc, (OperationalError, DBAPIError)) and _is_connection_error(exc):
        return StorageUnavailable("Storage unavailable: the database cannot be reached.")
    log.error("unhandled error", exc_info=(type(exc), exc, exc.__traceback__))
    return ServiceError("An internal error occurred.", code="internal_error", status=500)


def _is_connection_error(exc: DBAPIError) -> bool:
    return bool(getattr(exc, "connection_invalidated", False)) or isinstance(exc, OperationalError)
