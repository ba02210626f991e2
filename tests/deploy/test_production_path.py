"""The production path, end to end on real parts: an OpenBao on persistent storage (not dev
mode) behind TLS from deploy/openbao/make-local-tls.sh, set up by `strongroom vault setup`
(twice: the second run changes nothing), then the image's CMD serving on PostgreSQL with the
AppRole only — from the wheel installed without extras, as in the image."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import hvac
import psycopg
import pytest

from service.devstack import free_port
from service.devstack.openbao import PersistentOpenBao, ServerTls
from service.keys.errors import KeyServiceUnavailable
from service.keys.transit import TransitKeyService, build_vault_client
from tests.conftest import PG_ADMIN_DSN, require_postgres
from tests.deploy.conftest import ROOT, ImageEnv
from tests.deploy.dockerfile import exec_form

MAKE_TLS = ROOT / "deploy" / "openbao" / "make-local-tls.sh"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> ServerTls:
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the local CA (deploy/openbao/make-local-tls.sh)")
    directory = tmp_path_factory.mktemp("tls") / "tls"
    subprocess.run(["bash", str(MAKE_TLS), str(directory)], check=True, capture_output=True)
    return ServerTls(
        cert_file=directory / "openbao.pem",
        key_file=directory / "openbao-key.pem",
        ca_file=directory / "ca.pem",
    )


@pytest.fixture(scope="module")
def production_openbao(
    tmp_path_factory: pytest.TempPathFactory, tls: ServerTls
) -> Iterator[PersistentOpenBao]:
    server = PersistentOpenBao(
        tmp_path_factory.mktemp("bao"), free_port(), tls=tls, cluster_port=free_port()
    )
    server.start()  # initialised (one unseal share) and unsealed: what an operator does
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    require_postgres()
    name = f"strongroom_prod_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def vault_env(bao: PersistentOpenBao, tls: ServerTls) -> dict[str, str]:
    return {"STRONGROOM_VAULT_ADDR": bao.addr, "STRONGROOM_VAULT_CA_CERT": str(tls.ca_file)}


def test_vault_setup_is_idempotent_and_serve_runs_with_the_approle_only(
    image_env: ImageEnv,
    production_openbao: PersistentOpenBao,
    tls: ServerTls,
    empty_postgres_database: str,
) -> None:
    bao = production_openbao
    approle_file = image_env.root / "run" / "strongroom" / "approle.json"
    operator = {**vault_env(bao, tls), "STRONGROOM_VAULT_OPERATOR_TOKEN": bao.token}

    first = image_env.run(
        "strongroom", "vault", "setup", "--approle-file", str(approle_file), env=operator
    )
    assert first.returncode == 0, first.stderr
    for step in (
        "transit engine at transit/: mounted",
        "kv engine at secret/: mounted",
        "key strongroom-data (aes256-gcm96): created",
        "key strongroom-audit (ed25519): created",
        "policy strongroom-serving: written",
        "policy strongroom-operator: written",
        "AppRole strongroom (policy strongroom-serving): created",
        f"secret id written to {approle_file} (0600)",
    ):
        assert step in first.stdout, first.stdout
    assert approle_file.stat().st_mode & 0o777 == 0o600
    credentials = json.loads(approle_file.read_text())
    assert credentials["secret_id"] not in first.stdout

    second = image_env.run(
        "strongroom", "vault", "setup", "--approle-file", str(approle_file), env=operator
    )
    assert second.returncode == 0, second.stderr
    steps = second.stdout.split("STRONGROOM_VAULT_ROLE_ID=")[0].splitlines()
    assert steps and all(line.endswith(": already there") for line in steps), second.stdout
    assert "not issued again" in second.stdout
    assert json.loads(approle_file.read_text()) == credentials
    assert f"STRONGROOM_VAULT_ROLE_ID={credentials['role_id']}" in second.stdout

    # TLS is verified: without the CA, the key service is unreachable (fail closed).
    unverified = build_vault_client(bao.addr, token=bao.token)
    with pytest.raises(KeyServiceUnavailable):
        TransitKeyService(unverified).check()

    port = free_port()
    serving = {
        **vault_env(bao, tls),
        "STRONGROOM_VAULT_APPROLE_FILE": str(approle_file),
        "STRONGROOM_DATABASE_URL": empty_postgres_database,
        "STRONGROOM_STRIPE_API_KEY": "sk_test_not_used_here",
        "STRONGROOM_AUDIT_SEQUENCE_DELAY_MS": "0",
        "STRONGROOM_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = exec_form(image_env.runtime.one("CMD"))
    assert command[:2] == ["strongroom", "serve"]
    command = [c if c != "0.0.0.0" else "127.0.0.1" for c in command]
    command[command.index("--port") + 1] = str(port)
    log = (image_env.root / "tmp" / "serve.log").open("wb")
    server = subprocess.Popen(
        [str(image_env.bin / command[0]), *command[1:]],
        cwd=image_env.root,
        env=image_env.environment(serving),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server, image_env.root / "tmp" / "serve.log")
        healthcheck = exec_form(image_env.runtime.one("HEALTHCHECK").split(" CMD ", 1)[1])
        healthcheck = [part.replace(":8000/", f":{port}/") for part in healthcheck]
        probe = subprocess.run(
            [str(image_env.bin / healthcheck[0]), *healthcheck[1:]],
            env=image_env.environment(),
            capture_output=True,
            timeout=30,
        )
        assert probe.returncode == 0, probe.stderr

        admin = image_env.run(
            "strongroom", "principals", "create", "ops-admin", "--role", "admin", env=serving
        )
        assert admin.returncode == 0, admin.stderr
        key = next(word for word in admin.stdout.split() if word.startswith("srk_"))
        headers = {"Authorization": f"Bearer {key}"}
        created = httpx.post(
            f"{base}/v1/customers",
            headers=headers,
            json={"name": "Grace Hopper", "email": "grace@example.com"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        revealed = httpx.get(
            f"{base}/v1/customers/{created.json()['id']}/reveal?fields=email",
            headers={**headers, "X-Purpose": "production path test"},
            timeout=30,
        )
        assert revealed.json()["fields"] == {"email": "grace@example.com"}
        verified = httpx.get(f"{base}/v1/audit/verify", headers=headers, timeout=30).json()
        assert verified["ok"] is True, verified
        assert verified["anchors"]["latest_tree_size"] >= 1  # anchored with the AppRole

        # Rotation is the operator's (refused without the operator token: tests/customers/
        # test_keys_cli.py): an operator-policy token rotates, rewraps, retires and trims.
        rotated = image_env.run(
            "strongroom",
            "keys",
            "rotate",
            "--retire",
            env={**serving, "STRONGROOM_VAULT_OPERATOR_TOKEN": operator_token(bao, tls)},
        )
        assert rotated.returncode == 0, rotated.stdout + rotated.stderr
        assert "1 rewrapped" in rotated.stdout and "trimmed" in rotated.stdout
        again = httpx.get(
            f"{base}/v1/customers/{created.json()['id']}/reveal?fields=email",
            headers={**headers, "X-Purpose": "after rotation"},
            timeout=30,
        )
        assert again.json()["fields"] == {"email": "grace@example.com"}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    # SIGTERM (the image's STOPSIGNAL) is a clean stop: uvicorn finishes, then re-raises it.
    assert server.returncode in (0, -15)
    assert "Application shutdown complete." in (image_env.root / "tmp" / "serve.log").read_text()


def operator_token(bao: PersistentOpenBao, tls: ServerTls) -> str:
    """A token with the shipped operator policy only, as an operator would be given."""
    root = hvac.Client(url=bao.addr, token=bao.token, verify=str(tls.ca_file), timeout=5)
    created = root.auth.token.create(policies=["strongroom-operator"], ttl="10m")
    return str(created["auth"]["client_token"])


def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"strongroom serve exited:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"strongroom serve never became ready:\n{log.read_text()[-4000:]}")
