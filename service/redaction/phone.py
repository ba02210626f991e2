"""The phone-number recogniser: libphonenumber validation, international or national."""

from __future__ import annotations

import phonenumbers
import regex

from service.redaction.patterns import Recognizer, RecognizerResult

_DATE = regex.compile(r"\d{4}-\d{2}-\d{2}")
_MIN_DIGITS_OF_A_POSSIBLE_NUMBER = 8
_FIRST_GROUP = regex.compile(r"\+(\d+)")
# Groups of four right before a candidate: it continues an account number written in groups
# (`DE88 3704 0044 0532 0130 00`, an IBAN whose checksum failed), so its length proves nothing.
_DIGITS_BEFORE = regex.compile(r"(?<![\w-])[A-Z0-9]{4}[ ]\d{4}[ ]\Z")


class PhoneNumberRecognizer(Recognizer):
    """Phone numbers validated by libphonenumber, international or national.

    Candidates are cut back group by group until valid, so a number followed by other digits
    is still found; one written with its country code needs only a possible length.
    International numbers (`+`, `00`) and visibly formatted national ones (for the policy's
    regions) score high; a bare run of 7-12 digits scores low and needs a label such as
    `phone` nearby. Longer bare runs are ids, cards or timestamps.
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
                if (
                    end is None
                    and pattern is self.INTERNATIONAL
                    and not _DIGITS_BEFORE.search(text, max(0, match.start() - 40), match.start())
                ):
                    end = self._possible_end(match.group())
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

    def _possible_end(self, candidate: str) -> int | None:
        """The longest prefix of an international `candidate`, ending at a digit group, of a
        length its country's numbers have: a number written with `+` and its country code
        is a phone even where libphonenumber's ranges say no one holds it (`+32 2 123 45
        67`, the fictional `+1 (555) 010-0123`, a range reassigned since: `+57 1 234
        5678`). Eight digits at least, the country code written as a group of its own
        (`+12 345 678` and `+10 000 000` are counts), and no date after it."""
        if _DATE.search(candidate):
            return None
        ends = [match.end() for match in self.GROUP_END.finditer(candidate)]
        for end in reversed(ends):
            number = candidate[:end]
            if sum(char.isdigit() for char in number) < _MIN_DIGITS_OF_A_POSSIBLE_NUMBER:
                return None
            if number.startswith("00"):
                number = "+" + number[2:]
            try:
                parsed = phonenumbers.parse(number, None)
            except phonenumbers.NumberParseException:
                continue
            if (
                _FIRST_GROUP.match(number).group(1) == str(parsed.country_code)  # type: ignore[union-attr]
                and phonenumbers.is_possible_number_with_reason(parsed)
                == phonenumbers.ValidationResult.IS_POSSIBLE
            ):
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
