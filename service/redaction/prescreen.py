"""Cheap per-line checks that decide which recognisers are worth running on a line.

Most log lines carry no personal data; for them these checks are all that runs. Word checks
work on the set of lower-case words of the line, built once per line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from service.redaction.keys import (
    CALL_VERB_REGIONS,
    DATE_OF_BIRTH_PARTS,
    ENGLISH_PHONE_LABELS,
    PHONE_WORDS_ABROAD,
)
from service.redaction.street_types import EVERYDAY_STREET_WORDS, STREET_SUFFIXES, STREET_WORDS

# A birth key's words, and the words that say born (`né le`, `nacido el`, `geboren am`).
BIRTH_WORDS = DATE_OF_BIRTH_PARTS | frozenset(
    ("geboren", "né", "née", "ne", "nee", "nacido", "nacida", "nato", "nata", "nascido",
     "nascida")
)  # fmt: skip
# A phone key's words, the phone recogniser's context words, and the other languages' labels
# it reads right before a number (`phone._LABEL_RIGHT_BEFORE`).
PHONE_WORDS = (
    ENGLISH_PHONE_LABELS | PHONE_WORDS_ABROAD | frozenset(CALL_VERB_REGIONS) | frozenset(("tél",))
)

# Each pattern starts with the character it needs and looks behind only after it: Python's
# `re` then skips to candidate characters instead of trying a lookbehind at every position
# (two to three times faster on log lines; same lines match).
# A card number may be glued to a word (`pan_4111…`): only a digit, `.` or `+` before it
# rules it out here.
_CARD = re.compile(r"[2-68](?<![\d.+][2-68])(?:[ -]?\d){12,18}(?!\d)")
_IBAN = re.compile(r"[A-Z]{2}\d{2} ?[A-Z0-9]{4}")
_SSN = re.compile(r"\d(?<!\d\d)\d\d[- ]?\d{2}[- ]?\d{4}(?!\d)")
# An IPv4 address's dotted digits, an IPv6 address's hex groups (or `::`): each pattern starts
# at its separator and looks behind for the digit before it (five times faster than one
# alternation of the three tried at every character; the same lines match).
_IPV4 = re.compile(r"\.(?<=\d\.)\d{1,3}\.\d{1,3}\.\d")
_IPV6 = re.compile(r":(?<=[0-9A-Fa-f]:)[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:")
_PHONE_INTERNATIONAL = re.compile(r"(?:\+|\b00)[1-9][\d ().-]{5,}")
_PHONE_AREA_CODE = re.compile(r"\(\d{2,5}\)")
_PHONE_TRUNK_PREFIX = re.compile(r"0(?<![\d.:-]0)\d{1,4}[ -]\d{2}")
_PHONE_NORTH_AMERICAN = re.compile(r"\d(?<![\w:,.$-]\d)\d\d[-.]\d{3}[-.]\d{4}(?!\d)")
_BRACKETED_AT = re.compile(r"[\[({<][ \t]*(?i:at)[ \t]*[\])}>]")
_BARE_DIGITS = re.compile(r"(?<![\w.:+/-])\d{7,12}(?![\w-]|\.\d)")
_DOTTED_PAIRS = re.compile(r"0(?<![\w.,:$+/-]0)[1-9](?:\.\d\d){4}")
# A number in groups with no trunk `0` (`612 345 678`), not inside another (`phone.SPACED`).
SPACED_GROUPS = r"(?<![\w.,:$+/-])(?<!\d )[1-9]\d{1,2}(?: \d{2,4}){2,4}(?![\w-]|\.\d| \d)"
_SPACED_GROUPS = re.compile(SPACED_GROUPS)
# The first letters of the words a number is glued to (`phone.GLUED`): `phoneno`, `tél`.
GLUED_LABELS = ("phone", "tel", "tél", "mobile", "fax", "msisdn")
_GLUED_TO_A_LABEL = re.compile(
    rf"(?i:{'|'.join(GLUED_LABELS)})(?:[^\W\d]|-){{0,10}}(?:\.:|[.:]) ?\+?\(?\d{{2}}"
)


# Words already seen without a street suffix: log lines repeat their words, so most of a
# line's words are removed with one set difference instead of each being tested against
# every suffix. Bounded: cleared when full.
_NO_STREET_SUFFIX: set[str] = set()
_NO_STREET_SUFFIX_MAX = 65536


# The street types that are everyday words (`trace`, `run`, `key`) wake the patterns only
# where a house number is followed by a capitalised word, as their patterns need.
_NUMBER_THEN_CAPITAL = re.compile(r"\d[ \t]+[^\W\d_a-z]")


def _street(text: str, words: frozenset[str]) -> bool:
    if not STREET_WORDS.isdisjoint(words):
        return True
    if not EVERYDAY_STREET_WORDS.isdisjoint(words) and _NUMBER_THEN_CAPITAL.search(text):
        return True
    unseen = words.difference(_NO_STREET_SUFFIX)
    if not unseen:
        return False
    if any(word.endswith(STREET_SUFFIXES) for word in unseen):
        return True
    if len(_NO_STREET_SUFFIX) > _NO_STREET_SUFFIX_MAX:
        _NO_STREET_SUFFIX.clear()
    _NO_STREET_SUFFIX.update(unseen)
    return False


def _phone(text: str, words: frozenset[str]) -> bool:
    if (
        (("+" in text or "00" in text) and _PHONE_INTERNATIONAL.search(text))
        or ("(" in text and _PHONE_AREA_CODE.search(text))
        or _PHONE_TRUNK_PREFIX.search(text)
        or _PHONE_NORTH_AMERICAN.search(text)
    ):
        return True
    if (
        any(word.startswith(GLUED_LABELS) for word in words)
        and _GLUED_TO_A_LABEL.search(text) is not None
    ):  # `PHONE:…`, `phoneNo:…`
        return True
    return not PHONE_WORDS.isdisjoint(words) and (
        _BARE_DIGITS.search(text) is not None
        or _DOTTED_PAIRS.search(text) is not None
        or _SPACED_GROUPS.search(text) is not None
    )


def _ip(text: str, words: frozenset[str]) -> bool:
    return (
        "::" in text
        or ("." in text and _IPV4.search(text) is not None)
        or (":" in text and _IPV6.search(text) is not None)
    )


def _ssn(text: str, words: frozenset[str]) -> bool:
    return _SSN.search(text) is not None


# A recogniser runs on a line only if its trigger says so.
TRIGGERS: dict[str, Callable[[str, frozenset[str]], bool]] = {
    "CardNumberRecognizer": lambda text, words: _CARD.search(text) is not None,
    "IbanChecksumRecognizer": lambda text, words: _IBAN.search(text) is not None,
    "EmailSuffixRecognizer": lambda text, words: (
        "@" in text or ("at" in words and _BRACKETED_AT.search(text) is not None)
    ),
    "UsSsnRecognizer": _ssn,
    "IpAddressRecognizer": _ip,
    "LabelledBirthDateRecognizer": lambda text, words: (
        not BIRTH_WORDS.isdisjoint(words) or "O.B" in text or "o.b" in text
    ),
    "StreetAddressRecognizer": _street,
    "PhoneNumberRecognizer": _phone,
}
