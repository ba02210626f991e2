"""The phone-number recogniser: libphonenumber validation, international or national."""

from __future__ import annotations

import phonenumbers
import regex

from service.redaction.keys import CALL_VERB_REGIONS, ENGLISH_PHONE_LABELS, PHONE_WORD_REGIONS
from service.redaction.patterns import Recognizer, RecognizerResult
from service.redaction.prescreen import GLUED_LABELS, SPACED_GROUPS

_DATE = regex.compile(
    r"(?<!\d)(?:\d{4}[-./ ]\d{2}[-./ ]\d{2}|\d{2}[-./]\d{2}[-./]\d{2,4}|\d{2} \d{2} \d{4})(?!\d)"
)
# Counts in thousands (`+49 123 456 789`), a decimal (`+48.858844`), an account number in
# groups of four after `00` (`0049 1234 5678`).
_NOT_A_PHONE_SHAPE = regex.compile(
    r"(?:\+|00)\d{1,3}([ .,'])\d{3}(?:\1\d{3})*|(?:\+|00)\d{1,3}[.,]\d+|00\d\d(?:[ -]\d{4})+"
)
_MIN_DIGITS_OF_A_POSSIBLE_NUMBER = 8
_FIRST_GROUP = regex.compile(r"\+(\d+)")
# A phone's label right before a candidate (`sms to 0032 2 123 45 67`, `tel: 0044 …`).
_PHONE_WORD_BEFORE = regex.compile(
    r"(?i:phone|tel|telephone|mobile|cell|msisdn|fax|call|sms|whatsapp)\w*"
    r"(?:\W{1,3}(?i:to|on|at|no|nr|via))?\W{1,4}\Z"
)
_LABEL_REGIONS = {**PHONE_WORD_REGIONS, **CALL_VERB_REGIONS}
# Whose number it is, between a label and its number (`teléfono del cliente 612 345 678`,
# `Richiamare il cliente al 347 123 4567`).
_WHOSE = (
    r"(?:[ \t]+(?i:de|del|di|do|da|du|des|van|der|dello|della|il|el|al|le|la|o|a|het))?"
    r"[ \t]+(?i:cliente|client|kunde|kunden|klant|utente|usuario|contatto|contacto|contato"
    r"|titular|destinatario|destinatário|destinataire|empfänger|ontvanger|paciente|paziente"
    r"|patient)"
)
# A phone label of another language right before a bare run or dotted pairs (`tél. 0612345678`,
# `Téléphone : 06.12.34.56.78`, `teléfono 612345678`, `Mobil: 0619345145`), or a verb asking
# for a call (`Llamar al 612 345 678`): the number counts as a formatted one. Only right
# before: those labels are no context words (a run a few words after one is as often a case,
# parcel or order number: an attacker review's `téléphone, dossier 48213377`).
_LABEL_RIGHT_BEFORE = regex.compile(
    rf"(?<!\w)(?i:({'|'.join(sorted(PHONE_WORD_REGIONS, key=len, reverse=True))}))"
    rf"(?:{_WHOSE})?\.?[ \t]*[:=]?[ \t]*\Z"
    rf"|(?<!\w)(?i:({'|'.join(sorted(CALL_VERB_REGIONS, key=len, reverse=True))}))"
    rf"(?:{_WHOSE})?[ \t]+(?i:al|allo|a|para|pro|ao)[ \t]+\Z"
)
_LABEL_WINDOW = 32


def _label_before(text: str, start: int) -> str | None:
    """The phone label or call verb of another language right before `start`, lower case."""
    label = _LABEL_RIGHT_BEFORE.search(text, max(0, start - _LABEL_WINDOW), start)
    if label is None:
        return None
    return (label.group(1) or label.group(2)).lower()


# An English phone label right before a number (`phone 612 345 678`, `call: …`, `tel. no. …`).
_ENGLISH_LABEL_RIGHT_BEFORE = regex.compile(
    rf"(?<!\w)(?i:{'|'.join(sorted(ENGLISH_PHONE_LABELS, key=len, reverse=True))})"
    r"(?i:[ _-]?(?:number|num|no|nr))?\.?(?:[ \t]+(?i:to|on|at|via))?[ \t]*[:=#]?[ \t]*\Z"
)
# What a labelled run is not (an attacker review): a date, a date and time or an epoch
# (`telefon 20261207 batch done`, `Telefon: 1733580000 last sync`), or a count before its unit
# or verb in lower case (`telefono: 45123987 chiamate totali`, `telefoon 1234567890 bytes`),
# unless it opens with a trunk `0` as national numbers do and counts do not, or is a valid
# number of the label's regions (`telefono 3471234567 verificato`, an Italian mobile).
_STAMP = regex.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{0,6}|1[4-9]\d{8}")
# Units no phone number is followed by (`telefono 3471234567 ms di latenza`).
_UNITS = frozenset(
    {"ms", "ns", "us", "µs", "s", "sec", "secs", "b", "kb", "mb", "gb", "byte", "bytes",
     "octets", "bits", "ko", "mo", "go", "seconds", "secondes", "segundos", "secondi",
     "sekunden", "seconden", "minutes", "minutos", "minuti", "minuten"}
)  # fmt: skip
_UNIT_AFTER = regex.compile(r"[ \t]+\p{Ll}[\p{Ll}\p{M}]*(?![\w=:])")


def _no_phone_run(text: str, start: int, end: int, label: str) -> bool:
    """Whether a bare run right after a phone's label is a stamp or a count (see `_STAMP`)."""
    if _STAMP.fullmatch(text, start, end):
        return True
    if text[start] == "0" or _UNIT_AFTER.match(text, end) is None:
        return False
    if _a_unit_after(text, end):
        return True
    run = text[start:end]
    return not any(_valid_in(run, region) for region in _LABEL_REGIONS[label])


def _a_unit_after(text: str, end: int) -> bool:
    unit = _UNIT_AFTER.match(text, end)
    return unit is not None and unit.group().strip() in _UNITS


def _valid_in(run: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(run, region))
    except phonenumbers.NumberParseException:
        return False


_LABELLED_SCORE = 0.75
_NORTH_AMERICAN_REGIONS = frozenset(("US", "CA"))
_NORTH_AMERICAN_SHAPE = regex.compile(r"\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}")
_AREA_CODE_IN_BRACKETS = regex.compile(r"\((?:0\d{1,4}|[2-9]\d\d)\)")
# Groups of four right before a candidate: it continues an account number written in groups
# (`DE88 3704 0044 0532 0130 00`, an IBAN whose checksum failed), so its length proves nothing.
_GROUPS_BEFORE = regex.compile(r"(?<![\w-])[A-Z0-9]{4}[ -](?:\d{4}[ -])?\Z")


def _has_the_general_shape(number: phonenumbers.PhoneNumber) -> bool:
    """Whether the national part matches the pattern every number of its country matches."""
    region = phonenumbers.region_code_for_country_code(number.country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        number.country_code, region
    )
    if metadata is None or metadata.general_desc is None:
        return False
    pattern = metadata.general_desc.national_number_pattern
    national = phonenumbers.national_significant_number(number)
    return pattern is not None and regex.fullmatch(pattern, national) is not None


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
    # Spain's, Portugal's and Italy's written forms, groups after a first one with no trunk
    # `0` (`612 345 678`, `91 234 56 78`, `347 123 4567`). Only right after a phone's label
    # (`_grouped_numbers`): a count in thousands has that shape too, and an attacker review
    # found context words a few words away taking them (`call volume 612 345 678`).
    SPACED = regex.compile(SPACED_GROUPS)
    # France's written form, five pairs with dots (`tél. 01.23.45.67.89`). Scored as a bare run
    # (a label must come before it): an attacker review found firmware versions, timestamps
    # (`07.12.26.14.30`) and account codes of that shape. Dots after a leading group in general
    # would take dates as well (`05.12.2026` is a valid German number).
    DOTTED_PAIRS = regex.compile(r"(?<![\w.,:$+/-])0[1-9](?:\.\d\d){4}(?![\w-]|\.\w)")
    # A number glued to its label (`tel:0612345678`, `Tél.:06.12.34.56.78`, `phoneNo:+4930…`),
    # which the patterns above leave: a number right after `:` or `.` is as often a port, a
    # version's part or a time's. An attacker review of a wider first version found counters,
    # epochs, ids and cache keys taken (`mobile:612345678`, `tel:1733580000`,
    # `sessions_mobile:123456789|g`, `fax.20261207.tif`): the label is a word of its own,
    # and the number opens as one (`+`, a trunk `0`, an area code in brackets) — or, after a
    # colon, is written as a North American one (no trunk prefix there; its area codes never
    # open with 0 or 1, so an epoch is none); after `msisdn` it is international without `+`.
    # Not after `call`, `sms` or `cell`, nor a date.
    GLUED = regex.compile(
        r"(?<![\w.-])(?i:phone|tel|tél|téléphone|telephone|teléfono|mobile|fax|msisdn)"
        r"(?i:[_-]?(?:number|num|no|nr))?"
        r"(\.:|[.:])[ \t]?(\+?\(?\d[\d .()-]{5,20}\d)(?![\w|-]|\.\w)"
    )
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
        covered: bytearray | None = None  # where a found number lies; no other starts there
        for pattern, regions, score in (
            (self.INTERNATIONAL, (None,), 0.85),
            (self.NATIONAL, self.regions, 0.75),
            (self.BARE, self.regions, 0.3),
            (self.DOTTED_PAIRS, self.regions, 0.3),
        ):
            for match in pattern.finditer(text):
                if covered is not None and covered[match.start()]:
                    continue
                end = self._valid_end(match.group(), regions)
                if (
                    end is None
                    and pattern is self.INTERNATIONAL
                    and not _GROUPS_BEFORE.search(text, max(0, match.start() - 40), match.start())
                    and (
                        match.group().startswith("+")
                        or _PHONE_WORD_BEFORE.search(
                            text, max(0, match.start() - 24), match.start()
                        )
                    )
                ):  # `00` opens order, case and account numbers as often: only after a label
                    end = self._possible_end(match.group())
                if end is not None:
                    span = (match.start(), match.start() + end)
                    found_score = score
                    label = _label_before(text, match.start()) if score < _LABELLED_SCORE else None
                    if label is not None and not (
                        pattern is self.BARE and _no_phone_run(text, *span, label)
                    ):
                        found_score = _LABELLED_SCORE
                    results.append(RecognizerResult("PHONE_NUMBER", *span, found_score))
                    if covered is None:
                        covered = bytearray(len(text))
                    covered[span[0] : span[1]] = b"\x01" * (span[1] - span[0])
        if " " in text:
            grouped = self._grouped_numbers(text, covered)
            if grouped:
                results.extend(grouped)
                covered = covered or bytearray(len(text))
                for found in grouped:
                    covered[found.start : found.end] = b"\x01" * (found.end - found.start)
        if words is None or any(word.startswith(GLUED_LABELS) for word in words):
            results.extend(self._glued_numbers(text, covered))
        return results

    def _grouped_numbers(self, text: str, covered: bytearray | None) -> list[RecognizerResult]:
        """Numbers in groups with no trunk `0` (`SPACED`) right after a phone's label, valid
        for the policy's regions. Before a unit such a number is a count (`mobile 612 345 678
        ms`); after another language's label, so is one before a lower-case word that is no
        valid number of the label's countries (`_no_phone_run`)."""
        found = []
        for match in self.SPACED.finditer(text):
            start = match.start()
            if covered is not None and covered[start]:
                continue
            abroad = _label_before(text, start)
            before = max(0, start - _LABEL_WINDOW)
            if abroad is None and _ENGLISH_LABEL_RIGHT_BEFORE.search(text, before, start) is None:
                continue
            end = self._valid_end(match.group(), self.regions)
            if end is None:
                continue
            span = (start, start + end)
            if abroad is None and _a_unit_after(text, span[1]):
                continue
            if abroad is not None and _no_phone_run(text, *span, abroad):
                continue
            found.append(RecognizerResult("PHONE_NUMBER", *span, _LABELLED_SCORE))
        return found

    def _glued_numbers(self, text: str, covered: bytearray | None) -> list[RecognizerResult]:
        """Numbers glued to their label (`GLUED`) where no other pattern found one."""
        found = []
        for match in self.GLUED.finditer(text):
            start, number = match.start(2), match.group(2)
            if covered is not None and covered[start]:
                continue
            if _DATE.search(number) and not self.DOTTED_PAIRS.fullmatch(number):
                continue
            prefix, regions = "", self.regions
            if number[0] == "+":
                regions = (None,)
            elif match.group().lower().startswith("msisdn"):
                prefix, regions = "+", (None,)  # international, written without its `+`
            elif number[0] == "(" and not _AREA_CODE_IN_BRACKETS.match(number):
                continue  # `mobile:(2026) 1207`, `phone:(1) 23456789`
            elif number[0] not in "0(":
                if match.group(1) != ":" or not _NORTH_AMERICAN_SHAPE.fullmatch(number):
                    continue
                regions = tuple(r for r in self.regions if r in _NORTH_AMERICAN_REGIONS)
            end = self._valid_end(prefix + number, regions)
            if end is not None:
                span = (start, start + end - len(prefix))
                found.append(RecognizerResult("PHONE_NUMBER", *span, _LABELLED_SCORE))
        return found

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
        """The longest prefix of an international `candidate`, ending at a digit group, that
        its country's numbers could be: a number written with `+` and its country code is a
        phone even where libphonenumber's ranges say no one holds it (`+32 2 123 45 67`, the
        fictional `+1 (555) 010-0123`). Its national part must have a possible length and
        the country's general shape, eight digits at least in all, the country code written
        as a group of its own (`+12 345 678` and `+10 000 000` are counts), and it must not
        read as a count in thousands (`+49 123 456`), a decimal, a date or an account's
        groups of four (`0049 1234 5678`): a review found 89 of 433 such lines taken when
        only the length was asked."""
        if _DATE.search(candidate):
            return None
        ends = [match.end() for match in self.GROUP_END.finditer(candidate)]
        for end in reversed(ends):
            number = candidate[:end]
            if sum(char.isdigit() for char in number) < _MIN_DIGITS_OF_A_POSSIBLE_NUMBER:
                return None
            if _NOT_A_PHONE_SHAPE.fullmatch(number):
                continue
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
                and _has_the_general_shape(parsed)
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
