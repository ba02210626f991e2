"""One family of errors, rendered as RFC 9457 problem+json by one handler (service/app/main.py)."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An error the API reports to its caller.

    ``code`` is one of the codes of API.md, ``status`` its HTTP status and ``detail`` a human
    sentence that never contains a value the caller submitted or any personal data.
    """

    code: str = "internal_error"
    status: int = 500
    title: str = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.detail = detail or self.title
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.detail)


class InvalidRequest(ServiceError):
    code, status, title = "invalid_request", 400, "Invalid request"


class ValidationFailed(ServiceError):
    code, status, title = "invalid_request", 422, "Validation failed"


class Unauthenticated(ServiceError):
    code, status, title = "unauthenticated", 401, "Authentication required"


class Forbidden(ServiceError):
    code, status, title = "forbidden", 403, "Forbidden"


class NotFound(ServiceError):
    code, status, title = "not_found", 404, "Not found"


class MethodNotAllowed(ServiceError):
    code, status, title = "method_not_allowed", 405, "Method not allowed"


class Conflict(ServiceError):
    code, status, title = "conflict", 409, "Conflict"


class IdempotencyMismatch(ServiceError):
    code, status, title = "idempotency_mismatch", 409, "Idempotency key reused with another body"


class Gone(ServiceError):
    code, status, title = "gone", 410, "Gone"


class PayloadTooLarge(ServiceError):
    code, status, title = "payload_too_large", 413, "Payload too large"


class UnsupportedMediaType(ServiceError):
    code, status, title = "unsupported_media_type", 415, "Unsupported media type"


class PolicyViolation(ServiceError):
    code, status, title = "policy_violation", 422, "Policy limit exceeded"


class RateLimited(ServiceError):
    code, status, title = "rate_limited", 429, "Rate limit exceeded"


class CardDeclined(ServiceError):
    code, status, title = "card_declined", 402, "Card declined"


class ProcessorFailed(ServiceError):
    code, status, title = "processor_error", 502, "Payment processor error"


class KeyServiceUnavailable(ServiceError):
    code, status, title = "key_service_unavailable", 503, "Key service unavailable"


class StorageUnavailable(ServiceError):
    # DESIGN.md's fail-closed invariant names one code for both outages the caller cannot fix.
    code, status, title = "key_service_unavailable", 503, "Storage unavailable"
