"""The key service for the demo: the configured one if it answers, else the embedded one.

With ``strongroom dev`` running (or any Vault/OpenBao at STRONGROOM_VAULT_ADDR), the demo uses
it; the token comes from STRONGROOM_VAULT_TOKEN or, for the embedded default, from the
persistent OpenBao's own init file under the data directory. When nothing answers at that
address and it is a loopback address, the demo starts the embedded persistent OpenBao itself
(the same storage ``strongroom dev`` uses) and stops it when it is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from service.app.bootstrap import build_key_service
from service.cli_support import fail
from service.core.config import Settings
from service.devstack.openbao import PersistentOpenBao, health_status

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@contextmanager
def demo_key_service(settings: Settings) -> Iterator[Any]:
    address = urlsplit(settings.vault_addr)
    port = address.port or 8200
    embedded = PersistentOpenBao(settings.data_dir, port)
    started = None
    if health_status(settings.vault_addr) is None:
        if address.hostname not in LOOPBACK:
            fail(f"the key service at {settings.vault_addr} does not answer")
        started = embedded.start()
    try:
        if settings.vault_token is None and settings.vault_role_id is None:
            if not embedded.init_path.exists():
                fail(
                    "no STRONGROOM_VAULT_TOKEN and no embedded OpenBao under the data "
                    "directory: run `strongroom dev` once, or set the token"
                )
            settings = settings.model_copy(update={"vault_token": SecretStr(embedded.token)})
        key_service = build_key_service(settings)
        key_service.ensure_keys()
        yield key_service
    finally:
        if started is not None:
            started.stop()
