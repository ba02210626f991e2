"""The phone-number recogniser: libphonenumber validation, international or national."""

from __future__ import annotations

import phonenumbers
import regex

from service.redaction.patterns import Recognizer, RecognizerResult


class PhoneNumberRecognizer(Recognizer):
    """Phone numbers validated by libphonenumber, international or national.

    Candidates are cut back group by group until valid, so a number followed by other digits
    is still found. International numbers (`+`, `00`) and visibly formatted national ones
    (for the policy's regions) score high; a bare run of 7-12 digits scores low and needs a
    label such as `phone` nearby. Longer bare runs are ids, cards or timestamps.
    """

    INTERNATIONAL = regex.compile(r"(?<![\w+])(?:\+|00)[1-9][\d \-.()]{5,22}\d(?!\w)")
    NATIONAL = regex.compile(
        r"(?<![\w.,:$+/-])(?:\(\d{2,5}\)[ -]?|0\d{1,4}[ -]|\d{3}[-.])\d[\d .-]{3,12}\d(?!\w)"
    )
    BARE = regex.compile(r"(?<![\w.,:$+/-])\d{7,12}(?![\w-]|\.\d)")
    GROUP_END = regex.compile(r"\d(?=[ \-.)]|$)")

    def __init__(self, regions: tuple[str, ...]) -> None:
        self.regions = regions
        self._last_valid_region: str | None = None
        super().__init__(
            supported_entities=["PHONE_NUMBER"],
            name="PhoneNumberRecognizer",
            context=["phone", "tel", "telephone", "mobile", "cell", "msisdn", "fax", "call", "sms"],
        )

    def analyze(self, text: str, words: frozenset[str] | None = None) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        for pattern, regions, score in (
            (self.INTERNATIONAL, (None,), 0.85),
            (self.NATIONAL, self.regions, 0.75),
            (self.BARE, self.regions, 0.3),
        ):
            for match in pattern.finditer(text):
                if any(r.start <= match.start() < r.end for r in results):
                    continue
                end = self._valid_end(match.group(), regions)
                if end is not None:
                    span = (match.start(), match.start() + end)
                    results.append(RecognizerResult("PHONE_NUMBER", *span, score))
        return results

    def _valid_end(self, candidate: str, regions: tuple[str | None, ...]) -> int | None:
        """The longest prefix of `candidate`, ending at a digit group, that is a valid number."""
        ends = [match.end() for match in self.GROUP_END.finditer(candidate)]
        for end in reversed(ends):
            number = candidate[:end]
            if sum(char.isdigit() for char in number) < 7:
                return None
            if number.startswith("00"):
                number = "+" + number[2:]
            for region in self._ordered(regions):
                try:
                    parsed = phonenumbers.parse(number, region)
                except phonenumbers.NumberParseException:
                    continue
                if phonenumbers.is_valid_number(parsed):
                    self._last_valid_region = region
                    return end
        return None

    def _ordered(self, regions: tuple[str | None, ...]) -> tuple[str | None, ...]:
        """The regions, the one that last validated a number first: a log's numbers mostly
        come from one country, and the answer (valid in any region) does not depend on the
        order, only the number of parses does."""
        last = self._last_valid_region
        if last is None or len(regions) < 2 or regions[0] == last or last not in regions:
            return regions
        return (last, *(region for region in regions if region != last))
