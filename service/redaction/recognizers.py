"""Recognisers for the values billing logs carry, each with a validator."""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import TYPE_CHECKING

import phonenumbers
import regex

from service.redaction.patterns import (
    MAX_SCORE,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)
from service.redaction.street_types import (
    ADDRESS_WORDS,
    EVERYDAY_STREET_TYPES,
    GRID_STREET,
    STREET_AFTER_NAME,
    STREET_AFTER_NAME_IN_LOWER_CASE,
    STREET_AFTER_NAME_WITH_CONTEXT,
    STREET_AFTER_NUMBER,
    STREET_AFTER_NUMBER_IN_CAPITALS,
    STREET_BEFORE_A_NUMBER_SIGN,
    STREET_BEFORE_NAME,
    STREET_BEFORE_NAME_IN_CAPITALS,
    STREET_BEFORE_NAME_IN_LOWER_CASE,
    STREET_BEFORE_NUMBERED_NAME_IN_CAPITALS,
    TYPE_WORD_AFTER_NAME,
    any_word_ending_in,
    any_word_of,
)

# Case-sensitive: IBANs, street types and names are written in capitals; ids are not.
CASE_SENSITIVE = regex.MULTILINE | regex.DOTALL
CASE_INSENSITIVE = CASE_SENSITIVE | regex.IGNORECASE

if TYPE_CHECKING:
    from tldextract import TLDExtract


@cache
def _suffixes() -> TLDExtract:
    """The bundled public suffix list only: never a network fetch, never a cache write.

    Built on the first e-mail candidate (tldextract brings `requests` with it).
    """
    from tldextract import TLDExtract

    return TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def warm_up(regions: tuple[str, ...]) -> None:
    """Load lazily built tables now (the suffix list, each region's phone metadata), so that
    the first log lines do not pay for them."""
    _suffixes()("example.com")
    for region in regions:
        phonenumbers.is_valid_number(phonenumbers.parse("0123 456789", region))


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def issuer_plausible(digits: str) -> bool:
    """Whether the number starts like a card of a real scheme and has that scheme's length.

    This is what keeps Luhn-passing epoch milliseconds and order numbers out: no scheme
    issues numbers starting with 0, 1, 7, 8 or 9 (8 is only ever 13-19 digit RuPay 81/82).
    """
    length = len(digits)
    head2, head4 = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return length in (13, 16, 19)
    if 51 <= head2 <= 55 or 2221 <= head4 <= 2720:
        return length == 16
    if 2200 <= head4 <= 2204:
        return 16 <= length <= 19
    if head2 in (34, 37):
        return length == 15
    if head2 in (30, 36, 38, 39):
        return 14 <= length <= 19
    if 3528 <= head4 <= 3589:
        return 16 <= length <= 19
    if digits[0] in "56":
        return 12 <= length <= 19
    if head2 in (81, 82):
        return length == 16
    return False


class CardNumberRecognizer(PatternRecognizer):
    """Card numbers: 4-4-4-4(-3), 4-6-5, 4-6-4 groupings or 13-19 digits, Luhn and IIN checked."""

    PATTERNS = (
        Pattern(
            "card grouped by four",
            r"(?<![\w.+-])\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?(?![\w-]|[.,]\d)",
            0.3,
        ),
        Pattern(
            "card grouped 4-6-5 or 4-6-4",
            r"(?<![\w.+-])\d{4}([ -])\d{6}\1\d{4,5}(?![\w-]|[.,]\d)",
            0.3,
        ),
        Pattern("card ungrouped", r"(?<![\w.+-])\d{13,19}(?![\w-]|[.,]\d)", 0.3),
        # Glued to a word (`pan_4111…`, `card4111…`, `pan-4111 1111 1111 1111`): after a
        # letter or underscore, or a letter and a hyphen. Luhn and IIN checked like the rest.
        Pattern(
            "card after a word",
            r"(?:(?<=[A-Za-z_])|(?<=[A-Za-z]-))(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}"
            r"(?:\1\d{1,3})?)(?![\w-]|[.,]\d)",
            0.3,
        ),
    )

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CREDIT_CARD",
            name="CardNumberRecognizer",
            patterns=list(self.PATTERNS),
            context=["card", "pan", "cc", "visa", "mastercard", "amex"],
            global_regex_flags=CASE_SENSITIVE,
        )

    def validate_result(self, pattern_text: str) -> bool:
        digits = "".join(char for char in pattern_text if char.isdigit())
        return 13 <= len(digits) <= 19 and issuer_plausible(digits) and luhn_valid(digits)


IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27,
    "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19,
    "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    return int(numeric) % 97 == 1


class IbanChecksumRecognizer(PatternRecognizer):
    """IBANs, compact or in groups of four, with their length and mod-97 checksum verified.

    A spaced IBAN followed by another short word (`DE89 3704 ... 00 2026`) is cut back to the
    length its country prescribes before it is checked.
    """

    PATTERNS = (
        Pattern(
            "iban",
            r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])",
            0.3,
        ),
    )

    def __init__(self) -> None:
        super().__init__(
            supported_entity="IBAN_CODE",
            name="IbanChecksumRecognizer",
            patterns=list(self.PATTERNS),
            context=["iban", "bank", "account"],
            global_regex_flags=CASE_SENSITIVE,
        )
        self._compiled = regex.compile(self.PATTERNS[0].regex, CASE_SENSITIVE)

    def analyze(self, text: str, words: frozenset[str] | None = None) -> list[RecognizerResult]:
        results = []
        for match in self._compiled.finditer(text):
            end = _iban_end(text, match.start(), match.end())
            if end is not None:
                results.append(RecognizerResult("IBAN_CODE", match.start(), end, MAX_SCORE))
        return results


def _iban_end(text: str, start: int, end: int) -> int | None:
    """End of the valid IBAN starting at `start` within [start, end), if there is one."""
    expected = IBAN_LENGTHS.get(text[start : start + 2])
    if expected is None:
        return end if iban_valid(text[start:end]) else None
    seen = 0
    for position in range(start, end):
        if text[position] != " ":
            seen += 1
        if seen == expected:
            cut = position + 1
            at_boundary = cut == end or text[cut] == " "
            return cut if at_boundary and iban_valid(text[start:cut]) else None
    return None


# `[at]`, `(at)`, `{at}`, `<at>` and the `dot` forms (` dot ` too), any case; a bracketed one
# may have no blanks around it.
_BRACKETED_AT = r"[ \t]*[\[({<][ \t]*(?i:at)[ \t]*[\])}>][ \t]*"
_SPELLED_DOT = r"(?:[ \t]*[\[({<][ \t]*(?i:dot)[ \t]*[\])}>][ \t]*|[ \t]+(?i:dot)[ \t]+)"
_SPELLED_PART = regex.compile(
    r"[ \t]*[\[({<][ \t]*(at|dot)[ \t]*[\])}>][ \t]*|[ \t]+(at|dot)[ \t]+", regex.IGNORECASE
)


def written_address(text: str) -> str:
    """`priya [dot] nair [at] gmail [dot] com` → `priya.nair@gmail.com`; an address stays."""
    if "@" in text:
        return text
    return _SPELLED_PART.sub(
        lambda m: "@" if (m.group(1) or m.group(2)).lower() == "at" else ".", text
    )


class EmailSuffixRecognizer(PatternRecognizer):
    """E-mail addresses whose local part cannot swallow a `key=` prefix, with a known suffix."""

    PATTERNS = (
        Pattern(
            "email",
            # A quote opens the address only inside a word (`o'brien@`): `'jo@x.io'` keeps it.
            r"(?<![\w.%+-])(?<!\w')[\w%+-][\w.%+'-]{0,63}@(?:[\w-]+\.)+[\w-]{2,63}(?![\w-])",
            0.3,
        ),
        # Written out to fool harvesters: `yusuf [at] haddad [dot] me`, `sione(at)tonga-mail
        # (dot)to`, `jo [at] example.com`. Only bracketed `at`: a bare one is as often a host
        # written out (`backend at api dot stripe dot com`). The parts are bounded, so that a
        # line of many `a [dot]` stays linear. `validate_result` reads the domain as written.
        Pattern(
            "email spelled out",
            rf"(?<![\w.%+-])[^\W\d_][\w.%+-]{{0,63}}(?:{_SPELLED_DOT}[\w%+-]{{1,63}}){{0,3}}"
            rf"{_BRACKETED_AT}[\w-]{{1,63}}(?:(?:{_SPELLED_DOT}|\.)[\w-]{{1,63}}){{0,3}}"
            rf"(?:{_SPELLED_DOT}|\.)[A-Za-z]{{2,24}}(?![\w-])",
            0.3,
        ),
    )

    def __init__(self) -> None:
        super().__init__(
            supported_entity="EMAIL_ADDRESS",
            name="EmailSuffixRecognizer",
            patterns=list(self.PATTERNS),
            context=["email", "mail"],
            global_regex_flags=CASE_SENSITIVE,
        )

    def validate_result(self, pattern_text: str) -> bool:
        # A reserved or private top-level label (.example, .internal, .corp) still names a
        # mailbox: only an all-digit or mixed last label (``pkg@1.2.3``) is not an address.
        # Spelled out, only a public suffix makes it one (`value at index [dot] was`).
        if "@" not in pattern_text:
            return _suffixes()(written_address(pattern_text).rsplit("@", 1)[1]).suffix != ""
        domain = pattern_text.rsplit("@", 1)[1]
        return _suffixes()(domain).suffix != "" or domain.rsplit(".", 1)[-1].isalpha()


class SsnRecognizer(PatternRecognizer):
    """US social security numbers; unseparated nine digits count only next to a label."""

    AREA_GROUP_SERIAL = r"(?!000|666|9\d\d)\d{3}([- ]?)(?!00)\d{2}\1(?!0000)\d{4}"

    def __init__(self) -> None:
        super().__init__(
            supported_entity="US_SSN",
            name="UsSsnRecognizer",
            patterns=[
                Pattern(
                    "ssn dashed", rf"(?<![\w-])(?=\d{{3}}-){self.AREA_GROUP_SERIAL}(?![\w-])", 0.6
                ),
                Pattern(
                    "ssn spaced or bare",
                    rf"(?<![\w-])(?=\d{{3}}[ \d]){self.AREA_GROUP_SERIAL}(?![\w-])",
                    0.2,
                ),
            ],
            context=["ssn", "social", "security", "ss#", "taxpayer", "tin"],
            global_regex_flags=CASE_SENSITIVE,
        )


class IpAddressRecognizer(PatternRecognizer):
    """IPv4 and IPv6 addresses that the standard library accepts as addresses."""

    PATTERNS = (
        Pattern("ipv4", r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)", 0.3),
        Pattern(
            "ipv6",
            r"(?<![\w:.])(?=[0-9A-Fa-f:]*[0-9A-Fa-f])(?=[0-9A-Fa-f]*:[0-9A-Fa-f]*:)"
            r"[0-9A-Fa-f:]{2,39}(?![\w:])",
            0.3,
        ),
    )

    def __init__(self) -> None:
        super().__init__(
            supported_entity="IP_ADDRESS",
            name="IpAddressRecognizer",
            patterns=list(self.PATTERNS),
            context=["ip", "addr", "client", "remote"],
            global_regex_flags=CASE_SENSITIVE,
        )

    def validate_result(self, pattern_text: str) -> bool:
        try:
            ipaddress.ip_address(pattern_text)
        except ValueError:
            return False
        return True


class LabelledBirthDateRecognizer(PatternRecognizer):
    """A date written right after a date-of-birth label (unlabelled dates are not personal)."""

    # A key may wrap the label in other parts (`customer_dob`, `birth_dt`, `dob_us`).
    LABEL = (
        r"\b(?:[a-z0-9]+[_.-])?(?:dob|d\.o\.b\.?|date[ _-]?of[ _-]?birth|birth[ _-]?date"
        r"|birthdate|birthday|birth(?=[_.-]\w|\s*[:=])|born(?:[ _]on)?|geburtsdatum"
        r"|geboren(?:[ _](?:am|op))?|geboortedatum"
        r"|date[ _]de[ _]naissance|n[ée]e?[ _]le|fecha[ _]de[ _]nacimiento|data[ _]di[ _]nascita"
        r"|nacid[oa][ _]el|nat[oa][ _]il|nascid[oa][ _]em)"
        r"(?:[_.-][a-z0-9]+)?"
    )
    DATE = (
        r"(?:\d{4}-\d{1,2}-\d{1,2}"
        r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
        r"|\d{4}(?P<ymd>[/.])\d{1,2}(?P=ymd)\d{1,2}|\d{1,2}(?P<dmy>[-/])\p{L}{3,9}(?P=dmy)\d{2,4}"
        r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}(?:st|nd|rd|th|\.)?\s+(?:of\s+)?\p{L}{3,9}\.?"
        r",?\s+\d{4}|\p{L}{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
    )

    def __init__(self) -> None:
        super().__init__(
            supported_entity="DATE_TIME",
            name="LabelledBirthDateRecognizer",
            patterns=[
                Pattern(
                    "labelled date of birth",
                    rf"{self.LABEL}[\"']?\s*[:=]?\s*[\"']?\K{self.DATE}(?![\w-])",
                    0.85,
                )
            ],
            global_regex_flags=CASE_INSENSITIVE,
        )


_NAME_WORD = r"\p{Lu}[\p{L}'\u2019.-]*"
# A street's name may be an ordinal before its type word: `350 5th Ave`, `12 W 42nd Street`.
_STREET_NAME_WORD = rf"(?:{_NAME_WORD}|\d{{1,3}}(?:st|nd|rd|th))"
# Before trying a long list of type words on a word: is the word followed by a house number
# at all? Most capitalised words in logs are not, and the look-ahead fails at once where the
# alternation would be tried at every letter (the suffix pattern ran 3x faster; same matches).
_THEN_NUMBER = r"(?=[\p{L}'\u2019.-]+\s+(?:No[.:]?\s*)?\d)"
# Below the threshold: an address only with an address word a few words before it
# (`ADDRESS_WORDS`) or a town and postcode after it (the detector asks both).
_NEEDS_CONTEXT = 0.3
# A town as a United States address writes it before its state and ZIP code.
_US_TOWN = r"\p{Lu}[\p{L}'.-]*(?:\s+\p{Lu}[\p{L}'.-]*){0,3}"


# Between a French street's type and its name only articles and prepositions (`rue de la
# Paix`, `rue d'Alsace`, `allée des Tilleuls`); the name is capitalised, not in capitals nor
# in camel case (`2 avenue records imported from OSM`, `2 rue OpenStreetMap`).
_FRENCH_PARTICLES = r"(?:(?:de|du|des|la|le|les|d['\u2019]|l['\u2019]|de\s+la|de\s+l['\u2019])\s*)"
_FRENCH_NAME_WORD = r"\p{Lu}\p{Ll}[\p{Ll}'\u2019]*(?:-\p{L}[\p{Ll}'\u2019]*)*(?![\w-])"

# A word of an address in capitals: no lower-case letter, and none of the small words that
# join a sentence in capitals (`3 PRECEDING AND CURRENT ROW`, `5 ROWS IN PLACE`), which
# street names almost never hold.
_CAPITAL_WORD = (
    r"(?!(?:A|AN|AND|OR|OF|IN|ON|AT|TO|FOR|BY|THE|IS|ARE|WAS|BE|FROM|WITH|AS|NOT|NO|INTO|PER"
    r"|EACH|ALL|ANY|IF|THEN)(?![\p{L}'\u2019.-]))\p{Lu}[\p{Lu}'\u2019.-]*(?![\p{Ll}\d])"
)
_CAPITAL_STREET_NAME_WORD = rf"(?:{_CAPITAL_WORD}|\d{{1,3}}(?:ST|ND|RD|TH))"
_CAPITAL_UNIT = (
    r"(?:,?\s+(?:APT\.?|APARTMENT|SUITE|STE\.?|UNIT|FLAT|BLDG\.?|BUILDING|ROOM|RM\.?|#)\s*#?"
    r"[\w-]{1,6}|,?\s+(?:FLOOR|FL\.?)\s*\d{1,3}|,?\s+\d{1,3}(?:ST|ND|RD|TH)\s+(?:FLOOR|FL\.?))?"
)
# Where an address in capitals may open: at the line's start, after punctuation, or after a
# word that says where (`SHIP TO 12 OAK ST`, `address: 5 RUE DE LA PAIX`), not after a label
# of a count (`RAID 5 VIRTUAL DRIVE`, `FARE 250 ONE WAY`, `STEP 3 DATASET CLOSE`) nor after a
# log's or status's label (`STATUS: 200 GREEN WAY`, `WARN: 404 PAGE COURT`).
_CAPITALS_START = (
    r"(?<!(?<![\w-])(?i:status|warn|warning|error|err|info|debug|trace|fatal|code|http|log|step"
    r"|set|result|rc|exit)[ \t]*+[:=][ \t]*+)"
    r"(?<=^[ \t]*|[:=,;(\[{\"'`|>-][ \t]*"
    r"|(?<![\w-])(?i:to|at|from|near|in|addr|address|adresse|ship|deliver|delivered|delivery"
    r"|billing|shipping|moved|located|lives)[ \t]+)"
)
# Where a street in capitals ends: the line, punctuation, a word in lower case (`SHIP TO 12
# OAK ST today`), or its town and a postcode (`10 DOWNING STREET LONDON SW1A 2AA`, `1 MICROSOFT
# WAY REDMOND WA 98052`); not another word in capitals (`BAY 2 HARD DRIVE FAILED`).
_POSTCODE_IN_CAPITALS = (
    r"(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"
    r"|\d{4,6})(?![\w-])"
)
# The town, state and postcode written after a street in capitals with no comma, taken with
# it (`1 MICROSOFT WAY REDMOND WA 98052`); with commas, the span's widening takes them.
_TOWN_AND_POSTCODE_IN_CAPITALS = (
    rf"(?:[ \t]+(?:\p{{Lu}}[\p{{Lu}}'\u2019.-]*[ \t]+){{0,3}}(?:[A-Z]{{2}}[ \t]+)?"
    rf"{_POSTCODE_IN_CAPITALS})"
)
# The end of a clause after an address's part in capitals: the line, punctuation, or a word
# in lower case.
_CAPITALS_CLAUSE_END = r"[ \t]*(?:$|[,;)\]\"'`|]|\.(?:[ \t]|$)|-[ \t])|[ \t]+\p{Ll}"
_STREET_IN_CAPITALS_END = rf"(?={_CAPITALS_CLAUSE_END}|{_TOWN_AND_POSTCODE_IN_CAPITALS})"
# A number then a unit or a count's noun is a quantity, not a house (`2 TB HARD DRIVE`,
# `10 METERS SQUARE`, `3 BEDROOM TERRACE`, `5 STAR PLACE`).
_NO_MEASURE = (
    r"(?!(?:[KMGT]B|PX|MINS?|SECS?|HRS?|MS|DEGREES?|METERS?|METRES?|FT|FEET|INCH(?:ES)?|STARS?"
    r"|BEDROOMS?|BEDS?|BR|BATHS?|X|TIMES|PCS|UNITS|ITEMS)(?![\p{L}'\u2019.-]))"
)
# Where a French street's name in capitals ends: the line, punctuation, a postcode or a word
# in lower case; not another word in capitals (`2 AVENUE RECORDS IMPORTED FROM OSM`).
_CAPITALS_END = r"(?=\s*$|\s*[,;.:)\]\"'`]|\s+\d{4,5}(?!\w)|\s+\p{Ll})"
_FRENCH_PARTICLES_IN_CAPITALS = r"(?:(?:DE|DU|DES|LA|LE|LES|D['\u2019]|L['\u2019])\s*)"
# A street's name in capitals is no particle alone (`STEP 5 RUE DE 7`, `LOADED 5 RUE DE 7`).
_FRENCH_NAME_IN_CAPITALS = rf"(?!(?:DE|DU|DES|LA|LE|LES)(?![\p{{L}}'\u2019.-])){_CAPITAL_WORD}"
# A number after a street's name in capitals is a house's, not a year's (`PIAZZA AFFARI 2024`,
# `BOULEVARD NIGHTS 1979`), and ends the address (`EN LA CALLE HAY 3 COCHES`).
_HOUSE_NUMBER_IN_CAPITALS = (
    r"(?!(?:19|20)\d\d(?!\w))\d{1,5}[A-Z]?(?:[-/]\d{1,4}[A-Z]?)?(?![\w-])"
    rf"(?={_CAPITALS_CLAUSE_END}|[ \t]+{_POSTCODE_IN_CAPITALS}"
    r"|[ \t]+(?:M\.|LOK\.|PISO|DTO\.?)[ \t])"
)


class StreetAddressRecognizer(PatternRecognizer):
    """Street addresses recognised by their shape: a house number and a street-type word.

    The type words are the grammar of addresses in many languages (before or after the
    name, or fused into it as in `Hauptstraße`), not a list of real street names.
    """

    def __init__(self) -> None:
        number = r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?"
        unit = r"(?:,?\s+(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|#)\s*[\w-]{1,6})?"
        super().__init__(
            supported_entity="LOCATION",
            name="StreetAddressRecognizer",
            patterns=[
                Pattern(
                    "number, name, street type",
                    rf"(?<![\w.-]){number},?\s+(?:{_NAME_WORD}\s+){{0,3}}{_STREET_NAME_WORD}\s+"
                    rf"{STREET_AFTER_NUMBER}(?!\w){unit}",
                    0.6,
                    any_word_of(STREET_AFTER_NUMBER),
                ),
                Pattern(  # `527 Mayer Shore Apt. 148`: the unit says it is an address
                    "number, name, street type that is an everyday word too, unit",
                    rf"(?<![\w.-]){number}\s+(?:{_NAME_WORD}\s+){{0,3}}{_STREET_NAME_WORD}\s+"
                    rf"{EVERYDAY_STREET_TYPES},?\s+(?:Apt\.?|Apartment|Suite|Ste\.?)"
                    r"\s*[\w-]{1,6}",
                    0.6,
                    any_word_of(EVERYDAY_STREET_TYPES),
                ),
                Pattern(  # `1236 Davis Locks, West Amandamouth, MN 88689`
                    "number, name, street type that is an everyday word too, town, state, ZIP",
                    rf"(?<![\w.-]){number}\s+(?:{_NAME_WORD}\s+){{0,3}}{_STREET_NAME_WORD}\s+"
                    rf"{EVERYDAY_STREET_TYPES}(?=,?\s+{_US_TOWN},\s+[A-Z]{{2}}\s+"
                    r"\d{5}(?:-\d{4})?(?![\w-]))",
                    0.6,
                    any_word_of(EVERYDAY_STREET_TYPES),
                ),
                Pattern(
                    "number, name, street type, in capitals",
                    rf"(?<![\w.-])(?=\d){_CAPITALS_START}{number},?\s+{_NO_MEASURE}"
                    rf"(?:{_CAPITAL_WORD}\s+){{0,2}}"
                    rf"{_CAPITAL_STREET_NAME_WORD}\s+{STREET_AFTER_NUMBER_IN_CAPITALS}(?!\w)"
                    rf"(?:\s+(?:N|S|E|W|NE|NW|SE|SW)(?!\w))?{_CAPITAL_UNIT}"
                    rf"{_TOWN_AND_POSTCODE_IN_CAPITALS}?{_STREET_IN_CAPITALS_END}",
                    0.6,
                    any_word_of(STREET_AFTER_NUMBER_IN_CAPITALS),
                ),
                Pattern(
                    "number, street type, name, in capitals",
                    rf"(?<![\w.-])(?=\d){_CAPITALS_START}{number}(?:\s*(?:BIS|TER))?,?\s+"
                    rf"{STREET_BEFORE_NUMBERED_NAME_IN_CAPITALS}\s+{_FRENCH_PARTICLES_IN_CAPITALS}{{0,2}}"
                    rf"{_FRENCH_NAME_IN_CAPITALS}(?:[\s-]+{_CAPITAL_WORD}){{0,2}}{_CAPITALS_END}",
                    0.6,
                    any_word_of(STREET_BEFORE_NUMBERED_NAME_IN_CAPITALS),
                ),
                Pattern(
                    "street type, name, number, in capitals",
                    rf"(?<!\w){STREET_BEFORE_NAME_IN_CAPITALS}\s+(?:{_CAPITAL_WORD}\s+){{0,3}}?"
                    rf"{_FRENCH_NAME_IN_CAPITALS},?\s+(?:NO\.?\s*)?{_HOUSE_NUMBER_IN_CAPITALS}",
                    0.6,
                    any_word_of(STREET_BEFORE_NAME_IN_CAPITALS),
                ),
                Pattern(
                    "street type, name, number",
                    rf"(?<!\w){STREET_BEFORE_NAME}\s+(?:[\p{{L}}'\u2019.-]+\s+){{0,4}}?"
                    rf"(?:[\p{{L}}'\u2019.-]+,?\s+)(?:No\.?\s*)?{number}(?![\w-])",
                    0.6,
                    any_word_of(STREET_BEFORE_NAME),
                ),
                Pattern(
                    "Spanish or Portuguese street type, name, N° and number",
                    rf"(?<!\w){STREET_BEFORE_A_NUMBER_SIGN}\s+(?:[\p{{L}}'\u2019.-]+\s+){{0,4}}?"
                    rf"(?:\p{{Lu}}[\p{{L}}'\u2019.-]*|\d{{1,4}}),?\s+N\.?[°º]\.?\s*{number}(?![\w])",
                    0.6,
                    any_word_of(STREET_BEFORE_A_NUMBER_SIGN),
                ),
                Pattern(
                    "number, street type, name",
                    rf"(?<![\w.-]){number},?\s+{STREET_BEFORE_NAME}\s+(?:[\p{{L}}'\u2019-]+\s+){{0,3}}"
                    rf"{_NAME_WORD}",
                    0.6,
                    any_word_of(STREET_BEFORE_NAME),
                ),
                Pattern(
                    "number, lower-case street type, name",
                    rf"(?<![\w.-]){number}(?:\s*(?:bis|ter))?,?\s+"
                    rf"(?:(?:rue|avenue|boulevard|bd|allée|quai)\s+{_FRENCH_PARTICLES}?"
                    rf"|(?:chemin|impasse)\s+{_FRENCH_PARTICLES})"
                    rf"{_FRENCH_NAME_WORD}",
                    0.6,
                    any_word_of(STREET_BEFORE_NAME_IN_LOWER_CASE),
                ),
                Pattern(
                    "lower-case street type, particle, name, number",
                    rf"(?<![\w.-])(?:rue|avenue|boulevard|bd|allée|quai|chemin|impasse)\s+"
                    rf"{_FRENCH_PARTICLES}{_FRENCH_NAME_WORD}(?:\s+{_FRENCH_NAME_WORD})?,?\s+"
                    rf"{number}(?![\w-])",
                    0.6,
                    any_word_of(STREET_BEFORE_NAME_IN_LOWER_CASE),
                ),
                Pattern(  # `boulevard Voltaire 3`; not `le chemin Windows 3`: needs context
                    "lower-case street type, name, number",
                    rf"(?<![\w.-])(?:rue|avenue|boulevard|bd|allée|quai|chemin|impasse)\s+"
                    rf"{_FRENCH_NAME_WORD}(?:\s+{_FRENCH_NAME_WORD})?,?\s+{number}(?![\w-])",
                    _NEEDS_CONTEXT,
                    any_word_of(STREET_BEFORE_NAME_IN_LOWER_CASE),
                ),
                Pattern(  # `Jacobshof 3`, `Frankrijklei 12`; not `Bahnhof 3`: needs context
                    "name with a street suffix that ends nouns too, number",
                    rf"(?<!\w)\p{{Lu}}{_THEN_NUMBER}[\p{{L}}'\u2019-]{{2,}}"
                    rf"(?i:{STREET_AFTER_NAME_WITH_CONTEXT})\s+(?:No[.:]?\s*)?{number}(?![\w-])",
                    _NEEDS_CONTEXT,
                    any_word_ending_in(STREET_AFTER_NAME_WITH_CONTEXT),
                ),
                Pattern(
                    "name with street suffix, number",
                    rf"(?<!\w)(?:{_NAME_WORD}\s+){{0,3}}\p{{Lu}}{_THEN_NUMBER}[\p{{L}}'\u2019-]{{2,}}"
                    rf"(?i:{STREET_AFTER_NAME})\s+(?:No[.:]?\s*)?{number}(?![\w-])",
                    0.6,
                ),
                Pattern(
                    "lower-case name with street suffix, number",
                    rf"(?<![\w.-])\p{{Ll}}[\p{{Ll}}'\u2019-]{{2,}}{STREET_AFTER_NAME_IN_LOWER_CASE}\s+"
                    rf"{number}(?![\w-])",
                    0.6,
                    any_word_ending_in(STREET_AFTER_NAME_IN_LOWER_CASE),
                ),
                Pattern(
                    "grid street, number, cross street and distance",
                    rf"(?<!\w){GRID_STREET}\s+\d{{1,3}}[ªº]?[A-Z]?(?:\s+Bis(?:\s+[A-Z])?)?\s*"
                    rf"(?:#|No\.?|N[°º])\s*\d{{1,3}}[A-Z]?\s?-\s?\d{{1,3}}(?![\w-])",
                    0.6,
                    any_word_of(GRID_STREET),
                ),
                Pattern(
                    "name, street type word, number",
                    rf"(?<!\w)(?:{_NAME_WORD}\s+){{1,3}}{_THEN_NUMBER}{TYPE_WORD_AFTER_NAME}\s+"
                    rf"(?:No[.:]?\s*)?{number}(?![\w-])",
                    0.6,
                    any_word_of(TYPE_WORD_AFTER_NAME),
                ),
            ],
            context=list(ADDRESS_WORDS),
            global_regex_flags=CASE_SENSITIVE,
        )
