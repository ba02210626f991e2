"""Redaction throughput and quality: Strongroom's redactor against plain presidio.

Runs on one labelled corpus (tests/redaction/corpus.py) in one process:
  - the in-process `Redactor.redact_many` (batches of 256),
  - `strongroom redact`-equivalent streaming (`redact_files` from a file to /dev/null),
  - presidio `AnalyzerEngine.analyze`, one line at a time,
  - presidio `BatchAnalyzerEngine.analyze_iterator` (nlp.pipe underneath),
both presidio engines with the same spaCy model package and presidio's default recognisers
and threshold. Prints lines per second, recall per entity and the over-redaction rate (the
share of protected values - tokens, UUIDs, ids, timestamps, amounts, epoch milliseconds,
Luhn-failing numbers, product names - that any finding touches). Figures only, no asserts.

    .venv/bin/python bench/bench_redaction.py [--quick] [--lines N] [--presidio-lines N]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import service.redaction  # noqa: F401 - keeps tldextract offline before presidio loads
from service.redaction.policy import load_policy
from service.redaction.redactor import Redactor
from service.redaction.stream import redact_files
from tests.redaction.corpus import Sample, Scores, Span, billing_corpus, score
from tests.redaction.heldout.evaluate import Findings as Spans
from tests.redaction.heldout.evaluate import evaluate, findings_of, labelled_kinds, load_heldout
from tests.redaction.multicultural import NAME_TEMPLATES, NAMES, STREET_TEMPLATES, STREETS

# CPU seconds of each timed run, by its label: on a machine shared with other work, wall
# time measures the neighbours too; this process's CPU time does not.
CPU: dict[str, float] = {}


def timed(run: Callable[[], Spans], label: str = "") -> tuple[float, Spans]:
    # Both engines share this process, and each loaded a spaCy model: a full collection that
    # falls inside one timed run would walk the other's objects too. Collect before each.
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    spans = run()
    if label:
        CPU[label] = time.process_time() - cpu
    return time.perf_counter() - started, spans


def cold(redactor: Redactor) -> None:
    """Forget the NER results of windows seen before: each timed run meets its windows fresh
    (repeats within the run still hit the cache, as they would in a log)."""
    redactor.detector.ner_model.clear_cache()  # type: ignore[attr-defined]


def strongroom_in_process(redactor: Redactor, texts: list[str]) -> Spans:
    cold(redactor)
    return findings_of(redactor, texts)


def strongroom_streaming(redactor: Redactor, path: Path, count: int) -> Spans:
    cold(redactor)
    with open(os.devnull, "w", encoding="utf-8") as sink:
        written = redact_files([path], sink, redactor, progress=False)
    if written != count:
        raise SystemExit(f"streaming wrote {written} lines for {count}")
    return []


def presidio_engines(model: str):  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    nlp_engine = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": model}],
        }
    ).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
    return analyzer, BatchAnalyzerEngine(analyzer_engine=analyzer)


def multicultural_slice() -> list[Sample]:
    """The hand-made names and streets of many cultures, in their sentences."""
    samples = []
    for values, templates, entity in (
        (NAMES, NAME_TEMPLATES, "PERSON"),
        (STREETS, STREET_TEMPLATES, "LOCATION"),
    ):
        for template in templates:
            for value in values:
                line = template.format(value)
                start = line.index(value)
                samples.append(Sample(line, (Span(entity, start, start + len(value)),)))
    return samples


def row(name: str, lines: int, seconds: float, scores: Scores | None) -> str:
    rate = lines / seconds
    if scores is None:
        return f"{name:<38} {lines:>6} {rate:>10.0f} {'(same findings as above)':>40}"
    recall = scores.recall["ALL"]
    person = scores.recall.get("PERSON", float("nan"))
    over = scores.over_redaction
    return f"{name:<38} {lines:>6} {rate:>10.0f} {recall:>9.3f} {person:>9.3f} {over:>11.4f}"


def per_entity(name: str, scores: Scores) -> str:
    parts = [f"{entity}={value:.3f}" for entity, value in sorted(scores.recall.items())]
    return f"  {name}: " + " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpus, for CI (< 60 s)")
    parser.add_argument("--lines", type=int, help="corpus size for Strongroom")
    parser.add_argument("--presidio-lines", type=int, help="corpus prefix run through presidio")
    args = parser.parse_args()
    lines = args.lines or (1500 if args.quick else 12000)
    presidio_lines = min(lines, args.presidio_lines or (300 if args.quick else 3000))

    corpus: list[Sample] = billing_corpus(lines)
    texts = [sample.text for sample in corpus]
    policy = load_policy()
    print(f"corpus: {lines} lines ({sum(bool(s.pii) for s in corpus)} with personal data); "
          f"presidio runs on the first {presidio_lines}")  # fmt: skip

    started = time.perf_counter()
    redactor = Redactor(policy)
    redactor.redact_many(["warm-up line for Zhang Wei at 10.0.0.1"])
    # The NER model loads in a background thread, which may still be importing spaCy when
    # presidio imports it below (two threads importing one package can fail): wait for it.
    redactor.detector.ner_model  # noqa: B018 - waits for the model
    print(f"Strongroom redactor start-up: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    analyzer, batch = presidio_engines(policy.nlp.model)
    analyzer.analyze("warm-up line for Zhang Wei at 10.0.0.1", language="en")
    print(f"presidio start-up: {time.perf_counter() - started:.2f} s")

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "corpus.log"
        path.write_text("".join(text + "\n" for text in texts), encoding="utf-8")
        ours_seconds, ours_spans = timed(
            lambda: strongroom_in_process(redactor, texts), "in-process"
        )
        stream_seconds, _ = timed(
            lambda: strongroom_streaming(redactor, path, len(texts)), "streaming"
        )

    subset = texts[:presidio_lines]
    single_seconds, single_spans = timed(
        lambda: [
            [(r.start, r.end) for r in analyzer.analyze(text, language="en")] for text in subset
        ]
    )
    batch_seconds, batch_spans = timed(
        lambda: [
            [(r.start, r.end) for r in results]
            for results in batch.analyze_iterator(subset, language="en", batch_size=64)
        ],
        "presidio batched",
    )

    ours = score(corpus, ours_spans)
    ours_on_subset = score(corpus[:presidio_lines], ours_spans[:presidio_lines])
    single = score(corpus[:presidio_lines], single_spans)
    batched = score(corpus[:presidio_lines], batch_spans)

    header = f"{'engine':<38} {'lines':>6} {'lines/s':>10} {'recall':>9} {'PERSON':>9} {'over-redact':>11}"  # noqa: E501
    print()
    print(header)
    print("-" * len(header))
    print(row("strongroom Redactor (in-process)", lines, ours_seconds, ours))
    print(row("strongroom redact (streaming a file)", lines, stream_seconds, None))
    print(row("  strongroom on presidio's subset", presidio_lines, ours_seconds, ours_on_subset)
          .replace(f"{presidio_lines / ours_seconds:>10.0f}", f"{'':>10}"))  # fmt: skip
    print(row("presidio AnalyzerEngine (one by one)", presidio_lines, single_seconds, single))
    print(row("presidio BatchAnalyzerEngine", presidio_lines, batch_seconds, batched))
    print()
    ratio = (lines / ours_seconds) / (presidio_lines / batch_seconds)
    stream_ratio = (lines / stream_seconds) / (presidio_lines / batch_seconds)
    print(f"speed-up vs presidio batched: in-process {ratio:.1f}x, streaming {stream_ratio:.1f}x "
          f"(target >= 20x)")  # fmt: skip
    presidio_cpu_rate = presidio_lines / CPU["presidio batched"]
    print(
        f"by CPU time (lines per CPU second): in-process {lines / CPU['in-process']:.0f}, "
        f"streaming {lines / CPU['streaming']:.0f}, presidio batched {presidio_cpu_rate:.0f}; "
        f"speed-up {lines / CPU['in-process'] / presidio_cpu_rate:.1f}x"
    )
    from bench._common import Figure, record_figures

    presidio_rate = presidio_lines / batch_seconds
    record_figures(
        "Redaction",
        [
            Figure(
                "redactor lines/s (in-process)",
                lines / ours_seconds,
                "/s",
                "presidio BatchAnalyzerEngine",
                presidio_rate,
            ),
            Figure(
                "strongroom redact lines/s (streaming)",
                lines / stream_seconds,
                "/s",
                "presidio BatchAnalyzerEngine",
                presidio_rate,
            ),
            Figure(
                "redactor recall (all entities)",
                ours.recall["ALL"],
                "",
                "presidio recall",
                batched.recall["ALL"],
            ),
        ],
    )
    print("recall per entity:")
    print(per_entity("strongroom", ours))
    print(per_entity("strongroom (subset)", ours_on_subset))
    print(per_entity("presidio single", single))
    print(per_entity("presidio batched", batched))
    hand_made = multicultural_slice()
    hand_texts = [sample.text for sample in hand_made]
    ours_hand = score(hand_made, strongroom_in_process(redactor, hand_texts))
    presidio_hand = score(
        hand_made,
        [
            [(r.start, r.end) for r in results]
            for results in batch.analyze_iterator(hand_texts, language="en", batch_size=64)
        ],
    )
    print("hand-made slice of names and streets of many cultures (recall):")
    for name, scores in (("strongroom", ours_hand), ("presidio", presidio_hand)):
        person, location = scores.recall["PERSON"], scores.recall["LOCATION"]
        print(f"  {name:<11} PERSON={person:.3f} ({scores.found['PERSON']}/"
              f"{scores.total['PERSON']}) street LOCATION={location:.3f} "
              f"({scores.found['LOCATION']}/{scores.total['LOCATION']})")  # fmt: skip
    held_out(redactor, batch, presidio_lines)
    print(
        f"protected values touched: strongroom {ours.damaged}/{ours.protected}, "
        f"presidio single {single.damaged}/{single.protected}, "
        f"presidio batched {batched.damaged}/{batched.protected}"
    )


def held_out(redactor: Redactor, batch, presidio_lines: int) -> None:  # type: ignore[no-untyped-def]
    """The frozen held-out set (tests/redaction/heldout): both engines on the same lines."""
    samples = load_heldout()
    texts = [sample.text for sample in samples]
    seconds, spans = timed(lambda: strongroom_in_process(redactor, texts), "held-out")
    subset = texts[:presidio_lines]
    presidio_seconds, presidio_spans = timed(
        lambda: [
            [(r.start, r.end) for r in results]
            for results in batch.analyze_iterator(subset, language="en", batch_size=64)
        ],
        "held-out presidio",
    )
    print(f"held-out set ({len(texts)} lines; presidio on the first {len(subset)}):")
    for name, report, rate in (
        ("strongroom", evaluate(samples, spans), len(texts) / seconds),
        ("  same subset", evaluate(samples[: len(subset)], spans[: len(subset)]), None),
        (
            "presidio",
            evaluate(samples[: len(subset)], presidio_spans),
            len(subset) / presidio_seconds,
        ),
    ):
        per_entity = " ".join(f"{k}={v.recall:.3f}" for k, v in report.entities.items())
        speed = f"{rate:>7.0f} lines/s" if rate else " " * 15
        print(
            f"  {name:<13} {speed} recall {report.recall.recall:.3f} over-redaction "
            f"{report.over_redaction:.4f} text kept {report.text_kept:.4f}  {per_entity}"
        )
    ours_cpu = len(texts) / CPU["held-out"]
    presidio_cpu = len(subset) / CPU["held-out presidio"]
    wall_ratio = (len(texts) / seconds) / (len(subset) / presidio_seconds)
    print(
        f"  by CPU time: strongroom {ours_cpu:.0f} lines/s, presidio {presidio_cpu:.0f} lines/s, "
        f"speed-up {ours_cpu / presidio_cpu:.1f}x (wall time: {wall_ratio:.1f}x)"
    )
    if len(subset) < len(texts):
        on_subset = statistics.median(
            len(subset) / _cpu_seconds(lambda: strongroom_in_process(redactor, subset))
            for _ in range(3)
        )
        print(
            f"  on presidio's {len(subset)} lines only (median of 3 cold runs): strongroom "
            f"{on_subset:.0f} lines per CPU second, speed-up {on_subset / presidio_cpu:.1f}x"
        )
    print_text_kept_in_scope(redactor, samples, texts)


def _cpu_seconds(run: Callable[[], object]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def print_text_kept_in_scope(redactor: Redactor, samples: list[Sample], texts: list[str]) -> None:
    """The set labels only some kinds of personal data (its README): a redacted IP address or
    phone number counts against its text kept although the policy must redact it. Shown beside
    the figure above, which counts every finding."""
    kinds = labelled_kinds(samples)
    in_scope = findings_of(redactor, texts, kinds)
    print(
        "  text kept counting only findings of the kinds the set labels "
        f"({', '.join(sorted(kinds))}): "
        f"{evaluate(samples, in_scope).text_kept:.4f}"
    )


if __name__ == "__main__":
    main()
