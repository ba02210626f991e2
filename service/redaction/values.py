"""Whether a keyed value has the shape of what its key says, and how NER should see it."""

from __future__ import annotations

import regex

from service.redaction.names import LOG_VOCABULARY

NOT_A_VALUE = frozenset(
    {"", "null", "none", "nil", "-", "n/a", "true", "false", "redacted", "unknown", "anonymous"}
)
_NAME_WORD = r"[\p{L}\p{M}][\p{L}\p{M}'\u2019.-]*"
# One to six words of letters (initials, apostrophes, hyphens), `Last, First` allowed.
_NAME_SHAPED = regex.compile(rf"{_NAME_WORD}(?:,?[ \t]+{_NAME_WORD}){{0,5}}")
_LAST_COMMA_FIRST = regex.compile(rf"({_NAME_WORD}),[ \t]+({_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)")
_WORDS = regex.compile(r"[\p{L}\p{M}'\u2019.-]+")


def is_placeholder(value: str) -> bool:
    stripped = value.strip()
    return stripped.lower() in NOT_A_VALUE or "***" in stripped or stripped.startswith("<")


def name_shaped(value: str) -> bool:
    """Letters in one to six words, not all of them the words of log messages."""
    value = value.strip()
    if not _NAME_SHAPED.fullmatch(value):
        return False
    words = _WORDS.findall(value)
    return not all(word.lower().strip(".") in LOG_VOCABULARY for word in words)


def plausible(entity: str, value: str, *, single_word_ok: bool = False) -> bool:
    """Whether `value`, found under a key that says `entity`, has that entity's shape."""
    if is_placeholder(value):
        return False
    if entity == "PERSON":
        if not name_shaped(value):
            return False
        return " " in value.strip() or value[:1].isupper() or single_word_ok
    if entity == "LOCATION":
        has_letter = any(char.isalpha() for char in value)
        return has_letter and len(value) <= 200 and (" " in value.strip() or value[:1].isdigit())
    if entity == "DATE_TIME":
        return sum(char.isdigit() for char in value) >= 4 and len(value) <= 40
    if entity == "EMAIL_ADDRESS":
        return "@" in value
    if entity == "PHONE_NUMBER":
        return sum(char.isdigit() for char in value) >= 7
    return True


def ner_form(value: str) -> str:
    """The value as NER reads names best: `DOE, JANE` → `Jane Doe`."""
    value = value.strip()
    match = _LAST_COMMA_FIRST.fullmatch(value)
    if match is not None:
        value = f"{match.group(2)} {match.group(1)}"
    if value.isupper() or value.islower():
        value = " ".join(word[:1].upper() + word[1:].lower() for word in value.split())
    return value
