"""Address shapes the street-type patterns do not cover, and whole-span widening.

- Japanese block numbers (`2-14-3 Nishiazabu`, `Kitahama 1-19-19, Kita-ku`);
- a street name and number followed by a postal code and a place (`Lánovská 20, 715 23 X`),
  for streets written without a type word;
- widening: once an address is found, the plot or house prefix before it (`Plot 12, …`,
  `H.No. 4, …`) and the unit, block, apartment and ward parts after it (`Nr. 8 Bl. 4 Ap. 6`,
  `Interior 3`, `No:8 D:3`, `, Aoba-ku`) are redacted with it: no half-visible addresses;
  so are the numbered parts written before the part recognised (a house number, then an
  alley or lane and its number, then the street: `12 Lane 4 Alley 9 X Road 3`; a floor or
  building then a comma) and a comma-separated part ending in a number after it. Only
  parts that hold a number count, so a name before an address (`Jo Bloggs, 4 X Street`)
  stays. The town, state and postal code after the street go with it when the postal code is
  there (`, London SW1A 2AA`, `, Springfield, IL 62704`, `, 10115 Berlin`): a postal code and
  town narrow an address to a few households.
"""

from __future__ import annotations

import re

import regex

from service.redaction.values import names_a_thing

_WARD = r"\p{Lu}[\p{L}]+-(?:ku|shi|cho|machi|gun|mura)\b"
_JAPANESE = regex.compile(
    r"(?<![\w-])(?:\d{1,2}-\d{1,3}-\d{1,3}\s+\p{Lu}[\p{L}-]+(?:\s+\p{Lu}[\p{L}-]+)?"
    r"|\p{Lu}[\p{L}-]+\s+\d{1,2}-\d{1,3}-\d{1,3})"
    rf"(?![\w-])(?:,\s*{_WARD})?"
)
# Districts numbered by chōme (and Sapporo's jō): `Shinjuku 3-chome 4-1`, and as map services
# write them, the district after: `5 Chome-2-1 Ginza`.
_CHOME = regex.compile(
    r"(?<![\w-])(?:(?:\p{Lu}[\p{L}-]+\s+){1,2}\d{1,2}-(?:chome|chōme|jo|jō)"
    r"(?:\s+\p{Lu}[\p{L}-]+\s+\d{1,2}-(?:chome|chōme|jo|jō))*\s+\d{1,3}(?:-\d{1,3}){0,2}"
    r"|\d{1,2}\s+(?i:chome|chōme)-\d{1,3}(?:-\d{1,3})?(?:\s+\p{Lu}[\p{L}-]+)?)(?![\w-])"
)
# Ethiopian kebele and woreda numbers with the house number (`Woreda 03, House No 1234`).
_HOUSE_IN_WOREDA = regex.compile(
    r"(?<!\w)(?:(?:(?:Woreda|Kebele)\s+\d{1,3},?\s+){1,2}House\s+(?:No\.?\s*)?\d{1,5}"
    r"|House\s+(?:No\.?\s*)?\d{1,5},?(?:\s+(?:Woreda|Kebele)\s+\d{1,3},?){1,2})(?![\w-])"
)
# A postal code after a street and number; years (19xx, 20xx) are not taken for one.
_POSTAL = (
    r"(?:[A-Z]{1,2}-)?(?:\d{3} \d{2}|\d{2}-\d{3}|\d{5}-\d{3}|\d{3}-\d{4}|\d{5,6}"
    r"|(?!19|20)\d{4})"
)
_STREET_BEFORE_POSTCODE = regex.compile(
    r"(?<![\w.-])(\p{Lu}[\p{L}'\u2019.-]+(?:\s+\p{L}[\p{L}'\u2019.-]*){0,3}\s+\d{1,4}[a-zA-Z]?)"
    rf"\.?['\"]?,\s+{_POSTAL}\s+\p{{Lu}}"
)
# Plot, house, unit and lane parts before a street, each perhaps numbered (`Plot No. 12, `,
# `Flat 2, `, `Số 15 Ngõ `); several may follow each other.
_PREFIX = regex.compile(
    r"(?:(?<![\w.])(?:Plot|Stand|Erf|Lot|Lô|House|Block|Blk\.?|H\.\s?No\.?|Số|Flat|Apt\.?"
    r"|Apartment|Unit|Suite|Ngõ|Ngách|Hẻm|hẻm|Kiệt|Khu\s+phố|Kiwanja|Nyumba"
    r"|(?:\p{Lu}[\p{L}]+\s+){1,2}(?:Mahallesi|Mah\.|Mh\.),?)"
    r"\s*(?:(?:No|Na|Nr)\.?\s*)?(?:\d+[A-Za-z]?(?:[/-]\d+[A-Za-z]?){0,2},?\s+)?)+$"
)
# Ward and district parts written after a street (`P.3, Q.3`, `Phường 6`, `Woreda 03`).
_ADMIN_PART = (
    r"(?:(?:Phường|Phuong|Quận|Quan|Huyện|Ward|District|Woreda|Kebele)\s+(?:\d{1,3}\b"
    r"|\p{Lu}[\p{L}\p{M}]*(?:\s\p{Lu}[\p{L}\p{M}]*){0,2})|(?:P|Q)\.\s?(?:\d{1,2}\b"
    r"|\p{Lu}\p{Ll}[\p{L}\p{M}]*(?:\s\p{Lu}[\p{L}\p{M}]*){0,2}))"
)
_SUFFIX = regex.compile(
    r"(?:,?\s*(?:No[.:]?\s*\d+[\w/-]*|Nr\.?\s*\d+\w*|Bl\.?\s*\w+|Sc\.?\s*\w+|Ap\.?\s*\d+\w*"
    r"|Apt\.?\s*\w+|Interior\s+\w+|Int\.?\s*\d+|Edif\.?\s*\w+|Depto\.?\s*\w+|D:\s?\d+"
    r"|Daire:?\s*\d+|Kat:?\s*\d+|Flat\s+\w+|Unit\s+\w+|Suite\s+\w+|#\s*[\w-]+"
    # Spanish floor and door (`Piso 5 Dto. B`, `Planta 2 Puerta 3`), Polish flat (`m. 15`)
    r"|(?:Piso|Planta|Puerta)\s+\w{1,4}(?!\w)|(?:Dpto|Dto)\.\s*\w{1,4}(?!\w)"
    r"|(?<=\d)\s+(?:m|lok)\.\s*\d+\w?(?!\w)"
    r"|(?:\d{1,5}\.?\s*)?(?:Sok(?:ak|ağ\u0131|agi)?|Sk|Cad(?:desi)?|Cd)\.?(?!\w)|apto\.?\s*\w+"
    r"|(?<=\p{L})\s\d{1,3}(?=,)"
    r"|" + _ADMIN_PART + "|" + _WARD + r"))+"
)


# Cheap checks first: a block number, or a number then a comma then another number.
# Starts with the digit it needs, then looks behind (so `re` skips to digits: 3x faster).
_BLOCK_NUMBER = re.compile(r"\d(?<![\d-]\d)\d?-\d{1,3}-\d{1,3}(?![\d-])")
_NUMBER_COMMA_NUMBER = re.compile(r"\d[a-zA-Z]?\.?['\"]?, (?:[A-Z]{1,2}-)?\d")


_HOUSE_NUMBER_PERIOD = re.compile(r"\d\.(?=[\s'\",;]|$)")

# Parts of one address written before the recognised part: each a run of up to four
# capitalised words and numbers ending in a number, or a number and capitalised words
# ending in a comma. Matched against the text before the address, anchored at its end.
_NUMBER = r"\d{1,5}(?:[/-]\d{1,4})*[A-Za-z]{0,2}\.?"
_CAPITALISED = r"\p{Lu}[\p{L}'\u2019.-]*"
_PART_BEFORE = regex.compile(
    rf"(?<![\w.'\u2019/-])(?:(?:{_CAPITALISED}\s+){{0,2}}{_NUMBER}\s+"
    rf"(?:(?:{_CAPITALISED}\s+){{0,3}}{_NUMBER}\s+|(?:{_CAPITALISED}\s+){{0,3}}{_CAPITALISED},\s+)?)$"
)
# A numbered part after it, perhaps after named parts (`, Ben Thanh, Quan 1`); one followed by
# a capitalised word is a postcode or box and its town (`, P.O. Box 88 Mbale`), which are not
# the street line.
_PART_AFTER = regex.compile(
    rf"\s*,\s*(?:(?:{_CAPITALISED}\s+){{0,2}}{_CAPITALISED},\s*){{0,2}}(?:{_CAPITALISED}\s+){{1,3}}"
    rf"\d{{1,5}}[A-Za-z]?(?![\w/-])(?![ \t]+\p{{Lu}})"
)
_REACH_BEFORE = 64

# The town and postal code after a street line, taken only with the postal code that makes
# them part of an address (`, London SW1A 2AA`, `, Springfield, IL 62704`, `, 10115 Berlin`,
# `, Montréal QC H3B 1A1`, `, 01310-200 São Paulo`, `, C1043AAB Buenos Aires`);
# a town alone (`12 Baker Street, London`) stays. A compass suffix (`Ave NW`) goes with it.
_TOWN = r"\p{Lu}[\p{L}\p{M}'\u2019.-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}'\u2019.-]*){0,2}"
# British and Canadian postal codes, in letters and digits (`SW1A 2AA`, `H3B 1A1`).
LETTERED_POSTAL = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"
_ANY_POSTAL = (
    rf"(?:{LETTERED_POSTAL}"
    r"|\d{5}(?:-\d{4})?|\d{3}[ \t]\d{2}|\d{2}-\d{3}"
    r"|\d{4}-\d{3}|\d{5}-\d{3}"
    # Argentina's CPA: the province's letter, the four digits, the block's letters (`C1043AAB`)
    r"|[A-HJ-NP-Z]\d{4}[A-Z]{3}"
    r"|\d{4,6})(?![\w-])"
)
# A floor or door between the street and the postal code (`, 3º izq.`, `, 2ºB`, `, 4 dcha.`),
# taken only with the postal code after it.
_FLOOR_OR_DOOR = r"(?:,[ \t]*\d{1,3}[º°ª]?[A-Za-z]?\.?(?:[ \t]+\p{Ll}{1,6}\.?)?)?"
_COMPASS = regex.compile(r"[ \t]+(?:NE|NW|SE|SW|N|S|E|W)\b\.?(?![\w-])")
_TOWN_AND_POSTAL = regex.compile(
    rf"{_FLOOR_OR_DOOR}(?:,?[ \t]*{_ANY_POSTAL}[ \t]+{_TOWN}"
    rf"|,[ \t]*{_TOWN}(?:,[ \t]*{_TOWN})?,?[ \t]+(?:[A-Z]{{2}}[ \t]+)?{_ANY_POSTAL}"
    # Brazil's `- Bela Vista, São Paulo - SP, 01310-200`: district, city and state set off
    # by dashes, then the CEP.
    rf"|[ \t]+-[ \t]+{_TOWN}(?:,[ \t]*{_TOWN})?[ \t]+-[ \t]+[A-Z]{{2}},?[ \t]+"
    r"\d{5}-\d{3}(?![\w-]))"
)
# Japan's `123-4567`, only after a ward (`Minato-ku, Tokyo 106-0032`): elsewhere it is as
# often a phone number's local part.
_JAPANESE_TOWN_AND_POSTAL = regex.compile(rf",[ \t]*{_TOWN}[ \t]+〒?\d{{3}}-\d{{4}}(?![\w-])")
_ENDS_IN_A_WARD = regex.compile(rf"{_WARD}\Z")
_TOWN_AFTER_POSTAL = regex.compile(rf"(?<=,[ \t]*{_ANY_POSTAL})[ \t]+{_TOWN}")


# A house number, then a street name with no type word, then a comma and more capitalised
# parts (`12 Nguyen Trai, Phuong 7`, `88 Tran Hung Dao, Hoan Kiem`): many countries write no
# street type. The detector keeps one only if a word of the name is no English word.
_CAPITALISED_WORD = r"\p{Lu}[\p{Ll}\p{M}'\u2019]*"
_UNMARKED_STREET = regex.compile(
    rf"(?<![\w.,/:#+-])\d{{1,4}}[A-Za-z]?(?:/\d{{1,4}})?[ \t]+"
    rf"((?:{_CAPITALISED_WORD}[ \t]+){{1,3}}{_CAPITALISED_WORD}),[ \t]+(?=\p{{Lu}})"
)
_DIGIT_SPACE_CAPITAL = regex.compile(r"\d[ \t]+\p{Lu}")

# German and Dutch streets fused with `ring` or `pad` (`Johannesring 9`, `Vadim-Jüttner-Ring
# 3/9`, `Bloemenpad 4`): English has words so built too (`Offering 3`, `Keypad 2`), so the
# detector keeps one only if neither the word nor what comes before its suffix is English.
_RING_OR_PATH_STREET = regex.compile(
    r"(?<![\w.-])(?P<word>(?P<stem>\p{Lu}[\p{L}'\u2019-]{2,}?)(?i:ring|pad))[ \t]+(?:No\.?[ \t]*)?"
    r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?(?![\w-])"
)


_ADMIN_AFTER = regex.compile(_ADMIN_PART)


def unmarked_streets(text: str) -> list[tuple[int, int, str, bool]]:
    """Spans of number-and-name streets written with no street-type word, their names, and
    whether a ward or district part follows (`123/45 Le Van Sy, P.13`), which makes them
    addresses whatever their words."""
    if ", " not in text or not _DIGIT_SPACE_CAPITAL.search(text):
        return []
    return [
        (m.start(), m.end(1), m.group(1), _ADMIN_AFTER.match(text, m.end()) is not None)
        for m in _UNMARKED_STREET.finditer(text)
    ]


def ring_or_path_streets(text: str) -> list[tuple[int, int, str, str]]:
    """Spans of streets fused with `ring` or `pad`, with the whole word and what comes before
    its suffix, for the caller to judge (`Johannesring 9`: `Johannesring`, `Johannes`)."""
    if "ing " not in text and "ad " not in text and "ING " not in text and "AD " not in text:
        return []
    return [
        (m.start(), m.end(), m.group("word"), m.group("stem"))
        for m in _RING_OR_PATH_STREET.finditer(text)
    ]


# A numbered plot or stand and the area it is in, with no street (`Plot 221, Ntinda`,
# `Stand 5512, Kabulonga`): how much of East and Southern Africa writes an address.
_PLOT_AND_AREA = regex.compile(
    r"(?<![\w.-])(?:Plot|Stand|Erf|Kiwanja)\s+(?:(?:No|Na)\.?\s*)?\d{1,5}[A-Za-z]?,?\s+"
    r"(?:(?:Extension|Ext\.|Phase|Zone)\s+\d{1,3},?\s+)?"  # `Stand 1234, Extension 5, Soweto`
    r"(?P<area>\p{Lu}[\p{L}\p{M}'\u2019-]+(?:[ \t]\p{Lu}[\p{L}\p{M}'\u2019-]+)?)(?![\w-]|[ \t]*\d)"
)


# Addresses in Chinese and Japanese script: a run of CJK characters naming a province,
# prefecture, city or ward, then the block or house number (`東京都千代田区丸の内1-9-1`,
# `北京市朝阳区建国路88号`). The run is matched possessively and judged in code (no nested
# quantifiers over the same characters), so a long run without a number costs one pass.
_CJK_RUN_THEN_NUMBER = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\u30fc]{2,40}+"
    r"(?:[0-9\uff10-\uff19]{1,5}+(?:丁目|番地|番|号|號|[-\uff0d\u2010\u30fc](?=[0-9\uff10-\uff19]))?+){1,4}+"
)
_CJK_DIVISION = re.compile("[都道府県省市区區町村县縣镇鎮]")
_HIRAGANA = regex.compile(r"\p{Hiragana}")
_CJK_PLACE_NAME_MAX = 3  # characters of a place name before its division (`神奈川県`)
# Korean road-name addresses: city or province, district, road, building number
# (`서울특별시 강남구 테헤란로 152`).
_KOREAN = regex.compile(
    r"(?<![\p{Hangul}])[\p{Hangul}]{1,8}(?:특별시|광역시|특별자치시|시|도)\s++"
    r"(?:[\p{Hangul}]{1,8}(?:시|군|구)\s++){1,2}[\p{Hangul}0-9]{1,12}(?:로|길)\s*+"
    r"\d{1,5}(?:-\d{1,5})?(?![\d-])"
)


# Post-office boxes, in the words of the countries that have them (`P.O. Box 4471`,
# `Postfach 10 12 34`, `Apartado 123`, `Private Bag X9000`), with the postal code East Africa
# writes after the number (`P.O. Box 4521-00100`); the town and postal code after them go too
# (`widen`).
# Roads numbered rather than named, as South Asian addresses write them: `Road No. 5`,
# `Street No. 12`, `Lane No 3`.
_NUMBERED_ROAD = regex.compile(
    r"(?<![\w-])(?:Road|Street|Lane|Cross|Main|Gali|Sector)\s+No\.?\s*\d{1,4}[A-Z]?(?![\w-])"
)
# A house and the numbered road it is on, as Bangladesh writes them: `House 12, Road 5`.
_HOUSE_THEN_ROAD = regex.compile(
    r"(?<![\w-])(?:House|Holding)\s+(?:No\.?\s*)?\d{1,5}[A-Z]?(?:/\d{1,4})?,\s*"
    r"(?:Road|Lane|Block|Sector)\s+(?:No\.?\s*)?\d{1,4}[A-Z]?(?![\w-])"
)
# An Indian address as India Post writes it: a flat, house or door number, the building,
# street and locality set off by commas, then the town and its six-digit PIN (`Flat 3B,
# Sunrise Apartments, MG Road, Bengaluru 560001`), or without the PIN, up to a named road
# (`Door No 12, Gandhi Street`). The number opens it and the PIN or the road closes it.
_UNIT_WORD = (
    r"(?<![\w.-])(?:Flat|Apartment|Apt\.?|House|H\.[ \t]?No\.?|Door|D\.[ \t]?No\.?|Plot|Shop"
    r"|Villa|Bungalow)"
)
_A_UNIT_WORD = regex.compile(_UNIT_WORD)  # whether the two patterns below can match at all
_UNIT_NUMBER = rf"{_UNIT_WORD}[ \t]*+(?:No\.?[ \t]*+)?(?=[\w/-]*\d)[\w/-]{{1,10}}"
_COMMA_PART = (
    r",[ \t]*+[\p{Lu}\d][\p{L}\d.'\u2019/&-]*(?:[ \t]+[\p{Lu}\d][\p{L}\d.'\u2019/&-]*){0,4}"
)
_INDIAN_ROAD = (
    r"(?:Road|Street|Marg|Nagar|Layout|Colony|Cross|Main|Salai|Lane|Extension|Enclave|Vihar"
    r"|Bagh|Puram|Peth|Chowk)"
)
# Words for a building, road or locality, one of which an address before a PIN names (not
# `Shop 12, Orders 4, Total 100000`).
_INDIAN_LOCALITY = regex.compile(
    rf"(?<![\w-])(?:{_INDIAN_ROAD}|Sector|Hills|Apartments?|Residency|Towers?|Complex|Society"
    r"|Phase|Block|Park|Gardens|Estate|Heights|Villas?)(?![\w-])"
)
# Words that label a six-digit figure, not a town before its PIN (`Garden Villas, Rate
# 450000`, `North Block, Meter Reading 450012`).
_FIGURE_LABELS = frozenset(
    ("price", "rate", "fee", "fees", "total", "item", "invoice", "booking", "order", "meter",
     "reading", "points", "xp", "run", "ref", "id", "code", "revenue", "amount", "quest", "slot",
     "room", "floor", "level", "phase", "block", "sku", "qty", "count", "score", "balance",
     "deposit", "rent", "salary", "budget", "cost", "value", "stock", "units", "views")
)  # fmt: skip


def _a_label(town: str | None) -> bool:
    return town is not None and (
        not _FIGURE_LABELS.isdisjoint(town.lower().split()) or names_a_thing(town)
    )


_UNIT_TO_PIN = regex.compile(
    rf"{_UNIT_NUMBER}(?P<parts>(?:{_COMMA_PART}){{0,5}}?),[ \t]*+"
    r"(?P<town>\p{Lu}\p{Ll}+(?:[ \t]+\p{Lu}\p{Ll}+){0,2})"
    r"(?:,[ \t]*+|[ \t]*+-[ \t]*+|[ \t]++)[1-9]\d{2}[ \t]?\d{3}(?![\w-])"
)
_UNIT_TO_ROAD = regex.compile(
    rf"{_UNIT_NUMBER}(?P<parts>(?:{_COMMA_PART}){{0,3}}?,[ \t]*+"
    rf"(?:[\p{{Lu}}\d][\p{{L}}\d.'\u2019-]*[ \t]+){{1,3}}){_INDIAN_ROAD}(?![\w-])"
)
_PO_BOX = regex.compile(
    r"(?<![\w-])(?i:P\.?[ \t]?O\.?[ \t]?Box|Post(?:fach|bus|box)"
    r"|Apartado(?:[ \t]de[ \t]correos|[ \t]postal|[ \t]a[eé]reo)?"
    r"|Case[ \t]postale|Bo[iî]te[ \t]postale|Caixa[ \t]postal|Casella[ \t]postale"
    r"|Private[ \t]Bag(?:[ \t]*+X)?)"
    r"[ \t]*+(?:No\.?[ \t]*+)?\d{1,6}+(?:-\d{3,6}+)?(?:[ \t]\d{2,4}+){0,3}(?![\w-])"
)

# United States military mail (USPS Publication 28): a unit's or ship's line, then APO, FPO or
# DPO with AA, AE or AP in the state's place and a ZIP code (`PSC 1234, Box 5678, APO AE 09021`,
# `Unit 2050 Box 4190, APO AP 96278-2050`, `USNS Comfort, FPO AA 34055`).
_MILITARY_MAIL = regex.compile(
    r"(?<![\w-])(?:(?:(?i:PSC|CMR|OMC|Unit)[ \t]+\d{1,5}+,?[ \t]+(?i:Box)[ \t]+\d{1,5}+"
    r"|(?:USS|USNS|USCGC)[ \t]+\p{Lu}[\p{L}.'-]*+(?:[ \t]+(?:\p{Lu}[\p{L}.'-]*+|\d{1,3}+)){0,4})"
    r",?[ \t]+)?(?:APO|FPO|DPO)[ \t]+A[AEP],?[ \t]+\d{5}(?:-?\d{4})?(?![\w-])"
)


def _cjk_addresses(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _CJK_RUN_THEN_NUMBER.finditer(text):
        division = _CJK_DIVISION.search(text, match.start(), match.end())
        if division is None:
            continue
        start = max(match.start(), division.start() - _CJK_PLACE_NAME_MAX)
        for particle in _HIRAGANA.finditer(text, start, division.start()):
            start = particle.end()  # `住所は東京都…`: the particle ends the words before
        spans.append((start, match.end()))
    return spans


# Cheap substring checks decide whether any of the three shapes above can be on the line.
_RARE_SHAPE_WORDS = (
    "Plot", "Stand", "Erf", "Kiwanja", "-chome", "-ch\u014dme", "chome-", "ch\u014dme-",
    "Chome-", "Ch\u014dme-", "-jo ", "-j\u014d ", "Woreda", "Kebele",
)  # fmt: skip
# Words one of which a post-office box is written with (checked on the lower-cased line).
_PO_BOX_WORDS = ("box", "postfach", "postbus", "apartado", "postal", "private bag")


def extra_addresses(text: str) -> list[tuple[int, int]]:
    """Spans of Japanese block addresses, of streets followed by a postal code, of
    post-office boxes, military mail, Indian addresses, and of addresses in Chinese, Japanese
    or Korean script."""
    spans: list[tuple[int, int]] = []
    if "-" in text and _BLOCK_NUMBER.search(text):
        spans.extend(match.span() for match in _JAPANESE.finditer(text))
    if any(word in text for word in _RARE_SHAPE_WORDS):
        for pattern in (_CHOME, _HOUSE_IN_WOREDA):
            spans.extend(match.span() for match in pattern.finditer(text))
        spans.extend(  # not `Stand 12, Phase 2, Build Server`, `Plot 5, Zone 3, Alpha Team`
            match.span()
            for match in _PLOT_AND_AREA.finditer(text)
            if not names_a_thing(match.group("area"))
        )
    if ", " in text and _NUMBER_COMMA_NUMBER.search(text):
        spans.extend(match.span(1) for match in _STREET_BEFORE_POSTCODE.finditer(text))
    lowered = text.lower()
    if any(word in lowered for word in _PO_BOX_WORDS):
        spans.extend(match.span() for match in _PO_BOX.finditer(text))
    if "PO" in text:
        spans.extend(match.span() for match in _MILITARY_MAIL.finditer(text))
    if "No" in text:
        spans.extend(match.span() for match in _NUMBERED_ROAD.finditer(text))
    if "House" in text or "Holding" in text:
        spans.extend(match.span() for match in _HOUSE_THEN_ROAD.finditer(text))
    if "," in text and _A_UNIT_WORD.search(text) is not None:
        for pattern in (_UNIT_TO_PIN, _UNIT_TO_ROAD):
            spans.extend(
                match.span()
                for match in pattern.finditer(text)
                if not names_a_thing(match.group("parts"))
                and _INDIAN_LOCALITY.search(match.group("parts")) is not None
                and not _a_label(match.groupdict().get("town"))
            )
    if not text.isascii():
        spans.extend(_cjk_addresses(text))
        spans.extend(match.span() for match in _KOREAN.finditer(text))
    return spans


def widen(text: str, start: int, end: int) -> tuple[int, int]:
    """The address span grown over its plot or house prefix, its numbered parts and its
    unit parts."""
    if start and text[start - 1] == " ":
        before = _PART_BEFORE.search(text, max(0, start - _REACH_BEFORE), start)
        if before is not None:
            start = before.start()
    for _ in range(3):  # `, Phuong 7, Quan 5`: each numbered part after it
        if end >= len(text) or text[end] not in " ,":
            break
        after = _PART_AFTER.match(text, end)
        if after is None:
            break
        end = after.end()
    prefix = _PREFIX.search(text, max(0, start - 40), start)
    if prefix is not None:
        start = prefix.start()
    suffix = _SUFFIX.match(text, end)
    if suffix is not None:
        end = suffix.end()
    if _HOUSE_NUMBER_PERIOD.match(text, end - 1):
        end += 1  # `Váci utca 10.`: the period belongs to the number
    return start, _town_and_postal_end(text, end)


def town_and_postcode_after(text: str, end: int) -> bool:
    """Whether a town and a postcode follow ``end`` (`Johannesring 9, 50672 Köln`)."""
    return _TOWN_AND_POSTAL.match(text, end) is not None


def _town_and_postal_end(text: str, end: int) -> int:
    compass = _COMPASS.match(text, end)
    if compass is not None:
        end = compass.end()
    tail = _TOWN_AND_POSTAL.match(text, end) or _TOWN_AFTER_POSTAL.match(text, end)
    if tail is None and _ENDS_IN_A_WARD.search(text, max(0, end - 40), end) is not None:
        tail = _JAPANESE_TOWN_AND_POSTAL.match(text, end)
    return tail.end() if tail is not None else end
