"""Every benchmark script answers --help, and ``bench/run --list`` lists every one of them
(running them is for ``bench/run``, not for CI: too slow)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "bench").glob("bench_*.py"))


def test_the_benchmarks_this_issue_adds_exist() -> None:
    assert {"bench_load.py", "bench_memory.py"} <= {s.name for s in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.name)
def test_each_benchmark_script_answers_help(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""},
    )
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout


def test_bench_run_lists_every_benchmark_script() -> None:
    done = subprocess.run(
        [str(ROOT / "bench" / "run"), "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    listed = set(done.stdout.split())
    assert listed == {f"bench/{s.name}" for s in SCRIPTS}
