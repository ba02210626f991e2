"""spaCy's caches must not grow with the log: a soak of varied lines through the redactor
leaves the string store where the warm-up left it (the full 1,000,000-line RSS soak is
``bench/bench_memory.py``)."""

from __future__ import annotations

import random

from bench.bench_memory import log_line
from service.redaction.redactor import get_redactor


def test_redacting_many_varied_lines_does_not_grow_spacys_string_store() -> None:
    redactor = get_redactor()
    nlp = redactor.detector.ner_model.nlp
    rng = random.Random(7)
    lines = [log_line(rng) for _ in range(6000)]
    for start in range(0, 1000, 100):
        redactor.redact_many(lines[start : start + 100])
    warm = len(nlp.vocab.strings)
    for start in range(1000, len(lines), 100):
        redactor.redact_many(lines[start : start + 100])
    grown = len(nlp.vocab.strings) - warm
    assert grown <= warm * 0.01, f"the string store grew by {grown} strings over 5,000 lines"
