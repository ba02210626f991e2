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
        assert "test" in service.get("healthcheck", {}), name


def test_openbao_uses_persistent_storage_not_dev_mode() -> None:
    import json

    openbao = load()["services"]["openbao"]
    assert "-dev" not in " ".join(openbao["command"])
    config = json.loads(openbao["environment"]["BAO_LOCAL_CONFIG"])
    assert config["storage"]["raft"]["path"] == "/openbao/data"


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
