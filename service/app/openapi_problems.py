"""Publish in ``/openapi.json`` what the route class and the error renderer really answer.

FastAPI documents a 422 with its own ``HTTPValidationError`` body, while every error of this
service is RFC 9457 problem+json rendered by ``service.app.problems``, and the statuses that
the route class produces for every operation (401, 403, 404, 413, 429, 503, …) are not
declared anywhere. This module rewrites the generated schema once: a ``Problem`` component,
the error responses each operation can give, the bearer scheme and the ``Idempotency-Key``
header the route class reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

PROBLEM_CODES = (
    "invalid_request",
    "unauthenticated",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "conflict",
    "idempotency_mismatch",
    "gone",
    "payload_too_large",
    "unsupported_media_type",
    "policy_violation",
    "rate_limited",
    "card_declined",
    "processor_error",
    "key_service_unavailable",
    "internal_error",
)

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` is one of API.md's error codes.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": list(PROBLEM_CODES)},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "problem": {"type": "string"}},
            },
        },
    },
}

DESCRIPTIONS = {
    400: "Malformed request: not JSON, not an object, or a required header missing or empty.",
    401: "Missing, unknown, revoked or expired API key.",
    402: "The card was declined and no resource can carry the decline.",
    403: "The caller's role may not do this.",
    404: "Unknown path or resource.",
    409: "State conflict, an idempotent request still in flight, or a reused key.",
    410: "The customer was erased.",
    413: "The body is larger than the configured limit.",
    415: "The body is not JSON.",
    422: "Validation failed or a policy limit was exceeded.",
    429: "Over the principal's rate limit; see Retry-After.",
    500: "Internal error; the body reveals nothing internal.",
    502: "The payment processor failed or timed out.",
    503: "The key service or the database is unreachable.",
}

# Every authenticated operation: the route class authenticates, rate-limits, checks path
# tokens and the policy, and any of them can meet an outage.
AUTHENTICATED = (400, 401, 403, 404, 410, 422, 429, 500, 503)
WITH_BODY = (409, 413, 415)
PUBLIC = (500, 503)
# Actions that reach the payment processor.
PROCESSOR_ACTION_PREFIXES = ("charges:charge:create", "customers:customer:create")
PROCESSOR = (402, 502)

BODY_METHODS = frozenset({"post", "put", "patch", "delete"})
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


def install_problem_responses(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the schema with the service's error responses."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("securitySchemes", {})["bearerAuth"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (`srk_…`) created with `strongroom principals create`.",
    }
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                _document_operation(path, method, operation)
    return schema


def _document_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    action = str(operation.get("x-action", ""))
    statuses: set[int] = set(PUBLIC)
    if path.startswith("/v1/"):
        operation["security"] = [{"bearerAuth": []}]
        statuses.update(AUTHENTICATED)
        if method in BODY_METHODS:
            statuses.update(WITH_BODY)
        if action.startswith(PROCESSOR_ACTION_PREFIXES):
            statuses.update(PROCESSOR)
    idempotency = operation.get("x-idempotency")
    if idempotency:
        statuses.add(409)
        _add_idempotency_header(operation, required=idempotency == "required")
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        responses[str(status)] = _problem_response(status)
    for status in list(responses):
        if status[:1] in ("4", "5") and int(status) not in statuses:
            responses[status] = _problem_response(int(status))


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS.get(status, "Error."),
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}
        }
    return response


def _add_idempotency_header(operation: dict[str, Any], *, required: bool) -> None:
    parameters = operation.setdefault("parameters", [])
    if any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in parameters):
        return
    parameters.append(
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": required,
            "description": "Replays the first response for the same key and body (1 to 255 chars).",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }
    )
