"""The key service over Vault/OpenBao Transit, through hvac.

Three Transit keys, each with one job:

- ``strongroom-data`` (aes256-gcm96) wraps every customer's data key. ``keys rotate`` rotates it.
- ``strongroom-audit`` (ed25519) signs audit checkpoints.
- ``strongroom-index`` (aes256-gcm96, used only for HMAC) keys the blind index. Blind indexes
  are computed with its version 1, pinned, so they stay equal across any rotation.

Errors: anything that means "the key service cannot serve us now" (connection refused,
timeout, sealed, 5xx, credentials refused) raises ``KeyServiceUnavailable``; a refusal of the
request itself (bad ciphertext, version retired) raises ``KeyServiceError``. hvac's exception
is never chained visibly: for batch calls its message holds the whole response body, which
includes the plaintext of the data keys that did unwrap.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import hvac
import hvac.exceptions
import requests

from service.keys.errors import KeyServiceError, KeyServiceUnavailable, WrappedKeyRejected
from service.keys.port import DATA_KEY_BYTES, DataKey, KeyStatus

TRANSIT_MOUNT = "transit"
DATA_KEY_NAME = "strongroom-data"
AUDIT_KEY_NAME = "strongroom-audit"
INDEX_KEY_NAME = "strongroom-index"
BLIND_INDEX_KEY_VERSION = 1

# OpenBao refuses JSON bodies with more than 1,000 strings by default (listener option
# max_request_json_strings); each batch item costs two, so batches above ~490 items fail.
DEFAULT_BATCH_SIZE = 400

_T = TypeVar("_T")

_UNAVAILABLE_STATUS_ERRORS = (
    hvac.exceptions.VaultDown,
    hvac.exceptions.VaultNotInitialized,
    hvac.exceptions.InternalServerError,
    hvac.exceptions.BadGateway,
    hvac.exceptions.RateLimitExceeded,
    hvac.exceptions.UnexpectedError,
)
_CREDENTIAL_ERRORS = (hvac.exceptions.Forbidden, hvac.exceptions.Unauthorized)


def transit_policy(
    *,
    mount_point: str = TRANSIT_MOUNT,
    data_key: str = DATA_KEY_NAME,
    audit_key: str = AUDIT_KEY_NAME,
    index_key: str = INDEX_KEY_NAME,
) -> str:
    """The least-privilege Vault/OpenBao policy for Strongroom's token or AppRole.

    The keys must then be created by an operator (``ensure_keys`` with a privileged token).
    """
    grants = {
        f"{mount_point}/datakey/plaintext/{data_key}": "update",
        f"{mount_point}/decrypt/{data_key}": "update",
        f"{mount_point}/rewrap/{data_key}": "update",
        f"{mount_point}/keys/{data_key}": "read",
        f"{mount_point}/keys/{data_key}/rotate": "update",
        f"{mount_point}/keys/{data_key}/config": "update",
        f"{mount_point}/sign/{audit_key}": "update",
        f"{mount_point}/verify/{audit_key}": "update",
        f"{mount_point}/keys/{audit_key}": "read",
        f"{mount_point}/hmac/{index_key}": "update",
        f"{mount_point}/keys/{index_key}": "read",
    }
    return "".join(
        f'path "{path}" {{\n  capabilities = ["{capability}"]\n}}\n'
        for path, capability in grants.items()
    )


def _translate(error: Exception, operation: str) -> Exception:
    """The typed Strongroom error for an hvac/requests failure during ``operation``."""
    if isinstance(error, requests.exceptions.Timeout):
        return KeyServiceUnavailable(f"The key service did not answer the {operation} in time")
    if isinstance(error, requests.exceptions.RequestException):
        return KeyServiceUnavailable(f"The key service could not be reached for the {operation}")
    if isinstance(error, hvac.exceptions.VaultDown):
        return KeyServiceUnavailable(f"The key service is sealed or down ({operation})")
    if isinstance(error, _UNAVAILABLE_STATUS_ERRORS):
        return KeyServiceUnavailable(f"The key service failed the {operation}")
    if isinstance(error, _CREDENTIAL_ERRORS):
        return KeyServiceUnavailable(
            f"The key service refused Strongroom's credentials for the {operation}"
        )
    return KeyServiceError(f"The key service rejected the {operation}", reason=_reason(error))


def _reason(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        return "; ".join(errors)
    return type(error).__name__


def _call(operation: str, request: Callable[[], _T]) -> _T:
    try:
        return _readable(request(), operation)
    except (requests.exceptions.RequestException, hvac.exceptions.VaultError) as error:
        raise _translate(error, operation) from None


def _readable(result: _T, operation: str) -> _T:
    """hvac hands back the raw HTTP response when a 2xx body is not JSON: only "204 No
    Content" is a real Vault answer; anything else came from something that is not Vault."""
    if isinstance(result, requests.Response) and result.status_code != 204:
        raise _unreadable(operation)
    return result


def _unreadable(operation: str) -> KeyServiceUnavailable:
    return KeyServiceUnavailable(f"The key service gave an unreadable answer to the {operation}")


def _data(response: object, operation: str, *fields: str) -> dict[str, Any]:
    """The ``data`` object of a Vault JSON answer, holding at least ``fields``."""
    data = response.get("data") if isinstance(response, dict) else None
    if not isinstance(data, dict) or any(data.get(name) is None for name in fields):
        raise _unreadable(operation)
    return data


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _data_key_bytes(encoded: str) -> bytes:
    try:
        plaintext = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        plaintext = b""
    if len(plaintext) != DATA_KEY_BYTES:
        raise KeyServiceError("The key service returned a data key of the wrong size")
    return plaintext


def _chunks(items: Sequence[str], size: int) -> Iterator[tuple[int, Sequence[str]]]:
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


def build_vault_client(
    addr: str,
    *,
    token: str | None = None,
    role_id: str | None = None,
    secret_id: str | None = None,
    timeout: float = 5.0,
    approle_mount: str = "approle",
) -> hvac.Client:
    """An hvac client for ``addr``, authenticated by token or, failing that, by AppRole.

    Every request made through it gives up after ``timeout`` seconds.
    """
    client = hvac.Client(url=addr, timeout=timeout)
    if token:
        client.token = token
    elif role_id and secret_id:
        login_with_approle(client, role_id=role_id, secret_id=secret_id, mount_point=approle_mount)
    else:
        raise ValueError("the key service needs a token, or an AppRole role_id and secret_id")
    return client


def login_with_approle(
    client: hvac.Client, *, role_id: str, secret_id: str, mount_point: str = "approle"
) -> None:
    """Log ``client`` in through AppRole (again, when its token expired)."""
    _call(
        "AppRole login",
        lambda: client.auth.approle.login(
            role_id=role_id, secret_id=secret_id, use_token=True, mount_point=mount_point
        ),
    )


def ensure_transit(client: hvac.Client, *, mount_point: str = TRANSIT_MOUNT) -> None:
    """Enable the Transit engine at ``mount_point`` unless it is mounted already."""
    operation = "listing of secrets engines"
    try:
        mounts = _readable(client.sys.list_mounted_secrets_engines(), operation)
    except hvac.exceptions.Forbidden:
        # A least-privilege token may not list mounts; its operator mounted Transit for it.
        return
    except (requests.exceptions.RequestException, hvac.exceptions.VaultError) as error:
        raise _translate(error, operation) from None
    if f"{mount_point}/" not in _data(mounts, operation):
        _call(
            "mount of the Transit engine",
            lambda: client.sys.enable_secrets_engine("transit", path=mount_point),
        )


class TransitKeyService:
    """``KeyService`` over hvac and the Transit engine."""

    def __init__(
        self,
        client: hvac.Client,
        *,
        data_key: str = DATA_KEY_NAME,
        audit_key: str = AUDIT_KEY_NAME,
        index_key: str = INDEX_KEY_NAME,
        mount_point: str = TRANSIT_MOUNT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        reauthenticate: Callable[[], None] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._client = client
        self._transit = client.secrets.transit
        self.data_key = data_key
        self.audit_key = audit_key
        self.index_key = index_key
        self.mount_point = mount_point
        self.batch_size = batch_size
        self._reauthenticate = reauthenticate

    def __repr__(self) -> str:
        return f"TransitKeyService(url={self._client.url!r}, data_key={self.data_key!r})"

    def _request(self, operation: str, request: Callable[[], _T]) -> _T:
        """Run one Transit request; on refused credentials, log in again once and retry."""
        try:
            return _readable(request(), operation)
        except _CREDENTIAL_ERRORS as error:
            if self._reauthenticate is None:
                raise _translate(error, operation) from None
        except (requests.exceptions.RequestException, hvac.exceptions.VaultError) as error:
            raise _translate(error, operation) from None
        self._reauthenticate()
        return _call(operation, request)

    # -- keys -------------------------------------------------------------------------------

    def ensure_keys(self) -> None:
        ensure_transit(self._client, mount_point=self.mount_point)
        for name, key_type in (
            (self.data_key, "aes256-gcm96"),
            (self.audit_key, "ed25519"),
            (self.index_key, "aes256-gcm96"),
        ):
            self._ensure_key(name, key_type)

    def _ensure_key(self, name: str, key_type: str) -> None:
        operation = f"lookup of key {name}"
        try:
            existing = _readable(
                self._transit.read_key(name, mount_point=self.mount_point), operation
            )
        except hvac.exceptions.InvalidPath:
            self._request(
                f"creation of key {name}",
                lambda: self._transit.create_key(
                    name, key_type=key_type, mount_point=self.mount_point
                ),
            )
            return
        except (requests.exceptions.RequestException, hvac.exceptions.VaultError) as error:
            raise _translate(error, operation) from None
        existing_type = _data(existing, operation, "type")["type"]
        if existing_type != key_type:
            raise KeyServiceError(
                f"Transit key {name} exists with type {existing_type}, "
                f"but Strongroom needs {key_type}"
            )

    def rotate_data_key(self) -> int:
        self._request(
            "rotation of the data key",
            lambda: self._transit.rotate_key(self.data_key, mount_point=self.mount_point),
        )
        return self.key_status().latest_version

    def key_status(self) -> KeyStatus:
        response = self._request(
            "key status",
            lambda: self._transit.read_key(self.data_key, mount_point=self.mount_point),
        )
        data = _data(
            response, "key status", "name", "type", "latest_version", "min_decryption_version"
        )
        return KeyStatus(
            name=data["name"],
            key_type=data["type"],
            latest_version=int(data["latest_version"]),
            min_decryption_version=int(data["min_decryption_version"]),
            versions=tuple(sorted(int(version) for version in data.get("keys") or {})),
        )

    def set_min_decryption_version(self, version: int) -> None:
        if version < 1:
            raise KeyServiceError("The minimum decryption version must be at least 1")
        self._request(
            "change of the minimum decryption version",
            lambda: self._transit.update_key_configuration(
                self.data_key, min_decryption_version=version, mount_point=self.mount_point
            ),
        )

    def check(self) -> None:
        status = _call("health check", self._client.sys.read_seal_status)
        if not isinstance(status, dict) or status.get("sealed") is not False:
            raise KeyServiceUnavailable("The key service is sealed")
        self._request(
            "health check",
            lambda: self._transit.read_key(self.data_key, mount_point=self.mount_point),
        )

    # -- data keys --------------------------------------------------------------------------

    def generate_data_key(self) -> DataKey:
        response = self._request(
            "generation of a data key",
            lambda: self._transit.generate_data_key(
                self.data_key, key_type="plaintext", bits=256, mount_point=self.mount_point
            ),
        )
        data = _data(response, "generation of a data key", "plaintext", "ciphertext", "key_version")
        return DataKey(
            plaintext=_data_key_bytes(data["plaintext"]),
            wrapped=data["ciphertext"],
            version=int(data["key_version"]),
        )

    def unwrap_data_key(self, wrapped: str) -> bytes:
        response = self._request(
            "unwrap of a data key",
            lambda: self._transit.decrypt_data(
                self.data_key, ciphertext=wrapped, mount_point=self.mount_point
            ),
        )
        return _data_key_bytes(_data(response, "unwrap of a data key", "plaintext")["plaintext"])

    def unwrap_data_keys(self, wrapped: Sequence[str]) -> list[bytes]:
        results = self._batch("decrypt", wrapped)
        return [_data_key_bytes(result["plaintext"]) for result in results]

    def rewrap_data_keys(self, wrapped: Sequence[str]) -> list[tuple[str, int]]:
        results = self._batch("rewrap", wrapped)
        return [(result["ciphertext"], int(result["key_version"])) for result in results]

    def _batch(self, action: str, wrapped: Sequence[str]) -> list[dict[str, Any]]:
        """Run a Transit batch ``decrypt`` or ``rewrap`` in chunks; results in input order.

        Either every item succeeds or WrappedKeyRejected names the ones that did not.
        """
        send = self._transit.decrypt_data if action == "decrypt" else self._transit.rewrap_data
        results: list[dict[str, Any]] = []
        rejected: list[int] = []
        reasons: set[str] = set()
        for offset, chunk in _chunks(wrapped, self.batch_size):
            batch = [{"ciphertext": value} for value in chunk]

            def send_chunk(batch: list[dict[str, str]] = batch) -> dict[str, Any]:
                try:
                    return send(
                        self.data_key,
                        ciphertext="",
                        batch_input=batch,
                        mount_point=self.mount_point,
                    )
                except hvac.exceptions.InvalidRequest as error:
                    # Transit answers 400 when some items fail; the body still has every result.
                    if _batch_results(error.json) is None:
                        raise
                    return error.json

            operation = f"batch {action} of data keys"
            response = self._request(operation, send_chunk)
            chunk_results = _batch_results(response)
            if chunk_results is None or len(chunk_results) != len(chunk):
                raise _unreadable(operation)
            for index, result in enumerate(chunk_results):
                if result.get("error"):
                    rejected.append(offset + index)
                    reasons.add(str(result["error"]))
            results.extend(chunk_results)
        if rejected:
            raise WrappedKeyRejected(rejected, reason="; ".join(sorted(reasons)))
        return results

    # -- signatures and blind index -------------------------------------------------------

    def sign(self, data: bytes) -> str:
        response = self._request(
            "signature",
            lambda: self._transit.sign_data(
                self.audit_key, hash_input=_b64(data), mount_point=self.mount_point
            ),
        )
        return str(_data(response, "signature", "signature")["signature"])

    def verify(self, data: bytes, signature: str) -> bool:
        if not isinstance(signature, str) or not signature.startswith("vault:v"):
            return False
        try:
            response = self._request(
                "signature verification",
                lambda: self._transit.verify_signed_data(
                    self.audit_key,
                    hash_input=_b64(data),
                    signature=signature,
                    mount_point=self.mount_point,
                ),
            )
        except KeyServiceError:
            # Transit answers 400 to a malformed signature: it is simply not valid.
            return False
        return _data(response, "signature verification", "valid")["valid"] is True

    def blind_index(self, value: bytes) -> str:
        response = self._request(
            "blind index",
            lambda: self._transit.generate_hmac(
                self.index_key,
                hash_input=_b64(value),
                key_version=BLIND_INDEX_KEY_VERSION,
                algorithm="sha2-256",
                mount_point=self.mount_point,
            ),
        )
        # "vault:v1:<base64 digest>": the prefix is constant (version pinned), keep the digest.
        digest_b64 = str(_data(response, "blind index", "hmac")["hmac"]).rsplit(":", 1)[-1]
        return base64.b64decode(digest_b64).hex()


def _batch_results(body: object) -> list[dict[str, Any]] | None:
    """The per-item results in a Transit batch response body, if it has them."""
    if not isinstance(body, dict):
        return None
    data = body.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("batch_results"), list):
        return None
    return data["batch_results"]
