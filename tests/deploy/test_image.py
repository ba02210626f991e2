"""The Dockerfile's structure (no Docker engine runs here; the runtime stage's install and
start commands are run natively by the tests beside this one)."""

from __future__ import annotations

import re
import tomllib

from tests.deploy.conftest import ROOT
from tests.deploy.dockerfile import exec_form, shell_steps, stages


def extras() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["optional-dependencies"]


def test_two_stages_build_wheels_hash_checked_and_the_runtime_is_slim() -> None:
    build, runtime = stages()
    assert build.name == "build" and runtime.name == "runtime"
    [locked] = [run for run in build.all("RUN") if "requirements.lock" in run]
    assert "--require-hashes" in locked and "--no-deps" in locked
    assert runtime.base == build.base == "${PYTHON_IMAGE}"
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"ARG PYTHON_IMAGE=python:3\.11-slim", text)


def test_the_runtime_stage_installs_strongroom_without_extras_compilers_or_test_tools() -> None:
    _, runtime = stages()
    runs = " ".join(runtime.all("RUN"))
    for tool in ("apt-get", "gcc", "build-essential", "make "):
        assert tool not in runs
    forbidden = {
        re.split(r"[<>=\[ ]", name)[0].lower() for names in extras().values() for name in names
    }
    forbidden -= {"httpx"}  # also a runtime dependency (webhook delivery)
    installs = [step for step in shell_steps(runs) if " install " in step]
    assert installs == [
        "/opt/strongroom/bin/pip install --no-cache-dir --no-index --find-links=/wheels strongroom"
    ]
    assert not [name for name in forbidden if re.search(rf"\b{re.escape(name)}\b", runs.lower())]
    assert "[" not in installs[0]  # no extra
    # The wheels come in through a bind mount of the build stage, never copied into a layer.
    assert runtime.all("RUN")[0].startswith("--mount=type=bind,from=build,source=/wheels")
    assert not [c for c in runtime.all("COPY") if "/wheels" in c]
    assert "pip uninstall --yes pip" in runs


def test_the_runtime_runs_unprivileged_with_a_healthcheck_and_a_stop_signal() -> None:
    _, runtime = stages()
    user = runtime.one("USER")
    assert user.split(":")[0] not in ("0", "root")
    assert "--uid " + user.split(":")[0] in " ".join(runtime.all("RUN"))
    healthcheck = runtime.one("HEALTHCHECK")
    assert "/readyz" in healthcheck and "--timeout=" in healthcheck
    exec_form(healthcheck.split(" CMD ", 1)[1])
    assert runtime.one("STOPSIGNAL") == "SIGTERM"
    assert exec_form(runtime.one("CMD"))[:2] == ["strongroom", "serve"]
    env = runtime.env()
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"  # nothing written next to the code
    assert env["PATH"].startswith("/opt/strongroom/bin:")


def test_the_build_context_leaves_out_secrets_and_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", ".env", ".strongroom", "tests", "deploy/openbao/tls"):
        assert entry in ignored
