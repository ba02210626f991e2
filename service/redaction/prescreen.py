"""Cheap per-line checks that decide which recognisers are worth running on a line.

Most log lines carry no personal data; for them these checks are all that runs. Word checks
work on the set of lower-case words of the line, built once per line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORDS = re.compile(r"[^\W\d_]+")

STREET_WORDS = frozenset(
    """
    street avenue road lane boulevard drive way court place terrace close crescent square
    parkway highway circle trail row mews gardens grove hill walk alley plaza marg nagar salai
    path chowk quay wharf embankment esplanade promenade rise heights park green st ave rd ln
    blvd dr ct pl sq pkwy hwy cir tce cres rue bd chemin allée impasse quai calle avenida av
    avda paseo carrer camino rua travessa largo praça via viale piazza corso vicolo strada calea
    jalan jl lorong soi thanon đường duong phố pho ul ulica al aleja odos leoforos ulitsa
    prospekt sokak cadde caddesi mahallesi shari sharia tariq rehov derech gate gata vej utca út
    tér iela gatvė tänav cesta ulice náměstí sk cd pereulok jirón jr lalana mtaa barabara
    poghots gamziri kucha khiyaban dangyly calzada cerrada privada callejón andador circuito
    retorno prolongación periférico diagonal pasaje alameda estrada rodovia viela ladeira vila
    setor quadra conjunto gg bulevardul aleea intrarea drumul piața piata soseaua șoseaua
    splaiul ngõ hẻm số phường plac osiedle trg obala körút köz nábřeží třída
    námestie stræde allé plads torv gränd polku kaari bulevardi cad sok mah parade vale
    meadow meadows yard circus ridge causeway arcade wynd loop broadway carrera cra cl cr kr
    transversal tv dg ak ac bulvari blv c
    """.split()  # noqa: SIM905
)
STREET_SUFFIXES = (
    "gatan", "gade", "vegen", "veien", "vägen", "vegur", "tie", "katu", "kuja", "straat",
    "gracht", "laan", "weg", "dijk", "plein", "kade", "straße", "strasse", "str", "gasse",
    "platz", "allee", "damm", "ufer", "soka\u011f\u0131", "stígur", "stræde", "straede",
    "vænge", "plads", "torv", "gränd", "stigen", "torget", "backen", "leden", "stien", "bakken",
    "plassen", "polku", "kaari", "bulevardi", "raitti", "rinne", "bulvar\u0131", "vej", "gata",
)  # fmt: skip
BIRTH_WORDS = frozenset(
    ("dob", "birth", "birthdate", "birthday", "born", "naissance", "geburtsdatum", "geboren",
     "nacimiento", "nascita")
)  # fmt: skip
PHONE_WORDS = frozenset(
    ("phone", "tel", "telephone", "mobile", "cell", "msisdn", "fax", "call", "sms")
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


def line_words(text: str) -> frozenset[str]:
    return frozenset(_WORDS.findall(text.lower()))


# Words already seen without a street suffix: log lines repeat their words, so most of a
# line's words are removed with one set difference instead of each being tested against
# every suffix. Bounded: cleared when full.
_NO_STREET_SUFFIX: set[str] = set()
_NO_STREET_SUFFIX_MAX = 65536


def _street(text: str, words: frozenset[str]) -> bool:
    if not STREET_WORDS.isdisjoint(words):
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
    return not PHONE_WORDS.isdisjoint(words) and _BARE_DIGITS.search(text) is not None


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
