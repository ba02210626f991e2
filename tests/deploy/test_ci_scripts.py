"""CI's scripts: a failed install stops .ci/setup loudly and leaves no stamp (so the next run
installs again), and .ci/run lints before it tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.deploy.conftest import ROOT


def fake_venv_python(tree: Path, real_python: str, failing: str) -> None:
    """A .venv whose pip fails the install named by ``failing`` and does nothing otherwise;
    every other use of python is the test run's real interpreter (so the import check passes,
    as it did when a failed install was hidden). A fake: no real index can be made to fail an
    install on cue, and the real environment must not be touched."""
    bin_dir = tree / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "python"
    script.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *"{failing}"*) echo "ERROR: simulated failure of $*" >&2; exit 1;; esac\n'
        'case "$*" in "-m pip"*) exit 0;; esac\n'
        f'exec {real_python} "$@"\n'
    )
    script.chmod(0o755)


def test_a_failed_install_stops_setup_and_writes_no_stamp(tmp_path: Path) -> None:
    for name in ("requirements.lock", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / ".ci", tmp_path / ".ci")
    fake_venv_python(tmp_path, sys.executable, "-r requirements.lock")

    result = subprocess.run(
        ["bash", str(tmp_path / ".ci" / "setup")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    assert result.returncode != 0
    assert "simulated failure" in result.stderr
    assert "setup: FAILED: pip install --require-hashes" in result.stderr
    assert not (tmp_path / ".venv" / ".strongroom-lock.sha256").exists()


def test_no_install_failure_is_swallowed_in_the_scripts() -> None:
    setup = (ROOT / ".ci" / "setup").read_text()
    for line in setup.splitlines():
        if "pip install" in line or "apt-get install" in line:
            assert "|| true" not in line, line


def test_ci_runs_ruff_check_and_format_check_before_the_tests() -> None:
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    lint = commands.index(".venv/bin/ruff check .")
    formatting = commands.index(".venv/bin/ruff format --check .")
    tests = commands.index(".venv/bin/python -m pytest")
    assert commands.index("bash .ci/setup --test") < lint < formatting < tests
    assert commands[0] == "set -euo pipefail"
