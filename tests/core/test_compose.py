"""docker-compose.yml: the production-like stack is described, with healthchecks, and takes
every secret from the environment (no Docker engine here, so its structure is checked)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
SECRET_NAMES = re.compile(r"(PASSWORD|TOKEN|SECRET|API_KEY|DATABASE_URL)", re.IGNORECASE)


def load() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_the_stack_names_every_component() -> None:
    services = load()["services"]
    assert {"postgres", "openbao", "localstripe", "strongroom"} <= set(services)
    assert services["localstripe"]["profiles"] == ["sandbox"]


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name, service in load()["services"].items():
        if service.get("restart") == "no":
            continue  # a one-shot
        assert "test" in service.get("healthcheck", {}), name


def test_openbao_uses_persistent_storage_not_dev_mode() -> None:
    import json

    openbao = load()["services"]["openbao"]
    assert "-dev" not in " ".join(openbao["command"])
    config = json.loads(openbao["environment"]["BAO_LOCAL_CONFIG"])
    assert config["storage"]["raft"]["path"] == "/openbao/data"


def test_openbao_speaks_tls_and_strongroom_verifies_it_against_the_local_ca() -> None:
    import json

    services = load()["services"]
    config = json.loads(services["openbao"]["environment"]["BAO_LOCAL_CONFIG"])
    [listener] = config["listener"]
    assert "tls_disable" not in listener["tcp"]
    assert listener["tcp"]["tls_cert_file"].startswith("/openbao/tls/")
    assert config["api_addr"].startswith("https://")
    assert "--ca-certificate=" in services["openbao"]["healthcheck"]["test"][1]
    for name in ("strongroom", "vault-setup"):
        environment = services[name]["environment"]
        assert environment["STRONGROOM_VAULT_ADDR"].startswith("https://"), name
        ca = environment["STRONGROOM_VAULT_CA_CERT"]
        assert any(v.endswith(f":{ca}:ro") for v in services[name]["volumes"]), name


def test_the_image_is_built_and_runs_read_only_without_privileges() -> None:
    services = load()["services"]
    for name in ("strongroom", "vault-setup"):
        service = services[name]
        assert service["build"] == "." and service["image"] == "strongroom:local"
        assert service["read_only"] is True and service["tmpfs"] == ["/tmp"]
        assert service["cap_drop"] == ["ALL"]
        assert "command" not in service or service["command"][0] == "strongroom"
    assert "python:3.11-slim" not in str(services["strongroom"])  # no install at start


def test_vault_setup_is_a_one_shot_that_hands_the_approle_to_serve_through_a_volume() -> None:
    services = load()["services"]
    setup, strongroom = services["vault-setup"], services["strongroom"]
    assert setup["command"][:3] == ["strongroom", "vault", "setup"]
    approle_file = setup["command"][setup["command"].index("--approle-file") + 1]
    assert setup["restart"] == "no" and setup["profiles"] == ["setup"]
    assert setup["depends_on"]["openbao"]["condition"] == "service_healthy"
    assert "STRONGROOM_VAULT_OPERATOR_TOKEN" in setup["environment"]
    assert strongroom["environment"]["STRONGROOM_VAULT_APPROLE_FILE"] == approle_file
    assert "approle:/run/strongroom:ro" in strongroom["volumes"]
    assert "approle:/run/strongroom" in setup["volumes"]
    for forbidden in ("STRONGROOM_VAULT_TOKEN", "STRONGROOM_VAULT_OPERATOR_TOKEN"):
        assert forbidden not in strongroom["environment"]  # serve holds the AppRole only


def test_strongroom_waits_for_healthy_dependencies_and_serves_on_loopback() -> None:
    strongroom = load()["services"]["strongroom"]
    assert strongroom["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert strongroom["depends_on"]["openbao"]["condition"] == "service_healthy"
    assert all(port.startswith("127.0.0.1:") for port in strongroom["ports"])


def test_no_secret_value_is_hard_coded() -> None:
    for name, service in load()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAMES.search(key):
                assert isinstance(value, str) and value.startswith("${"), (name, key)
