"""Cheap checks that skip work must never lose a match.

A pattern is skipped on an ASCII line without the literal words it needs (`Pattern.needs`).
Each gated street pattern is run on lines built around every street word the pre-screen knows,
in several casings and with a trailing dot, and wherever the pattern matches, its gate must
have let the line through. Lines an attacker's review found the first version losing (a
superscript glued to the type word, a dotted capital I or a long s in a case-insensitive word)
must be read as without the gate. The IP address trigger is held to the recogniser the same
way."""

from __future__ import annotations

import ipaddress
import random

import pytest

from service.redaction.prescreen import TRIGGERS
from service.redaction.recognizers import StreetAddressRecognizer
from service.redaction.redactor import Redactor
from service.redaction.street_types import EVERYDAY_STREET_WORDS, STREET_SUFFIXES, STREET_WORDS
from service.redaction.words import line_words

SHAPES = (
    "shipped to 12 Oak {w} today",
    "shipped to 12 Oak {w} Apt. 4",
    "shipped to 12 Oak {w}, Springfield, IL 62701",
    "shipped to 12 {w} Oak Tree today",
    "shipped to {w} Oak Tree 12 today",
    "shipped to {w} 26 # 57-41 today",
    "shipped to Karl Johans {w} 22 today",
    "shipped to Kossuth Lajos {w} No. 7",
    "SHIPPED TO 12 OAK {w}, SPRINGFIELD",
    "SHIPPED TO 12 {w} DE LA PAIX, PARIS",
    "SHIPPED TO {w} OAK TREE 12, PARIS",
    "shipped to {w} San Martin N\u00b0 455 today",
    "shipped to lange{w} 7 today",
    "shipped to Lange{w} 7 today",
    "shipped to {w} de Bovet 93 today",
)


def _variants(word: str) -> set[str]:
    forms = {word, word.capitalize(), word.upper(), word.title()}
    return forms | {form + "." for form in forms}


def _lines() -> list[str]:
    words = (
        STREET_WORDS
        | EVERYDAY_STREET_WORDS
        | set(STREET_SUFFIXES)
        | {"meadow", "shari'", "c/", "n°"}
    )
    return [
        shape.format(w=form)
        for word in sorted(words)
        for form in _variants(word)
        for shape in SHAPES
    ]


def test_every_street_pattern_but_one_is_gated() -> None:
    gated = [pattern.needs is not None for pattern in StreetAddressRecognizer().patterns]
    assert gated.count(True) == len(gated) - 1


GATED = [
    index
    for index, pattern in enumerate(StreetAddressRecognizer().patterns)
    if pattern.needs is not None
]


@pytest.mark.parametrize("index", GATED)
def test_a_gate_lets_through_every_line_its_pattern_matches(index: int) -> None:
    recognizer = StreetAddressRecognizer()
    pattern = recognizer.patterns[index]
    compiled = recognizer._compiled[index][0]
    matched = [line for line in _lines() if compiled.search(line)]
    assert matched, "the shapes exercise this pattern"
    # The gate is consulted on ASCII lines only (a pattern with `N°` never matches one).
    refused = [line for line in matched if line.isascii() and not pattern.needs(line_words(line))]
    assert refused == []


def test_gated_and_ungated_findings_agree_on_address_lines() -> None:
    recognizer = StreetAddressRecognizer()
    lines = _lines()
    gated = [recognizer.analyze(line, line_words(line)) for line in lines]
    ungated = [recognizer.analyze(line) for line in lines]
    assert gated == ungated
    assert sum(bool(found) for found in gated) > 500  # 832 addresses when this was written


@pytest.mark.parametrize(
    "line",
    [
        "Ship to 12 Main Street\u00b2 please",
        "Ship to 12 Main St\u00b2 please",
        "address: \u00b2Rue de Rivoli 5",
        "address: \u00b9Calle 26 # 57-41",
        "10/2 Old Town Wharf\u2083",
        "address=\u0b76Avenida 26\u00a0# 57-41",
        "Oslo Storgata Ve\u0130en 4",
        "STORGATA VE\u0130EN 4, 0150 OSLO",
        "Kalnu \u0130ela 4",
        "Lenina Ulit\u017fa 5",
        "Atat\u00fcrk \u017fokak 5",
        "Ship to 12 Main Street\u00b9 (see note 1); billing Calle Mayor 12",
    ],
)
def test_lines_the_gate_cannot_read_are_read_without_it(line: str) -> None:
    recognizer = StreetAddressRecognizer()
    ungated = recognizer.analyze(line)
    assert ungated, "the recogniser finds the address"
    assert recognizer.analyze(line, line_words(line)) == ungated


def _addresses() -> list[str]:
    rng = random.Random(20261206)
    found = ["::1", "::", "fe80::1", "2001:db8::8a2e:370:7334", "0.0.0.0", "255.255.255.255"]
    for _ in range(300):
        found.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
        v6 = ipaddress.IPv6Address(rng.getrandbits(128))
        found += [str(v6), v6.exploded, v6.exploded.upper()]
    return found


@pytest.mark.parametrize(
    "shape", ["client={ip} GET /", "from [{ip}]:443", "{ip}", "ip={ip},port=1", "ip:{ip},port=1"]
)
def test_the_ip_trigger_fires_wherever_the_recogniser_finds_an_address(shape: str) -> None:
    from service.redaction.recognizers import IpAddressRecognizer

    recognizer = IpAddressRecognizer()
    trigger = TRIGGERS["IpAddressRecognizer"]
    lines = [shape.format(ip=address) for address in _addresses()]
    found = [line for line in lines if recognizer.analyze(line)]
    assert len(found) >= 300  # the recogniser finds addresses in this shape
    assert [line for line in found if not trigger(line, line_words(line))] == []


def test_every_type_word_a_street_pattern_needs_makes_the_street_trigger_fire() -> None:
    """The trigger and the patterns' gates read one list: a type word only the patterns knew
    (`Estate`, `Gang`) let `Kilimani Estate 22` through as a person's name, number readable."""
    from service.redaction import street_types

    alternations = (
        street_types.STREET_AFTER_NUMBER,
        street_types.STREET_BEFORE_NAME,
        street_types.TYPE_WORD_AFTER_NAME,
        street_types.GRID_STREET,
    )
    words = frozenset().union(*map(street_types.literal_words, alternations))
    words -= street_types.TOO_COMMON_TO_TRIGGER
    trigger = TRIGGERS["StreetAddressRecognizer"]
    assert {"estate", "gang", "street", "calle"} <= words
    assert [word for word in words if not trigger(f"at {word} 12", frozenset({"at", word}))] == []


@pytest.mark.parametrize(
    ("line", "address"),
    [
        ("delivered to Kilimani Estate 22, Nairobi", "Kilimani Estate 22"),
        ("ship to Gang Mawar 12, Jakarta", "Gang Mawar 12"),
    ],
)
def test_streets_whose_type_word_only_the_patterns_listed_are_found(
    redactor: Redactor, line: str, address: str
) -> None:
    assert redactor.redact(line).text == line.replace(address, "<LOCATION>")


@pytest.mark.parametrize(
    "line",
    [
        "Cache put 3 entries for tenant acme",
        "Prize pot 500 credits awarded to 3 winners",
        "GET /v1/x 200 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15",
    ],
)
def test_type_words_that_are_common_words_of_logs_wake_no_street_pattern(
    redactor: Redactor, line: str
) -> None:
    """Review finding: `put`, `pot` (Slovene) and `os.` (Polish) in the trigger made the street
    patterns run on these lines, and take `Cache put 3` for an address."""
    assert not TRIGGERS["StreetAddressRecognizer"](line, line_words(line))
    assert redactor.redact(line).text == line


def test_a_type_word_only_a_fused_suffix_knows_still_wakes_the_street_patterns(
    redactor: Redactor,
) -> None:
    """Review finding: `Allé` (Danish) left the trigger's words with the move to one list."""
    line = "Kauppatori 1 Helsinki, Frederiksberg Allé 12"
    assert redactor.redact(line).text.startswith("<LOCATION> ")
