"""Memory benchmark: the service's resident memory, and a soak of redacted log lines.

    .venv/bin/python bench/bench_memory.py [--quick] [--lines N] [--skip-service]

1. The real server (``strongroom serve`` with the spaCy model loaded, as in production): its
   RSS after start (and one redaction, so the model is in memory) and at the end of the load
   benchmark's mixed traffic. Target: under 400 MB.
2. A soak: N log lines (1,000,000; 50,000 with --quick) through one process's logging
   pipeline (``RedactingFilter`` + the JSON formatter, the real redactor), every line with
   fresh names, emails, numbers and words, which is what makes spaCy's vocabulary and string
   store grow in long-running presidio services. RSS after a warm-up tenth vs at the end;
   target: no more than 10% growth. Baseline: the same lines through the same pipeline with
   the filter removed (formatting only), so the growth the redactor adds is visible.
"""

from __future__ import annotations

import argparse
import gc
import io
import logging
import os
import random
import string
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from bench._common import Figure, print_figures

MB = 1024 * 1024
RSS_TARGET_MB = 400.0
GROWTH_TARGET = 0.10

TEMPLATES = (
    "charge {num} for customer {first} {last} ({email}) settled after {ms} ms",
    "webhook delivery to endpoint we_{hex} failed with status {code}; retry in {ms} s",
    "Customer {first} {last} asked to pause subscription sub_tok_{hex} until {date}",
    "job charges-recurring handled {num} rows in {ms} ms on replica {word}-{num}",
    "reveal of cus_tok_{hex} by {word} for purpose ticket {num} from {first} {last}",
    "token {word}{num} rotated; {num} data keys rewrapped; phone {phone} verified",
)
FIRST = ("Amara", "Bao", "Chidi", "Dagny", "Elif", "Farid", "Greta", "Hiroshi", "Ines")


def fresh_word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 10)))


def log_line(rng: random.Random) -> str:
    return rng.choice(TEMPLATES).format(
        num=rng.randint(1, 10**9),
        first=rng.choice(FIRST) if rng.random() < 0.5 else fresh_word(rng).capitalize(),
        last=fresh_word(rng).capitalize(),
        email=f"{fresh_word(rng)}@{fresh_word(rng)}.example",
        ms=rng.randint(1, 5000),
        hex="".join(rng.choices("0123456789abcdef", k=24)),
        code=rng.choice((400, 404, 500, 502, 503)),
        date=f"2027-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        word=fresh_word(rng),
        phone=f"+1 415 555 {rng.randint(1000, 9999)}",
    )


def rss_mb(pid: int | None = None) -> float:
    return psutil.Process(pid or os.getpid()).memory_info().rss / MB


def soak(lines: int, *, redact: bool, batch: int = 1000) -> tuple[float, float, float]:
    """(RSS after a warm-up tenth, RSS at the end, seconds) for ``lines`` log lines."""
    from service.app.logging import JsonLineFormatter
    from service.redaction.log_filter import RedactingFilter
    from service.redaction.redactor import get_redactor

    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(JsonLineFormatter())
    if redact:
        handler.addFilter(RedactingFilter(get_redactor()))
    logger = logging.getLogger(f"strongroom.soak.{redact}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    rng = random.Random(20261225)
    warmup = max(lines // 10, 1)
    warm_rss = 0.0
    started = time.perf_counter()
    for n in range(lines):
        logger.info(log_line(rng))
        if n % batch == batch - 1:
            sink.seek(0)
            sink.truncate()
        if n == warmup - 1:
            gc.collect()
            warm_rss = rss_mb()
    elapsed = time.perf_counter() - started
    gc.collect()
    return warm_rss, rss_mb(), elapsed


def service_memory(quick: bool) -> list[Figure]:
    from bench.bench_load import run

    seen: dict[str, float] = {}

    def observe(server: object, phase: str) -> None:
        if phase == "started":
            server.call(
                "POST",
                "/v1/redact",
                who="service",  # type: ignore[attr-defined]
                json={"text": "Amara Okafor wrote from amara@example.com"},
            )
        seen[phase] = rss_mb(server.pid)  # type: ignore[attr-defined]

    _, checks = run(quick=quick, observe=observe)
    if not checks.passed:
        print(f"warning: the load's checks failed: {checks}")
    return [
        Figure(
            "service RSS after start (model loaded)", seen["started"], "MB", "target", RSS_TARGET_MB
        ),
        Figure("service RSS after the load test", seen["loaded"], "MB", "target", RSS_TARGET_MB),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 soak lines, quick load (CI)")
    parser.add_argument("--lines", type=int, default=None, help="soak lines")
    parser.add_argument("--skip-service", action="store_true", help="the soak only")
    args = parser.parse_args()
    lines = args.lines or (50_000 if args.quick else 1_000_000)

    figures: list[Figure] = []
    if not args.skip_service:
        figures += service_memory(args.quick)
    base_warm, base_end, base_seconds = soak(lines, redact=False)
    warm, end, seconds = soak(lines, redact=True)
    growth = (end - warm) / warm if warm else 0.0
    base_growth = (base_end - base_warm) / base_warm if base_warm else 0.0
    figures += [
        Figure(
            f"soak RSS growth, {lines:,} redacted lines",
            growth * 100,
            "%",
            "formatting only, same lines",
            base_growth * 100,
        ),
        Figure("soak RSS at the end", end, "MB", "formatting only", base_end),
        Figure(
            "soak lines per second (redacted)",
            lines / seconds,
            "/s",
            "formatting only",
            lines / base_seconds,
        ),
    ]
    print_figures("memory: service RSS and a redacted-log soak", figures)
    over = [
        f.name
        for f in figures
        if f.unit == "MB" and f.baseline_name == "target" and f.value > RSS_TARGET_MB
    ]
    if over or growth > GROWTH_TARGET:
        print(f"memory targets MISSED: rss over target {over}, soak growth {growth:.1%}")
        sys.exit(1)
    print("memory targets met")


if __name__ == "__main__":
    main()
