"""The image's runtime stage, run natively: Strongroom's wheel built the way the Dockerfile's
build stage builds it, installed the way its runtime stage installs it, started with its CMD.

What cannot run here is said where it is skipped: the build stage's hash-checked download of
the lock's wheels (no index is reached in tests: the runtime dependencies come from this test
run's environment instead, see runtime_env.py) and the user creation (root-only, changes the
machine).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.dockerfile import Stage, exec_form, shell_steps, stages
from tests.deploy.runtime_env import add_site, link_runtime_site

ROOT = Path(__file__).resolve().parents[2]
IMAGE_VENV = "/opt/strongroom"
IMAGE_WHEELS = "/wheels"


@dataclass
class ImageEnv:
    """The runtime stage's virtual environment, installed natively under ``root``."""

    root: Path
    venv: Path
    wheel: Path
    runtime: Stage

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The image's ENV (paths moved under ``root``) and nothing of this test run's."""
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("STRONGROOM_", "PYTHON", "VIRTUAL_ENV", "BAO_", "VAULT_"))
        }
        for name, value in self.runtime.env().items():
            value = value.replace("$PATH", env.get("PATH", "/usr/bin:/bin"))
            env[name] = self.relocate(value)
        env.update(extra or {})
        return env

    def relocate(self, text: str) -> str:
        for absolute in (IMAGE_VENV, "/var/lib/strongroom", "/run/strongroom", "/tmp"):
            text = text.replace(absolute, str(self.root / absolute.lstrip("/")))
        return text

    def run(
        self, *args: str, env: Mapping[str, str] | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.root,  # never the checkout: `service` must come from the wheel
            env=self.environment(env),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
        )


def _sh(command: str, *, cwd: Path) -> None:
    result = subprocess.run(
        command, shell=True, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="session")
def image_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImageEnv]:
    build, runtime = stages()
    root = tmp_path_factory.mktemp("image")
    src, wheels = root / "src", root / "wheels"
    for directory in ("var/lib/strongroom", "run/strongroom", "tmp"):
        (root / directory).mkdir(parents=True)

    # Build stage: COPY what it copies, then its last RUN builds Strongroom's wheel.
    src.mkdir()
    for args in build.all("COPY"):
        *sources, _ = args.split()
        for source in sources:
            copy = shutil.copytree if (ROOT / source).is_dir() else shutil.copy2
            copy(ROOT / source, src / source)
    wheel_step = shell_steps(build.all("RUN")[-1])[-1]
    assert wheel_step.startswith("pip wheel ") and "--no-deps" in wheel_step
    pip = f"{sys.executable} -m pip"
    _sh(wheel_step.replace("pip ", f"{pip} ", 1).replace(IMAGE_WHEELS, str(wheels)), cwd=src)
    [wheel] = wheels.glob("strongroom-*.whl")

    # Runtime stage: its install RUN, step by step, with the runtime dependencies made visible
    # between creating the environment and installing into it.
    install_run = next(r for r in runtime.all("RUN") if "python -m venv" in r)
    steps = shell_steps(install_run)
    venv = root / IMAGE_VENV.lstrip("/")
    relocate = {IMAGE_VENV: str(venv), IMAGE_WHEELS: str(wheels)}
    for number, step in enumerate(steps):
        for image_path, here in relocate.items():
            step = step.replace(image_path, here)
        if step.startswith("python "):
            step = f"{Path(sys.executable).resolve()} {step.removeprefix('python ')}"
        _sh(step, cwd=root)
        if number == 0:
            add_site(venv / "bin" / "python", link_runtime_site(wheel, root / "runtime-deps"))
    yield ImageEnv(root=root, venv=venv, wheel=wheel, runtime=runtime)


@pytest.fixture
def image_cmd(image_env: ImageEnv) -> list[str]:
    return exec_form(image_env.runtime.one("CMD"))
