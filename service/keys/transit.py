"""The key service over Vault/OpenBao Transit, through hvac.

Three Transit keys, each with one job:

- ``strongroom-data`` (aes256-gcm96) wraps every customer's data key. ``keys rotate`` rotates it.
- ``strongroom-audit`` (ed25519) signs the audit trail's tree heads.
- ``strongroom-index`` (aes256-gcm96, used only for HMAC) keys the blind index. Values are
  computed under a named version and record it (``service.customers.blind_index``); rotating it
  (``keys rotate-index``) is followed by a batched re-index. ``blind_index`` is the old,
  label-less form under version 1, kept so search finds values not yet re-indexed.

Failures are translated by ``service.keys.vault_calls``: an outage is ``KeyServiceUnavailable``,
a refusal is ``KeyServiceError``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import hvac
import hvac.exceptions

from service.keys.errors import KeyServiceError, KeyServiceUnavailable, WrappedKeyRejected
from service.keys.port import DATA_KEY_BYTES, DataKey, KeyStatus
from service.keys.vault_calls import (
    CREDENTIAL_ERRORS,
    HVAC_FAILURES,
    call,
    readable,
    response_data,
    translate,
    unreadable,
)
from service.keys.vault_client import (
    ANCHOR_MOUNT,
    ANCHOR_PATH,
    AUDIT_KEY_NAME,
    DATA_KEY_NAME,
    INDEX_KEY_NAME,
    TRANSIT_MOUNT,
    build_vault_client,
    ensure_transit,
    login_with_approle,
)

__all__ = [
    "AUDIT_KEY_NAME",
    "BLIND_INDEX_KEY_VERSION",
    "DATA_KEY_NAME",
    "DEFAULT_BATCH_SIZE",
    "INDEX_KEY_NAME",
    "TRANSIT_MOUNT",
    "TransitKeyService",
    "build_vault_client",
    "ensure_transit",
    "login_with_approle",
]

BLIND_INDEX_KEY_VERSION = 1

# OpenBao refuses JSON bodies with more than 1,000 strings by default (listener option
# max_request_json_strings); each batch item costs two, so batches above ~490 items fail.
DEFAULT_BATCH_SIZE = 400

_T = TypeVar("_T")


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
        anchor_path: str = ANCHOR_PATH,
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
        self.anchor_path = anchor_path

    def __repr__(self) -> str:
        return f"TransitKeyService(url={self._client.url!r}, data_key={self.data_key!r})"

    def _request(self, operation: str, request: Callable[[], _T]) -> _T:
        """Run one Transit request; on refused credentials, log in again once and retry."""
        try:
            return readable(request(), operation)
        except CREDENTIAL_ERRORS as error:
            if self._reauthenticate is None:
                raise translate(error, operation) from None
        except HVAC_FAILURES as error:
            raise translate(error, operation) from None
        self._reauthenticate()
        return call(operation, request)

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
            existing = readable(
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
        except HVAC_FAILURES as error:
            raise translate(error, operation) from None
        existing_type = response_data(existing, operation, "type")["type"]
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
        data = response_data(
            response, "key status", "name", "type", "latest_version", "min_decryption_version"
        )
        return KeyStatus(
            name=data["name"],
            key_type=data["type"],
            latest_version=int(data["latest_version"]),
            min_decryption_version=int(data["min_decryption_version"]),
            versions=tuple(sorted(int(version) for version in data.get("keys") or {})),
            min_available_version=int(data.get("min_available_version") or 0),
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

    def retire_data_key_versions_below(self, version: int) -> None:
        if version < 1:
            raise KeyServiceError("The minimum version must be at least 1")
        # Transit trims only below both minimums, and only once the encryption one is set
        # (two calls: hvac refuses an encryption minimum equal to the decryption one in one).
        self.set_min_decryption_version(version)
        self._request(
            "retirement of old data key versions",
            lambda: self._transit.update_key_configuration(
                self.data_key, min_encryption_version=version, mount_point=self.mount_point
            ),
        )
        self._request(
            "trim of retired data key versions",
            lambda: self._transit.trim_key(
                self.data_key, min_version=version, mount_point=self.mount_point
            ),
        )

    def check(self) -> None:
        status = call("health check", self._client.sys.read_seal_status)
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
        data = response_data(
            response, "generation of a data key", "plaintext", "ciphertext", "key_version"
        )
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
        return _data_key_bytes(
            response_data(response, "unwrap of a data key", "plaintext")["plaintext"]
        )

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
                raise unreadable(operation)
            for index, result in enumerate(chunk_results):
                if result.get("error"):
                    rejected.append(offset + index)
                    reasons.add(str(result["error"]))
            results.extend(chunk_results)
        if rejected:
            raise WrappedKeyRejected(rejected, reason="; ".join(sorted(reasons)))
        return results

    # -- signatures and blind index -------------------------------------------------------

    def sign(self, data: bytes, key_version: int | None = None) -> str:
        response = self._request(
            "signature",
            lambda: self._transit.sign_data(
                self.audit_key,
                hash_input=_b64(data),
                key_version=key_version,
                mount_point=self.mount_point,
            ),
        )
        return str(response_data(response, "signature", "signature")["signature"])

    def _audit_key(self) -> dict[str, Any]:
        operation = "lookup of the audit signing key"
        response = self._request(
            operation, lambda: self._transit.read_key(self.audit_key, mount_point=self.mount_point)
        )
        return dict(response_data(response, operation, "keys", "latest_version"))

    def audit_key_version(self) -> int:
        return int(self._audit_key()["latest_version"])

    def audit_public_keys(self) -> dict[int, bytes]:
        """Every version of the audit signing key: raw ed25519 public keys."""
        keys = self._audit_key()["keys"]
        return {int(v): base64.b64decode(entry["public_key"]) for v, entry in keys.items()}

    # -- audit anchors (KV v2, write-once paths) --------------------------------------------

    def put_anchor(self, tree_size: int, sth: dict[str, Any]) -> bool:
        """Write a tree head at a new path. False when the path exists already: the write-once
        policy answers 403 to what would be an update, ``cas=0`` answers 400 — the caller reads
        the path back to tell a retry from a conflict."""
        try:
            readable(
                self._client.secrets.kv.v2.create_or_update_secret(
                    path=f"{self.anchor_path}/{tree_size}",
                    secret=sth,
                    cas=0,
                    mount_point=ANCHOR_MOUNT,
                ),
                "audit anchor write",
            )
        except (hvac.exceptions.InvalidRequest, hvac.exceptions.Forbidden):
            return False
        except HVAC_FAILURES as error:
            raise translate(error, "audit anchor write") from None
        return True

    def read_anchor(self, tree_size: int) -> dict[str, Any] | None:
        try:
            response = readable(
                self._client.secrets.kv.v2.read_secret_version(
                    path=f"{self.anchor_path}/{tree_size}",
                    mount_point=ANCHOR_MOUNT,
                    raise_on_deleted_version=False,
                ),
                "audit anchor read",
            )
        except hvac.exceptions.InvalidPath:
            return None
        except HVAC_FAILURES as error:
            raise translate(error, "audit anchor read") from None
        data = response_data(response, "audit anchor read", "data")["data"]
        return dict(data) if data else None

    def anchored_sizes(self) -> list[int]:
        try:
            response = readable(
                self._client.secrets.kv.v2.list_secrets(
                    path=self.anchor_path, mount_point=ANCHOR_MOUNT
                ),
                "audit anchor listing",
            )
        except hvac.exceptions.InvalidPath:
            return []
        except HVAC_FAILURES as error:
            raise translate(error, "audit anchor listing") from None
        keys = response_data(response, "audit anchor listing", "keys")["keys"]
        return sorted(int(k) for k in keys if str(k).isdigit())

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
        return response_data(response, "signature verification", "valid")["valid"] is True

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
        digest_b64 = str(response_data(response, "blind index", "hmac")["hmac"]).rsplit(":", 1)[-1]
        return base64.b64decode(digest_b64).hex()

    def keyed_digests(
        self, values: Sequence[bytes], key_version: int | None = None
    ) -> tuple[list[str], int]:
        """HMAC-SHA256 of each value under one version of the index key (the latest when None),
        in Transit batches: (hex digests in input order, the version used)."""
        if not values:
            return [], key_version or 0
        digests: list[str] = []
        versions: set[int] = set()
        path = f"/v1/{self.mount_point}/hmac/{self.index_key}/sha2-256"
        for _, chunk in _chunks([_b64(value) for value in values], self.batch_size):
            body: dict[str, Any] = {"batch_input": [{"input": item} for item in chunk]}
            if key_version is not None:
                body["key_version"] = key_version

            def send(body: dict[str, Any] = body) -> Any:
                return self._client.adapter.post(path, json=body)

            response = self._request("blind index", send)
            results = _batch_results(response)
            if results is None or len(results) != len(chunk):
                raise unreadable("blind index")
            for result in results:
                if result.get("error") or not result.get("hmac"):
                    raise KeyServiceError("The key service refused a blind-index value")
                versions.add(_hmac_version(str(result["hmac"])))
                digests.append(_hmac_digest(str(result["hmac"])))
        if len(versions) != 1:
            raise KeyServiceError("The index key changed version during one batch")
        return digests, versions.pop()

    def rotate_index_key(self) -> int:
        """Add a version to the blind-index key; returns it. Values computed under older
        versions stay searchable until ``keys reindex`` recomputes them."""
        self._request(
            "rotation of the index key",
            lambda: self._transit.rotate_key(self.index_key, mount_point=self.mount_point),
        )
        response = self._request(
            "index key status",
            lambda: self._transit.read_key(self.index_key, mount_point=self.mount_point),
        )
        return int(response_data(response, "index key status", "latest_version")["latest_version"])


def _hmac_version(value: str) -> int:
    """The key version in a Transit HMAC (``vault:v3:…`` → 3)."""
    try:
        return int(value.split(":", 2)[1].removeprefix("v"))
    except (IndexError, ValueError):
        raise KeyServiceError("The key service returned a malformed HMAC") from None


def _hmac_digest(value: str) -> str:
    return base64.b64decode(value.rsplit(":", 1)[-1]).hex()


def _batch_results(body: object) -> list[dict[str, Any]] | None:
    """The per-item results in a Transit batch response body, if it has them."""
    if not isinstance(body, dict):
        return None
    data = body.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("batch_results"), list):
        return None
    return data["batch_results"]
