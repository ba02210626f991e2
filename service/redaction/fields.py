"""Values a log line carries under a key, with their offsets: what the line's structure says.

Recognised structures: JSON string fields (also escaped inside a JSON string, as GraphQL
errors quote their variables), `key=value` pairs (URL query strings included, their values
percent-decoded), JavaScript-style `key: "value"`, SQL `INSERT (columns) VALUES (values)`,
SQL comparisons (`SET holder = '…'`, `WHERE lower(full_name) = '…'`), PostgreSQL's
`Key (email)=(…)`, a word followed by a quoted literal (`payee 'X Y'`), the display names
of mail headers (`From: "X Y" <x@y>`) and XML elements holding text (`<dob>…</dob>`). CSV rows
are matched to their header in `csv_rows.py`.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import NamedTuple

import regex

from service.redaction.keys import key_entity, key_names_a_thing, normalise_key
from service.redaction.names import NAME_PARTICLE, written_without_case
from service.redaction.values import names_a_thing

# A quoted key, of up to four words as well: exports from spreadsheets and forms write them so
# (`"Date of Birth"`, `"recapito telefonico"`, `"nome completo"`), judged by their words.
_QUOTED_KEY = r"[A-Za-z_][\w.-]{0,63}(?: [A-Za-z][\w.-]{0,31}){0,3}"
_JSON_STRING_FIELD = re.compile(rf'"({_QUOTED_KEY})"\s*:\s*"((?:[^"\\]|\\.)*)"')
_ESCAPED_JSON_FIELD = re.compile(
    r'(?<![\w"])\\?"?([A-Za-z_][\w.-]{0,63})\\?"?\s*:\s*\\"((?:[^"\\]|\\[^"])*)\\"'
)
# A Python dict's repr: `{'first': 'Thandiwe', 'name': "O'Brien"}`.
_PYTHON_DICT_FIELD = re.compile(
    rf"'({_QUOTED_KEY})'\s*:\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")"
)
_OBJECT_FIELD = re.compile(r'(?<![\w"\\.-])([A-Za-z_][\w-]{0,63})\s*:\s*"((?:[^"\\]|\\.)*)"')
# The key's first character is matched before the look-behind, so that `re` skips to
# candidate characters instead of trying the look-behind at every position (a third faster).
_KEY_VALUE = re.compile(
    r"([A-Za-z_](?<![\w.-][A-Za-z_])[\w.-]{0,63})="
    r"(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([^\s,;&\"']+))"
)
# `owner:Olga Petrenko`: a key, a colon and no blank (a person's key only; `status:Open`,
# `http://`, `C:Users` are no values here).
_KEY_COLON_VALUE = re.compile(
    r"([A-Za-z_](?<![\w.:/\\-][A-Za-z_])[\w-]{0,63}):([^\W\d_][^\s,;&\"':=()\[\]{}]*)"
)
_COLON_LETTER = re.compile(r":[^\W\d_]")
# Python's repr of a date under a key, in a dict or a dataclass: `'dob': datetime.date(1984,
# 5, 17)`, `dob=datetime.date(1984, 5, 17)` (the plain `key=value` reading stops at the comma).
_PYTHON_DATE_FIELD = re.compile(
    r"(?:'([A-Za-z_][\w-]{0,63})'\s*:\s*|(?<![\w.-])([A-Za-z_][\w-]{0,63})=)"
    r"(datetime\.date(?:time)?\([\d, ]{6,60}\))"
)
# Keys that say who acted without saying a name is there (`user:postgres`): after a colon
# with no blank, a capitalised value under them is judged by its shape, as after `=`.
_WHO_KEYS = frozenset(("user", "username", "actor", "login"))
# A URL path segment holding an encoded blank (`/by-name/Aroha%20Ngata`): decoded and judged
# as a value whose key does not say what it is.
_ENCODED_PATH_SEGMENT = re.compile(r"(?<=/)[^/\s?#&=\"']*%20[^/\s?#&=\"']*")
# The key given to a login found by the shape of a system's log line (judged as `user_name`).
LOGIN_IN_A_SYSTEM_LOG = "user_name"
# The login in lines whose shape says where it is: the remote user of an access log in the
# common or combined format (`203.0.113.5 - ngozi.eze [05/Dec/2026:…`), and sshd's
# `Accepted publickey for aroha from …`. Judged as the value of a `user_name` key, as are
# these:
_ACCESS_LOG_USER = re.compile(r"^\S+ \S+ ([^\s\[\]\"-][^\s\[\]\"]*) \[\d{1,2}/\w{3}/\d{4}:")
_SSH_LOGIN_USER = re.compile(
    r"\b(?:Accepted|Failed) (?:password|publickey|keyboard-interactive(?:/pam)?|none) for "
    r"(?:invalid user )?(\S+) from "
)
# sudo's `sudo: ikamara : TTY=pts/1 ; PWD=/srv ; USER=root ; COMMAND=…`, cron's `CRON[2231]:
# (akwasi) CMD (…)` and PAM's `session opened for user root(uid=0) by akwasi(uid=1001)`.
_SYSTEM_LOG_USER = re.compile(
    r"\bsudo(?:\[\d+\])?:[ \t]+([^\s:;]+)[ \t]+:[ \t]+(?:TTY|PWD|USER|COMMAND)="
    r"|\b(?i:cron)\[\d+\]:[ \t]+\(([^\s()]+)\)[ \t]+CMD\b"
    r"|\bsession (?:opened|closed) for user ([^\s(]+)"
    r"|\bby ([^\s(]+)\(uid=\d+\)"
)
_SQL_INSERT = re.compile(
    r"(?i)\binsert\s+into\s+([\w.\"`]+)\s*\(([^()]*)\)\s*values\s*\((.*)\)", re.DOTALL
)
_SQL_VALUE = re.compile(r"'((?:[^']|'')*)'|([^,'()\s][^,()]*)")
# The column may be qualified (`c.full_name`); a LIKE pattern's `%` wildcards are no part of
# the value (stripped after the match: inside the pattern they made it cubic on a run of `%`).
_SQL_COMPARISON = re.compile(
    r"(?i)(?<![\w.])(?:[A-Za-z_]\w{0,63}\.)?[\"`]?([A-Za-z_][\w]{0,63})[\"`]?\)?\s*"
    r"(?:=|<>|!=|\blike\b|\bilike\b)\s*'((?:[^']|'')*+)'"
)
_PG_KEY = re.compile(r"\bKey \(([\w, ]+)\)=\(([^)]*)\)")
_QUOTED_AFTER_WORD = re.compile(
    r"(?<![\w.\\-])([A-Za-z][\w-]{1,40}):?\s+(['\"])([^'\"\n]{1,200})\2"
)
_EXCEPTION_CLASS = re.compile(r"[A-Z]\w*(?:Error|Exception)")
# The same after its package (`java.lang.IllegalArgumentException: "amber rogers"`), which the
# pattern above does not read: a key never follows a dot.
_QUALIFIED_EXCEPTION_MESSAGE = re.compile(
    r"(?<![\w.])(?:[a-z_]\w*\.)+([A-Z]\w*(?:Error|Exception)):?\s+(['\"])([^'\"\n]{1,200})\2"
)
# A label of one to four words, a colon, then an unquoted value up to the next separator,
# bracket or `key:`/`key=`: `Full name: amber baker`, `Name on card: FRANK RICH`,
# `D.O.B.: 1990-04-05`. Only labels that say what the value holds count.
_LABEL_WORD = re.compile(r"[A-Za-z][A-Za-z_.-]{0,30}")
_LABEL_WORDS_MAX = 4
_VALUE_AFTER_COLON = re.compile(
    r"(?:: +| [-\u2013\u2014|] +| (?:is|was) +)([^\s,;|\"'<>()\[\]{}=][^,;|\"<>()\[\]{}=]{0,80}?)"
    r"(?= *(?:[,;|()\[\]{}]|$| [A-Za-z_][\w.-]*[:=]| [-\u2013\u2014] ))"
)
# Where a label ends: a colon, or a dash or bar set off by blanks (`Payee name - Sandy Shore`,
# `Name — Jane Roe`, `Bill to | Ana Ruiz |`).
_LABEL_END = re.compile(r": | [-\u2013\u2014|] | (?:is|was) ")
_LABEL_MAX_WORDS = 4
_GIVEN_NAME_AFTER_COMMA = re.compile(
    r",[ \t]*[^\W\d_][\w'\u2019-]*(?:[ \t][^\W\d_][\w'\u2019-]*)?"
    r"(?= *(?:[,;|()\[\]{}]|$)| +[A-Za-z_][\w.-]*[:=])"
)
# An apostrophe inside a name is followed by a capital (`O'Donoghue`, `N'Golo`, `d'Arcy`), a
# contraction's is not (`it's`, `can't`, `user's`).
_APOSTROPHE_IN_A_NAME = regex.compile(r"'\p{Lu}[\p{L}\p{M}\u2019-]*(?![\w'=:])")
# The particles a surname may open with alone (`de Sousa`, `van der Merwe`, `dos Anjos`); not
# the ones that only join names (`y`, `e`) nor English words (`do`), and the surname then
# ends the value: the line's end, punctuation or the next key follows (`client=de Sync
# started …`, `owner=do Not Disturb` are messages).
_OPENING_PARTICLE = regex.compile(r"(?!(?:y|e|do)$)" + NAME_PARTICLE.pattern)
# A surname that opens with a saint's abbreviation: `holder=St. Clair, Mairead`.
_OPENING_SAINT = regex.compile(r"(?:St|Ste)\.?")
_SURNAME_AFTER_A_PARTICLE = regex.compile(
    rf"(?:[ \t]+(?:{NAME_PARTICLE.pattern}))*[ \t]+\p{{Lu}}\p{{Ll}}[\p{{L}}\p{{M}}'\u2019-]*"
    r"(?=[ \t]*(?:[,;&|)\]}]|$)|[ \t]+[A-Za-z_][\w.-]*[=:])"
)
_WORD_AFTER_COMMA = re.compile(r",[ \t]*([^\W\d_][\w'\u2019-]*)")
# An XML element holding text only: `<dob>1988-09-12</dob>`, `<Recipient>X Y</Recipient>`.
_XML_ELEMENT = re.compile(r"<([A-Za-z_][\w.-]{0,63})(?:\s[^<>]*)?>([^<>]{1,200})</\1>")
_MAIL_HEADER = re.compile(
    r"(?i)(?:^|[\s:])(?:from|to|cc|bcc|reply-to|sender|resent-from|delivered-to|return-path)"
    r"\s*:\s*"
)
_NAME_WORDS = re.compile(r"[^\W\d_]+")
# The key given to a display name found with no mail header, by the address beside it: the
# detector still asks it for a word that is no English word (a role's mailbox, `"Weekly
# Digest" <weekly.digest@…>`, is made of its words too).
ADDRESSED_NAME = "addressed_name"
_UNQUOTED_DISPLAY_NAME = re.compile(r"((?:[^\W\d_][\w'\u2019-]*[ \t]+){1,4})<([^<>@\s]+)@[^<>\s]+>")
_QUOTED_DISPLAY_NAME = re.compile(r'"([^"<>@]{1,120})"[ \t]*<([^<>@\s]+)@[^<>\s]+>')
# An unquoted display name may be `Last, First` (`From: Hill, Rose <rh@x.io>`).
_DISPLAY_NAME = re.compile(
    r'(?:"([^"]{1,120})"|((?:[^\s<>",;:@][^<>",;:@]{0,60},[ \t]*)?[^\s<>",;:@][^<>",;:@]{0,119}?))'
    r"\s*<[^<>@\s]+@[^<>\s]+>"
)


class Field(NamedTuple):
    """A value whose key says (or may say) what it holds; `start`/`end` exclude quotes.

    `entity` is what the key says the value is (None: the key does not say); `decoded` is
    the percent-decoded value when decoding changed it.
    """

    key: str
    start: int
    end: int
    quoted: bool
    entity: str | None = None
    decoded: str | None = None


def _field(
    key: str, start: int, end: int, quoted: bool, explicit: Mapping[str, str] | None
) -> Field:
    return Field(normalise_key(key), start, end, quoted, key_entity(key, explicit))


_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def _decoded(value: str) -> str | None:
    if "%" not in value and "+" not in value:
        return None
    decoded = urllib.parse.unquote_plus(value, errors="replace")
    if _PERCENT_ESCAPE.search(decoded):  # encoded twice: `rose%2540example.com`
        decoded = urllib.parse.unquote_plus(decoded, errors="replace")
    return decoded if decoded != value else None


def find_fields(text: str, explicit: Mapping[str, str] | None = None) -> list[Field]:
    """Every keyed value of `text`, cheapest check first; may overlap (callers resolve)."""
    fields: list[Field] = []
    if '":' in text or '" :' in text:
        for match in _JSON_STRING_FIELD.finditer(text):
            key = match.group(1)
            if key.lower() == "name":
                start = match.start()
                owner = _JSON_OWNER.search(text, max(0, start - _OWNER_REACH), start)
                key = _owned_key(owner.group(1), key) if owner is not None else key
            fields.append(_field(key, match.start(2), match.end(2), True, explicit))
    if '\\"' in text:
        for match in _ESCAPED_JSON_FIELD.finditer(text):
            fields.append(_field(match.group(1), match.start(2), match.end(2), True, explicit))
    elif ': "' in text or ':"' in text:
        for match in _OBJECT_FIELD.finditer(text):
            fields.append(_field(match.group(1), match.start(2), match.end(2), True, explicit))
    if "':" in text or "' :" in text:
        for match in _PYTHON_DICT_FIELD.finditer(text):
            group = 2 if match.group(2) is not None else 3
            fields.append(
                _field(match.group(1), match.start(group), match.end(group), True, explicit)
            )
    if "'" in text and any(word in text for word in ("=", "VALUES", "values", "LIKE", "like")):
        fields.extend(_sql(text, explicit))
    if "datetime.date" in text:
        for match in _PYTHON_DATE_FIELD.finditer(text):
            field = _field(match.group(1) or match.group(2), *match.span(3), True, explicit)
            if field.entity == "DATE_TIME":
                fields.append(field)
    if "=" in text:
        fields.extend(_key_values(text, explicit))
        if "Key (" in text:
            for match in _PG_KEY.finditer(text):
                fields.extend(_pg_key_fields(match, explicit))
    if ":" in text and _COLON_LETTER.search(text):
        for match in _KEY_COLON_VALUE.finditer(text):
            field = _field(match.group(1), match.start(2), match.end(2), False, explicit)
            if field.entity == "PERSON" or (
                field.entity is None and field.key in _WHO_KEYS and match.group(2)[0].isupper()
            ):
                fields.append(field)  # `[user:Tuğba Aksoy]`: judged by shape, as `user=` is
    if "'" in text or '"' in text:
        for match in _QUOTED_AFTER_WORD.finditer(text):
            key = match.group(1)
            if _EXCEPTION_CLASS.fullmatch(key):
                # `KeyError: 'emily thomas'`: the message, not a key's value, whatever the
                # class's name says; judged by its shape.
                fields.append(Field(key, match.start(3), match.end(3), True))
                continue
            fields.append(_field(key, match.start(3), match.end(3), True, explicit))
        if "Error" in text or "Exception" in text:
            for match in _QUALIFIED_EXCEPTION_MESSAGE.finditer(text):
                fields.append(Field(match.group(1), match.start(3), match.end(3), True))
    if "@" in text and "<" in text:
        fields.extend(_display_names(text))
    if (
        ": " in text
        or " - " in text
        or " | " in text
        or "\u2013 " in text
        or "\u2014 " in text
        or " is " in text
        or " was " in text
    ):
        fields.extend(_labelled_values(text, explicit))
    if " [" in text:
        login = _ACCESS_LOG_USER.match(text)
        if login is not None:
            fields.append(Field(LOGIN_IN_A_SYSTEM_LOG, *login.span(1), True, "PERSON"))
    if " for " in text and " from " in text:
        for match in _SSH_LOGIN_USER.finditer(text):
            fields.append(Field(LOGIN_IN_A_SYSTEM_LOG, *match.span(1), True, "PERSON"))
    if "sudo" in text or "CMD" in text or "session" in text:
        for match in _SYSTEM_LOG_USER.finditer(text):
            group = next(g for g in (1, 2, 3, 4) if match.group(g) is not None)
            fields.append(Field(LOGIN_IN_A_SYSTEM_LOG, *match.span(group), True, "PERSON"))
    if "%20" in text:
        for match in _ENCODED_PATH_SEGMENT.finditer(text):
            decoded = _decoded(match.group())
            fields.append(Field("path", match.start(), match.end(), True, None, decoded))
    if "</" in text:
        for match in _XML_ELEMENT.finditer(text):
            fields.append(_field(match.group(1), match.start(2), match.end(2), True, explicit))
    return fields


def _no_given_name(words: str) -> bool:
    """After a saint's place-like name (`St. Paul`), a state in capitals or a word for a thing
    is no given name."""
    return not any(char.islower() for char in words) or names_a_thing(words)


def _unquoted_name_end(text: str, start: int, end: int) -> int:
    """Where an unquoted name under a person's key really ends, the value having stopped at a
    blank, an apostrophe or a comma."""
    if text[end - 1 : end].isalpha():
        # `holder=O'Brien`, `name=N'Golo`: the value stopped at the apostrophe
        inner = _APOSTROPHE_IN_A_NAME.match(text, end)
        end = inner.end() if inner is not None else end
    opening = text[start:end]
    saint = _OPENING_SAINT.fullmatch(opening) is not None
    if saint or _OPENING_PARTICLE.fullmatch(opening):
        # `holder=de Souza`, `cardholder_name=van Dijk`: the value stopped after the particle
        # the surname opens with
        surname = _SURNAME_AFTER_A_PARTICLE.match(text, end)
        end = surname.end() if surname is not None else end
    given = _GIVEN_NAME_AFTER_COMMA.match(text, end)
    if given is not None and saint and _no_given_name(given.group().lstrip(", \t")):
        given = None  # `name=St. Paul, MN`, `St. Louis, Accounts Payable`
    if given is not None:  # `holder=Tanaka, Hiroshi`: the value stopped at the comma
        end = given.end()
    return end


def _pg_key_fields(match: re.Match[str], explicit: Mapping[str, str] | None) -> list[Field]:
    """PostgreSQL's `Key (a, b)=(x, y)`: each column with its value when the counts agree
    (`Key (email, holder_name)=(ana@example.com, ana lima)`). When there are more values, a
    value held commas, taken to be the person's (`(7, Bianchi, Giulia)`), if any column is."""
    columns = [column.strip() for column in match.group(1).split(",")]
    if len(columns) == 1:
        return [_field(match.group(1), match.start(2), match.end(2), True, explicit)]
    values = list(re.finditer(r"[^,]+", match.group(2)))
    offset = match.start(2)
    if len(values) == len(columns):
        return [
            _field(column, offset + start, offset + end, True, explicit)
            for column, value in zip(columns, values, strict=True)
            for start, end in [_stripped_span(value)]
        ]
    judged = [_field(column, match.start(2), match.end(2), True, explicit) for column in columns]
    person = next((index for index, field in enumerate(judged) if field.entity == "PERSON"), None)
    extra = len(values) - len(columns)
    if person is None or extra < 0:
        return [_field(match.group(1), match.start(2), match.end(2), True, explicit)]
    start, _ = _stripped_span(values[person])
    end = values[person + extra].end()
    return [judged[person]._replace(start=offset + start, end=offset + end)]


def _stripped_span(value: re.Match[str]) -> tuple[int, int]:
    text = value.group()
    lead = len(text) - len(text.lstrip())
    return value.start() + lead, value.end()


def _key_values(
    text: str, explicit: Mapping[str, str] | None, start: int = 0, end: int | None = None
) -> Iterator[Field]:
    for match in _KEY_VALUE.finditer(text, start, len(text) if end is None else end):
        group = next(g for g in (2, 3, 4) if match.group(g) is not None)
        field = _field(match.group(1), match.start(group), match.end(group), group != 4, explicit)
        if group == 4 and field.entity == "PERSON":
            name_end = _unquoted_name_end(text, field.start, field.end)
            if name_end != field.end:
                field = Field(field.key, field.start, name_end, False, field.entity)
        decoded = _decoded(match.group(group)) if group == 4 else None
        if decoded is not None:
            field = Field(field.key, field.start, field.end, True, field.entity, decoded)
        yield field
        if group == 4 and "?" in match.group(4) and end is None:
            # A URL as a value (`referer=https://…/account?name=Liam+O%27Connor`): its query
            # string's own keys and values.
            query = text.index("?", match.start(4)) + 1
            yield from _key_values(text, explicit, query, match.end(4))


def _sql(text: str, explicit: Mapping[str, str] | None) -> Iterator[Field]:
    insert = _SQL_INSERT.search(text)
    if insert is not None:
        table = insert.group(1).strip('"`').rsplit(".", 1)[-1]
        columns = [_owned_key(table, c.strip().strip('"`')) for c in insert.group(2).split(",")]
        values = list(_SQL_VALUE.finditer(text, insert.start(3), insert.end(3)))
        # Several rows (`VALUES (…), (…)`): every row has as many values as there are columns.
        if values and len(values) % len(columns) == 0:
            for index, value in enumerate(values):
                group = 1 if value.group(1) is not None else 2
                column = columns[index % len(columns)]
                yield _field(column, value.start(group), value.end(group), group == 1, explicit)
    for match in _SQL_COMPARISON.finditer(text):
        value = match.group(2)
        start = match.start(2) + len(value) - len(value.lstrip("%"))
        end = max(start, match.end(2) - (len(value) - len(value.rstrip("%"))))
        yield _field(match.group(1), start, end, True, explicit)


def _label_before(text: str, colon: int) -> str | None:
    """The one to four label-like words right before a colon (`Name on card`), if any."""
    tokens = text[max(0, colon - 130) : colon].replace("\t", " ").split(" ")
    words: list[str] = []
    for token in reversed(tokens):
        bare = token.lstrip(",;|([{")
        if len(words) == _LABEL_WORDS_MAX or not _LABEL_WORD.fullmatch(bare):
            break
        words.append(bare)
        if bare != token:
            break  # `(Name on card`: the bracket opens the label
    return " ".join(reversed(words)) if words else None


def _not_a_value_after_a_dash(value: str) -> bool:
    """A dash or bar sets off a label less surely than a colon: after one, a single lower-case
    word is a table's next header (`| name | email |`) and a thing (`owner - platform team`)
    is no person."""
    return (" " not in value and value.islower()) or names_a_thing(value)


def _a_surname_alone(value: str) -> bool:
    """One word, or a surname with its particles (`da Silva`, `van der Berg`): a given name
    may follow after a comma."""
    words = value.split()
    return all(NAME_PARTICLE.fullmatch(word) is not None for word in words[:-1])


def _name_before_lower_case(value: str) -> str:
    """A capitalised name up to the first lower-case word that is no name particle:
    `Siosaia Fifita at com.acme.Check` → `Siosaia Fifita`; `Maria de la Cruz` stays whole."""
    words = value.split(" ")
    for position, word in enumerate(words[1:], start=1):
        if word[:1].islower() and NAME_PARTICLE.fullmatch(word) is None:
            return " ".join(words[:position]).rstrip()
    return value


def _name_before_other_script(value: str) -> str:
    """A name in a script without case up to the first word in another script."""
    words = value.split(" ")
    for position, word in enumerate(words[1:], start=1):
        if not written_without_case(word):
            return " ".join(words[:position]).rstrip()
    return value


# A bare `name` says nothing of what it names; the object or table holding it may
# (`{"plan": {"name": "Family Bundle"}}`, `INSERT INTO plans (name, …)`). The key of the
# innermost object still open before a position (`"plan": {`, nothing closed in between):
_JSON_OWNER = re.compile(r'"([A-Za-z_][\w-]{0,63})"\s*:\s*\{[^{}]*\Z')
_OWNER_REACH = 200  # looked for this far back only: a line may hold thousands of names


def _owned_key(owner: str, key: str) -> str:
    """`name` of a thing's object or table is that thing's name (`plan_name`), which the key
    judgement reads as no person; any other key, or an owner that is no thing, is unchanged."""
    if key.lower() != "name":
        return key
    owned = f"{owner.removesuffix('s')}_name"
    return owned if key_names_a_thing(owned) else key


def _labelled_values(text: str, explicit: Mapping[str, str] | None) -> Iterator[Field]:
    for separator in _LABEL_END.finditer(text):
        colon = separator.start()
        match = _VALUE_AFTER_COLON.match(text, colon)
        label = _label_before(text, colon) if match is not None else None
        if match is None or label is None:
            continue
        if text[colon] != ":" and _not_a_value_after_a_dash(match.group(1)):
            continue
        if "." in label and label.replace(".", "").isalpha():
            label = label.replace(".", "")  # `D.O.B.`
        entity = key_entity(label.replace(" ", "_"), explicit)
        if not entity:
            continue
        if separator.group().strip() in ("is", "was") and entity != "DATE_TIME":
            # After is/was only a date of birth is read (`dob is 1990-01-15`): `status is
            # Active Plan` is a sentence, not a labelled name.
            continue
        value, end = match.group(1), match.end(1)
        if entity == "PERSON" and _a_surname_alone(value):
            given = _GIVEN_NAME_AFTER_COMMA.match(text, end)
            if given is None and value.isupper():  # `customer: SANTOS, MARIA REQUESTED …`
                given = _WORD_AFTER_COMMA.match(text, end)
                given = given if given is not None and given.group(1).isupper() else None
            if given is not None:  # `customer: SANTOS, MARIA`
                value, end = text[match.start(1) : given.end()], given.end()
        if entity == "PERSON" and value[:1].isupper():
            value = _name_before_lower_case(value)  # `Siosaia Fifita at com.acme.Check`
            end = match.start(1) + len(value)
        elif entity == "PERSON" and written_without_case(value[:1]):
            value = _name_before_other_script(value)  # `محمد العلي card ending 4242`
            end = match.start(1) + len(value)
        if entity in ("PERSON", "LOCATION") and len(value.split()) > _LABEL_MAX_WORDS:
            continue  # a sentence, not a value (`Name: changed by the owner to …`)
        if entity == "LOCATION" and not any(char.isdigit() for char in value):
            continue  # `Address: not provided`
        # Unquoted: a single lower-case word (`Owner: kubernetes-admin`) is no name.
        yield Field(normalise_key(label), match.start(1), end, False, entity)


def _address_of(name: str, local_part: str) -> bool:
    """Whether a mailbox's local part is made of a name's words: two of three letters or
    more (`sophie.merle`; not `no-reply`), or an initial and the last (`smerle`, `s.merle`)."""
    words = [_without_accents(word.lower()) for word in _NAME_WORDS.findall(name)]
    if len(words) < 2:
        return False
    local_part = _without_accents(local_part)
    if sum(word in local_part for word in words if len(word) >= 3) >= 2:
        return True
    initial, last = words[0][0], words[-1]
    return local_part.replace(".", "").replace("_", "") in (initial + last, last + initial)


def _addressed_name(match: re.Match[str], local_part: str) -> tuple[int, int] | None:
    """The longest run of two to four words right before an address whose every word is in
    its local part (`mirko gritti` of `signed up: mirko gritti`), if there is one."""
    words = list(_NAME_WORDS.finditer(match.group(1)))
    local_part = _without_accents(local_part)
    for count in range(min(4, len(words)), 1, -1):
        run = words[-count:]
        if all(
            len(word.group()) >= 2 and _without_accents(word.group().lower()) in local_part
            for word in run
        ):
            return match.start(1) + run[0].start(), match.start(1) + run[-1].end()
    return None


def _without_accents(text: str) -> str:
    """`ríos` → `rios`, as addresses write names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _display_names(text: str) -> Iterator[Field]:
    header = _MAIL_HEADER.search(text)
    if header is None:
        # Quoted right before an address in brackets, a display name needs no header
        # (`sent to "Sophie Merle" <sophie.merle@…>`): a person's when the address is made of
        # its words; otherwise judged as any quoted value (`"Acme Support" <support@…>`).
        # Unquoted, it is as often a message's words.
        for match in _QUOTED_DISPLAY_NAME.finditer(text):
            name, local_part = match.group(1), match.group(2).lower()
            if any(char.isalpha() for char in name):
                entity = "PERSON" if _address_of(name, local_part) else None
                yield Field(ADDRESSED_NAME, *match.span(1), True, entity)
        # Unquoted, in any case, only the words the address is made of, all of them
        # (`signed up: mirko gritti <mirko.gritti@…>`).
        for match in _UNQUOTED_DISPLAY_NAME.finditer(text):
            span = _addressed_name(match, match.group(2).lower())
            if span is not None:
                yield Field(ADDRESSED_NAME, *span, True, "PERSON")
        return
    for match in _DISPLAY_NAME.finditer(text, header.end()):
        group = 1 if match.group(1) is not None else 2
        start, end = match.start(group), match.end(group)
        while end > start and text[end - 1] == " ":
            end -= 1
        if any(char.isalpha() for char in text[start:end]):
            yield Field("display_name", start, end, True, "PERSON")
