"""CSV exports in logs: a header line names the columns, the rows after it are judged by it.

A header is a line whose last part splits (on `;`, `,`, tab or `|`) into three or more cells
that are all key-like words, at least one of which `keys.key_entity` calls personal, or a
line of two such cells alone, both personal and one an e-mail, a phone or a date
(`name,email`). A later line of the same batch that splits into as many cells is a row:
each cell under a personal column is a keyed value. The first cell may carry a log prefix
(`row 7: Dr`); only its last word counts, as for the header.

A sentence with commas can look like a header (`customer moved to 221B Baker Street,
Marylebone, London NW1 6XE`). Its columns that read as a sentence's words judge nothing, nor
do the others unless two of them name personal data, nor does its first column behind a
prefix that reads as a sentence unless another column names personal data; a line left with
no column that judges ends the header before it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import regex

from service.redaction.fields import Field, normalise_key
from service.redaction.keys import key_entity
from service.redaction.names import NAME_PARTICLE
from service.redaction.values import plausible

SEPARATORS = (";", ",", "\t", "|")
_KEY_CELL = re.compile(r"[A-Za-z_][\w .-]{0,40}")
_LAST_WORD = re.compile(r"\S+$")
_MIN_CELLS = 3
# A header of two columns only when both name personal data, one of them a kind every row
# proves, and nothing stands before them (`_a_short_header`): two key-like words around a
# comma are common in prose.
_MIN_HEADER_CELLS = 2
MAX_SHORT_HEADER_LENGTH = 90  # two column names of a key cell's length at most, alone
_PROVEN_BY_EVERY_ROW = frozenset(("EMAIL_ADDRESS", "PHONE_NUMBER", "DATE_TIME"))
# A column is named in a few words (`Date of Birth`, `Street Address Line 1 of 2`), not
# opening with a lower-case word that opens a sentence's run (`… a bind address, a port, and
# a coroutine`), and holds no postcode.
_MAX_WORDS_IN_A_COLUMN_NAME = 6
_TWO_CODES = re.compile(r"(?<!\S)(?=[A-Z]*\d)[A-Z\d]{2,4} (?=[A-Z]*\d)[A-Z\d]{2,4}(?!\S)")
_SENTENCE_WORDS = frozenset(
    """
    a an the to from with by or and is are was were be been it its this that these those when
    while if not you we they he she can will would should must may
    """.split()  # noqa: SIM905
)
# Of those, the ones that open a run of a sentence after a comma, never a column's name (a
# column may open with a verb: `is active`).
_SENTENCE_RUN_OPENERS = _SENTENCE_WORDS - frozenset(
    "is are was were be been can will would should must may".split()  # noqa: SIM905
)
# Values, not names: a line listing one is code or data (`yield first, True, previous_value`).
_LITERALS = frozenset(("true", "false", "none", "null", "nil"))
# Before the first column's name: a log or label prefix (`2026-12-06 10:00:00 INFO export:`,
# `[csv]`, `Dec  6 10:00:00 web1 exporter`), and the first column's other words (`Full`);
# after the prefix's last label punctuation, at most three words of letters only (capitals
# aside) and none of a sentence's, written in lower case as sentences do (`Ship To Name` is a
# column). `customer moved to 221B Baker Street, Marylebone, London` is no header.
_LABEL_END = re.compile(r"[:\]>|=-](?=[ \t])")
_MAX_WORDS_BEFORE_THE_FIRST_COLUMN = 3


@dataclass(frozen=True)
class CsvHeader:
    separator: str
    names: tuple[str, ...]
    entities: tuple[str | None, ...]
    # What the header line has before its first column's name (`export rows: `), if anything.
    prefix: str = ""

    @property
    def short(self) -> bool:
        """Two columns (`name,email`): it judges only the lines right after it that are its
        rows, each cell under an e-mail, a phone or a date column shaped as what it names."""
        return len(self.names) < _MIN_CELLS


@dataclass
class LineStream:
    """One stream of lines redacted batch after batch (a file, standard input): what it carries
    from one batch to the next, the last CSV header line seen. Texts redacted without one (log
    records, API requests) are judged on their own: a header one caller sent never judges the
    rows of another."""

    csv_header: CsvHeader | None = None


def split_cells(text: str, separator: str) -> list[tuple[int, int]]:
    """Cell spans of `text` (quotes honoured and excluded from the span)."""
    cells: list[tuple[int, int]] = []
    position, length = 0, len(text)
    while position <= length:
        if position < length and text[position] == '"':
            close = position + 1
            while True:
                close = text.find('"', close)
                if close == -1 or close + 1 >= length or text[close + 1] != '"':
                    break
                close += 2
            if close == -1:
                return []
            cells.append((position + 1, close))
            position = close + 1
            if position < length and text[position] != separator:
                return []
            position += 1
            continue
        end = text.find(separator, position)
        end = length if end == -1 else end
        cells.append((position, end))
        position = end + 1
    return cells


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A cell's span without the spaces around its value."""
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


def headerless_row_cells(text: str) -> list[tuple[int, int]]:
    """The trimmed cells of a line read as a row of three or more cells with no header, on
    the separator that cuts it into the most; none when no separator makes three."""
    best: list[tuple[int, int]] = []
    for separator in SEPARATORS:
        if separator in text:
            cells = split_cells(text, separator)
            if len(cells) > len(best):
                best = cells
    if len(best) < _MIN_CELLS:
        return []
    return [trimmed(text, start, end) for start, end in best]


def _first_cell_start(text: str, start: int, end: int) -> int:
    word = _LAST_WORD.search(text, start, end)
    return word.start() if word else start


def _first_value_start(text: str, start: int, end: int, prefix: str) -> int:
    """Where a row's first value starts: after the header's prefix when the row repeats it,
    after a `: ` that ends a log prefix, else at the cell's start: a value may hold spaces
    (`Oksana Hrytsenko,…` under `name,…`)."""
    if prefix and text.startswith(prefix, start) and start + len(prefix) <= end:
        return start + len(prefix)
    colon = text.rfind(": ", start, end)
    return colon + 2 if colon != -1 else start


def read_header(text: str, explicit: Mapping[str, str] | None = None) -> CsvHeader | None:
    for separator in SEPARATORS:
        if text.count(separator) < _MIN_HEADER_CELLS - 1:
            continue
        cells = split_cells(text, separator)
        if len(cells) < _MIN_HEADER_CELLS:
            continue
        names = []
        prefix = ""
        for index, (start, end) in enumerate(cells):
            if index == 0:
                first = _first_cell_start(text, start, end)
                prefix, start = text[start:first], first
            name = text[start:end].strip()
            if not _KEY_CELL.fullmatch(name):
                break
            names.append(name)
        else:
            entities = [key_entity(name.replace(" ", "_"), explicit) for name in names]
            if any(entity for entity in entities):
                # A column that reads as a sentence's words judges nothing, and makes the
                # line a sentence unless two other columns at least name personal data; the
                # first column behind a prefix that reads as a sentence judges nothing unless
                # another column names personal data. A line left with no column that judges
                # ends the header before it.
                judged = [
                    entity if _names_a_column(name) else None
                    for name, entity in zip(names, entities, strict=True)
                ]
                if not all(map(_names_a_column, names)) and sum(map(bool, judged)) < 2:
                    judged = [None] * len(names)
                if not any(judged[1:]) and not _may_precede_a_header(prefix):
                    judged[0] = None
                entities = judged
                if len(names) < _MIN_CELLS and not _a_short_header(prefix, entities):
                    continue
                return CsvHeader(separator, tuple(names), tuple(entities), prefix)
    return None


def _may_precede_a_header(prefix: str) -> bool:
    """Whether the words before the first column leave it a column's name: a label or a few
    of a log's words may come first, a number and words may not (`address: 45 Le Loi Street,
    Ben Nghe Ward, …` is an address, and `Street` no column)."""
    labels = [label.end() for label in _LABEL_END.finditer(prefix)]
    tail = prefix[labels[-1] if labels else 0 :].split()
    if any(token.isdigit() for token in tail):
        return False
    words = [
        word
        for word in tail
        if word.isalpha() and not word.isupper()  # `INFO`, `CSV`: a log's words
    ]
    return len(words) <= _MAX_WORDS_BEFORE_THE_FIRST_COLUMN and not _SENTENCE_WORDS.intersection(
        words
    )


def _names_a_column(name: str) -> bool:
    """Not a literal nor a run of a sentence: a few words, the first no lower-case word only
    sentences open with (`to any person…`, `the address`; `sold to`, `email or phone` are
    columns), and no postcode (`London NW1 6XE`; `Address Line1`, `Email2` are columns)."""
    words = name.split()
    return (
        name.lower() not in _LITERALS
        and len(words) <= _MAX_WORDS_IN_A_COLUMN_NAME
        and words[0] not in _SENTENCE_RUN_OPENERS
        and _TWO_CODES.search(name) is None
    )


def row_fields(text: str, header: CsvHeader) -> list[Field]:
    """The keyed values of a row under `header`, or none if the line is not such a row."""
    if header.separator not in text:
        return []
    cells = split_cells(text, header.separator)
    if len(cells) != len(header.entities):
        return []
    if header.short and not all(
        _fits_its_column(text[start:end], entity)
        for (start, end), entity in zip(cells, header.entities, strict=True)
    ):
        return []
    fields = []
    columns = zip(cells, header.names, header.entities, strict=True)
    for index, ((start, end), name, entity) in enumerate(columns):
        if not entity:
            continue
        if index == 0:
            start = _first_value_start(text, start, end, header.prefix)
        start, end = trimmed(text, start, end)
        if start < end:
            fields.append(Field(normalise_key(name), start, end, True, entity))
    return fields


def _a_short_header(prefix: str, entities: list[str | None]) -> bool:
    """Two columns, alone on the line, both personal, one of them a kind every row proves
    (`name,email`, `full_name;dob`; not `name,address`, `name,owner`: their cells take any
    text, and after such a line any line with one comma would be a row)."""
    return (
        not prefix.strip()
        and all(entities)
        and any(entity in _PROVEN_BY_EVERY_ROW for entity in entities)
    )


def _fits_its_column(value: str, entity: str | None) -> bool:
    return entity not in _PROVEN_BY_EVERY_ROW or plausible(entity, value.strip())


# A headerless export row: three or more quoted cells, one of them an e-mail address.
_QUOTED_CELL = re.compile(r"(?<![^\s,;|\t(\[])([\"'])([^\"'\n]{1,80})\1(?=\s*(?:[,;|\t)\]]|$))")
_EMAIL_CELL = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[A-Za-z]{2,}")
_MAX_WORDS_IN_A_CELL = 4
_MAX_NAME_CELLS = 3
# One to three capitalised words, perhaps opened by particles (`van der Merwe`), or a `Last,
# First` cell whose surname may hold particles (`"Ferreira da Costa, Ana Beatriz"`). Particles
# inside a cell that is no `Last, First` make a place as often (`Rio de Janeiro`).
_CAPITALISED = r"\p{Lu}[\p{L}\p{M}'\u2019-]*"
_PARTICLES = rf"(?:{NAME_PARTICLE.pattern} ){{0,2}}"
_WORDS = rf"{_CAPITALISED}(?: {_CAPITALISED}){{0,2}}"
_SURNAME = rf"{_PARTICLES}{_CAPITALISED}(?: {_PARTICLES}{_CAPITALISED}){{0,2}}"
_NAME_CELL = regex.compile(rf"{_PARTICLES}{_WORDS}|{_SURNAME}, {_WORDS}")


def name_cells_beside_an_email(text: str) -> list[tuple[int, int]]:
    """In a row with no header that holds an e-mail address in a cell of its own, the cells of
    one to three capitalised words: the person the address belongs to (`"Yamamoto","Haruto",
    "h.y@example.jp"`; `row 18: Marchetti;Giulia;g.m@example.it;1988-02-29`). Cells are
    quoted, or split on one separator into cells of at most four words each (a sentence is
    no row). The caller drops ordinary words (`"Active"`, `"Pro Monthly"`)."""
    quoted = list(_QUOTED_CELL.finditer(text))
    if len(quoted) >= _MIN_CELLS and any("@" in cell.group(2) for cell in quoted):
        return [cell.span(2) for cell in quoted if _name_cell(text, *cell.span(2))]
    return _unquoted_names_before_an_email(text)


def _name_cell(text: str, start: int, end: int) -> bool:
    return not any(char.isdigit() for char in text[start:end]) and bool(
        _NAME_CELL.fullmatch(text, start, end)
    )


def _unquoted_names_before_an_email(text: str) -> list[tuple[int, int]]:
    """Unquoted, only the name cells right before the address, two words at least between
    them (`Marchetti;Giulia;g.m@…`, not `contact: Ops, ops@…, Dublin`)."""
    cells = _unquoted_cells_beside_an_email(text)
    email = next(
        (
            index
            for index, (start, end) in enumerate(cells)
            if _EMAIL_CELL.fullmatch(text, start, end)
        ),
        None,
    )
    names: list[tuple[int, int]] = []
    for start, end in reversed(cells[:email] if email is not None else []):
        if not _name_cell(text, start, end) or len(names) == _MAX_NAME_CELLS:
            break
        names.insert(0, (start, end))
    words = sum(len(text[start:end].split()) for start, end in names)
    return names if words >= 2 else []


def _unquoted_cells_beside_an_email(text: str) -> list[tuple[int, int]]:
    for separator in SEPARATORS:
        if text.count(separator) < _MIN_CELLS - 1:
            continue
        cells = []
        for index, (start, end) in enumerate(split_cells(text, separator)):
            if index == 0:
                start = _first_value_start(text, start, end, "")
            while start < end and text[start] == " ":
                start += 1
            while end > start and text[end - 1] == " ":
                end -= 1
            cells.append((start, end))
        if len(cells) < _MIN_CELLS or any(
            len(text[start:end].split()) > _MAX_WORDS_IN_A_CELL
            and not _NAME_CELL.fullmatch(text, start, end)
            for start, end in cells
        ):
            continue
        if any(_EMAIL_CELL.fullmatch(text, start, end) for start, end in cells):
            return cells
    return []
