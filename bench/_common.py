"""What the benchmark scripts share: a temporary OpenBao, databases, a results table."""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg

PG_ADMIN_DSN = os.environ.get("STRONGROOM_TEST_PG_DSN", "host=127.0.0.1 port=5432 dbname=test")


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline: float

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")


FIGURES_SINK_ENV = "STRONGROOM_BENCH_FIGURES"


def record_figures(title: str, figures: list[Figure]) -> None:
    """Append the figures as JSON lines to the file named by $STRONGROOM_BENCH_FIGURES (set by
    ``bench/run`` to print one table of every benchmark); nothing when it is not set."""
    sink = os.environ.get(FIGURES_SINK_ENV)
    if not sink:
        return
    with open(sink, "a", encoding="utf-8") as handle:
        for f in figures:
            row = {
                "bench": title,
                "name": f.name,
                "value": f.value,
                "unit": f.unit,
                "baseline_name": f.baseline_name,
                "baseline": f.baseline,
            }
            handle.write(json.dumps(row) + "\n")


def print_figures(title: str, figures: list[Figure]) -> None:
    record_figures(title, figures)
    print(f"\n{title}")
    print(f"{'figure':<44} {'value':>14} {'baseline':<34} {'value':>14} {'ratio':>7}")
    for f in figures:
        print(
            f"{f.name:<44} {f.value:>10,.1f} {f.unit:<3} {f.baseline_name:<34} "
            f"{f.baseline:>10,.1f} {f.unit:<3} {f.ratio:>6.2f}x"
        )


@contextlib.contextmanager
def timer() -> Iterator[list[float]]:
    box: list[float] = []
    start = time.perf_counter()
    yield box
    box.append(time.perf_counter() - start)


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for one run, or None when the server is not reachable."""
    name = f"strongroom_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        yield None
        return
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
