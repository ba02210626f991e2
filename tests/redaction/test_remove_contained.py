"""`remove_contained` keeps what the plain definition keeps: no duplicates, and no result lying
inside another of an equal or higher score. Checked against that definition written out
directly (every pair), on random overlapping results."""

from __future__ import annotations

import random

from service.redaction.patterns import RecognizerResult, remove_contained


def _by_definition(results: list[RecognizerResult]) -> list[RecognizerResult]:
    kept: list[RecognizerResult] = []
    for result in sorted(set(results), key=lambda r: (r.start, -(r.end - r.start), -r.score)):
        if not any(
            k.start <= result.start and result.end <= k.end and result.score <= k.score
            for k in kept
        ):
            kept.append(result)
    return kept


def test_the_same_results_as_the_definition() -> None:
    rng = random.Random(20261206)
    for _ in range(5_000):
        results = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randint(0, 20)
            score = rng.choice([0.3, 0.6, 0.85, 1.0])
            results.append(RecognizerResult("X", start, start + rng.randint(1, 8), score))
        assert remove_contained(results) == _by_definition(results)


def test_a_lower_score_inside_survives_and_an_equal_one_does_not() -> None:
    outer = RecognizerResult("X", 0, 10, 0.6)
    higher = RecognizerResult("X", 2, 5, 0.85)
    equal = RecognizerResult("X", 3, 6, 0.6)
    assert remove_contained([equal, higher, outer]) == [outer, higher]
