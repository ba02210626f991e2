"""Reaching Vault/OpenBao: the hvac client, AppRole login, the Transit mount."""

from __future__ import annotations

import os

import hvac
import hvac.exceptions
from requests.utils import get_environ_proxies

from service.keys.vault_calls import HVAC_FAILURES, call, readable, response_data, translate
from service.keys.vault_transport import VaultSession

TRANSIT_MOUNT = "transit"
DATA_KEY_NAME = "strongroom-data"
AUDIT_KEY_NAME = "strongroom-audit"
INDEX_KEY_NAME = "strongroom-index"
ANCHOR_MOUNT = "secret"
ANCHOR_PATH = "strongroom/audit/sth"


def build_vault_client(
    addr: str,
    *,
    token: str | None = None,
    role_id: str | None = None,
    secret_id: str | None = None,
    timeout: float = 5.0,
    approle_mount: str = "approle",
    ca_cert: str | None = None,
) -> hvac.Client:
    """An hvac client for ``addr``, authenticated by token or, failing that, by AppRole.

    Every request made through it gives up after ``timeout`` seconds. Over https the server's
    certificate is always verified: against ``ca_cert`` when given, else the system's CAs.
    """
    session = _http_session(addr, ca_cert)
    client = hvac.Client(
        url=addr, timeout=timeout, verify=session.verify, proxies=session.proxies, session=session
    )
    if token:
        client.token = token
    elif role_id and secret_id:
        login_with_approle(client, role_id=role_id, secret_id=secret_id, mount_point=approle_mount)
    else:
        raise ValueError("the key service needs a token, or an AppRole role_id and secret_id")
    return client


def _http_session(addr: str, ca_cert: str | None) -> VaultSession:
    """A requests session that reads the environment once, here, instead of on every call.

    With ``trust_env`` (requests' default) each Transit call scanned every environment
    variable for proxies (twice) and looked for a ``~/.netrc``: a quarter of the client's CPU
    per call. The proxies for ``addr`` (``HTTPS_PROXY``, ``NO_PROXY``…) and a CA bundle named
    by ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` are resolved now, as requests would have; a
    netrc never applies (Vault is reached with a token, never with netrc credentials).
    """
    session = VaultSession()
    session.trust_env = False
    session.proxies = dict(get_environ_proxies(addr))
    session.verify = (
        ca_cert or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    )
    return session


def login_with_approle(
    client: hvac.Client, *, role_id: str, secret_id: str, mount_point: str = "approle"
) -> None:
    """Log ``client`` in through AppRole (again, when its token expired)."""
    call(
        "AppRole login",
        lambda: client.auth.approle.login(
            role_id=role_id, secret_id=secret_id, use_token=True, mount_point=mount_point
        ),
    )


def ensure_transit(client: hvac.Client, *, mount_point: str = TRANSIT_MOUNT) -> None:
    """Enable the Transit engine at ``mount_point`` unless it is mounted already, and the KV v2
    engine that holds the audit anchors."""
    _ensure_engine(client, "transit", mount_point, {})
    _ensure_engine(client, "kv", ANCHOR_MOUNT, {"version": "2"})


def _ensure_engine(
    client: hvac.Client, engine: str, mount_point: str, options: dict[str, str]
) -> None:
    operation = "listing of secrets engines"
    try:
        mounts = readable(client.sys.list_mounted_secrets_engines(), operation)
    except hvac.exceptions.Forbidden:
        # A least-privilege token may not list mounts; its operator mounted Transit for it.
        return
    except HVAC_FAILURES as error:
        raise translate(error, operation) from None
    if f"{mount_point}/" not in response_data(mounts, operation):
        call(
            f"mount of the {engine} engine",
            lambda: client.sys.enable_secrets_engine(
                engine, path=mount_point, options=options or None
            ),
        )
