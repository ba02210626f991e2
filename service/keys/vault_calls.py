"""How the outcome of an hvac call becomes Strongroom's answer.

Anything that means "the key service cannot serve us now" (connection refused, timeout,
sealed, 5xx, an answer that is not Vault's, credentials refused) becomes
``KeyServiceUnavailable``; a refusal of the request itself (bad ciphertext, retired version)
becomes ``KeyServiceError``. hvac's exception is never chained visibly: for batch calls its
message holds the whole response body, which includes the plaintext of the data keys that did
unwrap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import hvac.exceptions
import requests

from service.keys.errors import KeyServiceError, KeyServiceUnavailable

_T = TypeVar("_T")

HVAC_FAILURES = (requests.exceptions.RequestException, hvac.exceptions.VaultError)
CREDENTIAL_ERRORS = (hvac.exceptions.Forbidden, hvac.exceptions.Unauthorized)
_UNAVAILABLE_STATUS_ERRORS = (
    hvac.exceptions.VaultDown,
    hvac.exceptions.VaultNotInitialized,
    hvac.exceptions.InternalServerError,
    hvac.exceptions.BadGateway,
    hvac.exceptions.RateLimitExceeded,
    hvac.exceptions.UnexpectedError,
)


def translate(error: Exception, operation: str) -> Exception:
    """The typed Strongroom error for an hvac/requests failure during ``operation``."""
    if isinstance(error, requests.exceptions.Timeout):
        return KeyServiceUnavailable(f"The key service did not answer the {operation} in time")
    if isinstance(error, requests.exceptions.RequestException):
        return KeyServiceUnavailable(f"The key service could not be reached for the {operation}")
    if isinstance(error, hvac.exceptions.VaultDown):
        return KeyServiceUnavailable(f"The key service is sealed or down ({operation})")
    if isinstance(error, _UNAVAILABLE_STATUS_ERRORS):
        return KeyServiceUnavailable(f"The key service failed the {operation}")
    if isinstance(error, CREDENTIAL_ERRORS):
        return KeyServiceUnavailable(
            f"The key service refused Strongroom's credentials for the {operation}"
        )
    return KeyServiceError(f"The key service rejected the {operation}", reason=_reason(error))


def _reason(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        return "; ".join(errors)
    return type(error).__name__


def call(operation: str, request: Callable[[], _T]) -> _T:
    try:
        return readable(request(), operation)
    except HVAC_FAILURES as error:
        raise translate(error, operation) from None


def readable(result: _T, operation: str) -> _T:
    """hvac hands back the raw HTTP response when a 2xx body is not JSON: only "204 No
    Content" is a real Vault answer; anything else came from something that is not Vault."""
    if isinstance(result, requests.Response) and result.status_code != 204:
        raise unreadable(operation)
    return result


def unreadable(operation: str) -> KeyServiceUnavailable:
    return KeyServiceUnavailable(f"The key service gave an unreadable answer to the {operation}")


def response_data(response: object, operation: str, *fields: str) -> dict[str, Any]:
    """The ``data`` object of a Vault JSON answer, holding at least ``fields``."""
    data = response.get("data") if isinstance(response, dict) else None
    if not isinstance(data, dict) or any(data.get(name) is None for name in fields):
        raise unreadable(operation)
    return data
