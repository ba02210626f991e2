"""The whole of an unquoted address under an address key.

`address: House 14, Road 27, Block C, Banani, Dhaka 1213` names its key, but an unquoted
value is cut at its first space, and the street patterns knew only `House 14`: the rest of
the address stayed readable. Under a key that names an address, the value runs on over
comma-separated parts as long as each part is written as address parts are: capitalised
words, numbers, single letters, postcodes and state codes, and a few lower-case particles
(`55 Rue de Rivoli, 75001 Paris`). It ends at the first word that is none of these (`…,
Leeds LS1 4AP updated by ops` ends before `updated`), at a separator or quote, or at the
next key.

Keys such as `bind_address`, `peer_address` and `mgmt_addr` also hold machines: a value
that starts with an IP address, a host name, a port, a MAC or a hexadecimal number is no
street address and is left to the other recognisers (`mgmt_addr: 10.0.0.8 VLAN 12, MTU
9000` keeps `VLAN 12, MTU 9000`), as is a part that names network or cluster things.
"""

from __future__ import annotations

import regex

from service.redaction.addresses import LETTERED_POSTAL
from service.redaction.names import NAME_PARTICLE
from service.redaction.street_types import STREET_WORDS
from service.redaction.words import line_words

# Where a value ends whatever it holds: a separator, a quote or bracket, the next key.
_VALUE_END = regex.compile(r"[;|\t\"'()\[\]{}<>]|(?<![ \t])[ \t]++[a-z_][\w.-]*+[=:]|$")
# No address is longer; the search for the value's end looks no further.
_MAX_ADDRESS_LENGTH = 200
_TITLE_WORD = regex.compile(r"\p{Lu}[\p{Ll}\p{M}'\u2019.]*(?:-\p{L}[\p{Ll}\p{M}'\u2019.]*)*")
# A house, unit or postal number (`14`, `221B`, `4-2-8`, `00-590`, `5th`, `3º`), not a
# version, an amount or a wallet (`2.4.1`, `0.5`, `3J98t1WpEZ73…`).
_NUMBER = regex.compile(
    r"(?:No\.?|Nr\.?|#)?\d{1,6}(?:[/-]\d{1,5})*(?:[A-Za-z]{1,2}|st|nd|rd|th|[º°ª][A-Za-z]?)?\.?"
)
# An address opens with a number, a capitalised word or a post box, never with a code
# (`DB01, Slot 3`, `DC1, Cage 7`).
_PO_BOX = regex.compile(r"P\.?O\.?")
# Postcodes, state and city codes in capitals: `NW1`, `6XE`, `SW1A`, `CA`, `HCM`; a single
# letter (`Block C`).
_CAPITALS = regex.compile(r"[A-Z]{1,3}|(?=[A-Z\d]*\d)[A-Z\d]{2,4}")
# Lower-case words an address is written with besides its name's particles (`de`, `van`)
# and its street and unit words (`rue`, `flat`): `3 bis`, `piso 2`, `apto 4`, `m`.
_LOWER_CASE_ADDRESS_WORDS = frozenset(("bis", "ter", "piso", "apto", "fl", "m"))
# Words of machines, releases and orders: a part holding one is no part of a street address
# (`Node 3, Rack 12`, `Chassis 4, Slot 2`, `Version 3, Build 12`, `Leeds, Paid 40 EUR`).
_NOT_ADDRESS_WORDS = frozenset(
    """
    localhost port vlan mtu host hostname server node rack cluster zone region pod shard
    replica standby subnet gateway interface eth tcp udp http https chassis slot blade cage
    broker partition link tier group groups contacts build release version rev bmc ilo
    order invoice total paid amount fee seats plan items eur usd gbp btc eth ltc network tx
    true false yes any none null unknown default disabled error status queue priority retries
    timeout backlog workers cache console baud label batch carrier qty bundle monthly annual
    decimals symbol token
    """.split()  # noqa: SIM905
)
_MACHINE_START = regex.compile(
    r"\d{1,3}(?:\.\d{1,3}){3}"  # IPv4
    r"|[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}"  # MAC
    r"|0[xX][0-9A-Fa-f]"  # hexadecimal
    r"|[\w-]+(?:\.[\w-]+)+"  # a host name or a dotted version
    r"|[\w.-]*:\d"  # a host and port, or an IPv6 address
    r"|[\w-]*::"
)
# An address names its street, unit, box or ward with one of these (`Road`, `Rue`, `Flat`,
# `Box`, `Phường`).
ADDRESS_WORDS = STREET_WORDS | frozenset(
    """
    house plot flat apt apartment unit suite floor block room building tower lot box
    ward district phuong quan woreda kebele
    """.split()  # noqa: SIM905
)
# A postal code before its town (`75001 Paris`, `1000-004 Lisboa`) or in letters and digits
# (`HG1 2QT`, `H3B 1A1`).
_POSTAL_CODE = regex.compile(rf"^\d{{4,6}}(?:-\d{{3,4}})?[ \t]+\p{{Lu}}|\b(?:{LETTERED_POSTAL})\b")
_MAX_WORDS_IN_A_PART = 6
_WORD = regex.compile(r"\S+")


def keyed_address_end(text: str, start: int) -> int | None:
    """Where the address that starts at `start` under an address key ends, when it is written
    in two or more comma-separated parts; None if the value is not such an address."""
    if _MACHINE_START.match(text, start) or not _opens_an_address(text, start):
        return None
    stop = _VALUE_END.search(text, start, min(len(text), start + _MAX_ADDRESS_LENGTH))
    value_end = stop.start() if stop is not None else start
    position, end = start, None
    later_parts: list[str] = []
    while position < value_end:
        comma = text.find(",", position, value_end)
        part_end = value_end if comma == -1 else comma
        kept = _address_words_end(text, position, part_end)
        cut_by_a_word = kept is not None and text[kept:part_end].lstrip()[:1].isalnum()
        if kept is None or (end is not None and cut_by_a_word):
            break  # a part cut short by a word is none (`…, Leeds, 3 items, total 40`)
        if end is not None:
            later_parts.append(text[position:kept])
        end = kept
        if kept < part_end or comma == -1:
            break
        position = comma + 1
    if end is None or not any(char.isdigit() for char in text[start:end]):
        return None
    if not any(map(_places_a_part, later_parts)):
        return None  # `Console 1, Baud 9600`, `Block 4096, Sector 8, Head 2`: no place after
    return end


def _places_a_part(part: str) -> bool:
    """A part after the first that belongs to an address: a street, unit, box or ward word
    (`Road 27`, `Phường 7`), a place's name (`Banani`, `TP HCM`), or a postal code (`75001
    Paris`, `Harrogate HG1 2QT`); not `Sector 8` nor `Register 40001`, which a town and its
    postal code (`Dhaka 1213`) look like too."""
    part = part.strip()
    return (
        not ADDRESS_WORDS.isdisjoint(line_words(part))
        or not any(char.isdigit() for char in part)
        or _POSTAL_CODE.search(part) is not None
    )


def _address_words_end(text: str, start: int, end: int) -> int | None:
    """The end of the run of address words that opens `text[start:end]`, None if none does."""
    last = None
    words = 0
    for word in _WORD.finditer(text, start, end):
        token = word.group()
        if words == _MAX_WORDS_IN_A_PART or token.lower().strip(".") in _NOT_ADDRESS_WORDS:
            break
        if not (
            _TITLE_WORD.fullmatch(token)
            or _NUMBER.fullmatch(token)
            or _CAPITALS.fullmatch(token)
            or _a_lower_case_address_word(token.rstrip("."))
        ):
            break
        last, words = word.end(), words + 1
    return last


def _opens_an_address(text: str, start: int) -> bool:
    first = _WORD.match(text, start)
    if first is None:
        return False
    token = first.group().rstrip(",")
    return bool(
        _NUMBER.fullmatch(token) or _TITLE_WORD.fullmatch(token) or _PO_BOX.fullmatch(token)
    )


def _a_lower_case_address_word(word: str) -> bool:
    return (
        word in _LOWER_CASE_ADDRESS_WORDS
        or word in ADDRESS_WORDS
        or NAME_PARTICLE.fullmatch(word) is not None
    )
