"""Regular-expression recognisers, lean: compiled once, no per-match explanation objects.

The same contract as presidio's `PatternRecognizer` (patterns with a base score, a validator
that lifts a match to 1.0 or drops it, an invalidator, contained duplicates removed), without
what made it the slowest part of a clean line: a clock read and a debug log per pattern and
an explanation object per match. It also keeps `strongroom redact` from importing presidio,
and so spaCy, for lines that need no NER.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import regex

MAX_SCORE = 1.0


# Whether a line's lower-case words (`service.redaction.words.line_words`) can hold a
# pattern's match at all; a pattern whose literal words are absent is not run. Asked of ASCII
# lines only: elsewhere the words `line_words` reads need not be the ones a pattern sees (it
# glues `²` to a word, where the pattern's `\w` ends it; a case-insensitive `i` matches `İ`,
# which lowers to two characters).
WordGate = Callable[[frozenset[str]], bool]


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: str
    score: float
    needs: WordGate | None = None


class RecognizerResult(NamedTuple):
    entity_type: str
    start: int
    end: int
    score: float


class Recognizer(ABC):
    """A recogniser of one or more entities; `context` words may raise its low scores."""

    def __init__(
        self, supported_entities: list[str], name: str, context: list[str] | None = None
    ) -> None:
        self.supported_entities = supported_entities
        self.name = name
        self.context = context or []

    @abstractmethod
    def analyze(self, text: str, words: frozenset[str] | None = None) -> list[RecognizerResult]:
        """Every finding of this recogniser's entities in ``text``; ``words``, the line's
        lower-case words when the caller has them, let it skip patterns that cannot match."""


class PatternRecognizer(Recognizer):
    def __init__(
        self,
        supported_entity: str,
        name: str,
        patterns: list[Pattern],
        global_regex_flags: int,
        context: list[str] | None = None,
    ) -> None:
        super().__init__([supported_entity], name, context)
        self.entity = supported_entity
        self.patterns = patterns
        self._compiled = [
            (regex.compile(pattern.regex, global_regex_flags), pattern.score, pattern.needs)
            for pattern in patterns
        ]

    def validate_result(self, pattern_text: str) -> bool | None:
        return None

    def invalidate_result(self, pattern_text: str) -> bool | None:
        return None

    def analyze(self, text: str, words: frozenset[str] | None = None) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        gate_words = words if words is not None and text.isascii() else None
        for compiled, base_score, needs in self._compiled:
            if gate_words is not None and needs is not None and not needs(gate_words):
                continue
            for match in compiled.finditer(text):
                start, end = match.span()
                if start == end:
                    continue
                matched = text[start:end]
                score = base_score
                valid = self.validate_result(matched)
                if valid is not None:
                    score = MAX_SCORE if valid else 0.0
                if score > 0 and self.invalidate_result(matched):
                    score = 0.0
                if score > 0:
                    results.append(RecognizerResult(self.entity, start, end, score))
        return remove_contained(results) if len(results) > 1 else results


def remove_contained(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Duplicates dropped, and results inside another with an equal or higher score.

    In start order every kept result starts at or before the one looked at, so it lies inside
    one of them exactly when, for some score at least its own, the kept results of that score
    reach its end: one furthest end per score (a handful of scores), not every kept result
    (a line of 3,200 overlapping matches took 1.4 s that way)."""
    kept: list[RecognizerResult] = []
    furthest: dict[float, int] = {}
    for result in sorted(set(results), key=lambda r: (r.start, -(r.end - r.start), -r.score)):
        if any(score >= result.score and end >= result.end for score, end in furthest.items()):
            continue
        kept.append(result)
        if furthest.get(result.score, -1) < result.end:
            furthest[result.score] = result.end
    return kept
