"""What an e-mail address says about the cells of the row it sits in.

A headerless row's capitalised cells next to an address are a person's name as often as a
department, a plan or a city (`Marchetti;Giulia;…`, `Vertrieb;Teamleiter;…`), and neither
spelling nor the NER model tells them apart. The address often does: a person's is made of
their name (`g.marchetti@`, `giulia.marchetti88@`, `g.m@`), and a mailbox of a role or a team
(`billing@`, `support@`, RFC 2142's `postmaster@`) belongs to nobody.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

import regex

# Mailboxes of a function, not of a person: RFC 2142's, and the generic ones of shops and
# SaaS products. A local part made of these alone (`billing`, `no-reply`, `sales-team`).
ROLE_MAILBOXES = frozenset(
    """
    abuse accounting accounts admin administrator billing careers contact contacts
    customerservice enquiries feedback finance help helpdesk hello hostmaster hr info
    inquiries invoice invoices jobs mailer mail marketing media news newsletter noc no
    noreply notifications office orders payments postmaster press privacy receipts reply
    sales security service services subscriptions support team uucp webmaster www
    """.split()  # noqa: SIM905
)

_ADDRESS = regex.compile(r"[^\s@<>\"',;|()\[\]]+@[^\s@<>\"',;|()\[\]]+\.\p{L}{2,}")
_PIECES = regex.compile(r"\p{L}+")
_SEPARATED = regex.compile(r"\p{L}+[._-]\p{L}+")
_SHORTEST_WORD = 2
# A name's words; bounds the spelling search (each word spells a piece once).
_MOST_WORDS = 6


def addresses_in(text: str) -> list[str]:
    return _ADDRESS.findall(text)


def local_part(address: str) -> str:
    return address.rsplit("@", 1)[0]


def is_a_role_mailbox(address: str) -> bool:
    """Whether the address is a role's or a team's (`billing@`, `no-reply@`): every letter
    run of its local part a role mailbox's word, digits aside."""
    pieces = _PIECES.findall(local_part(address).lower())
    return bool(pieces) and all(piece in ROLE_MAILBOXES for piece in pieces)


def cells_spelling_it(address: str, cells: Sequence[str]) -> set[int]:
    """The cells whose words spell the address's local part, when at least two words do: a
    word whole with another or its initial (`giulia.marchetti88`, `gmarchetti`,
    `marchetti_g`), or initials set apart (`g.m`); else none. One word alone (`vertrieb@`,
    `marchetti@`) is a department's address as often as a person's."""
    words = [
        (index, folded)
        for index, cell in enumerate(cells)
        for word in regex.split(r"[\s,-]+", cell)
        if len(folded := _folded(word)) >= _SHORTEST_WORD
    ][:_MOST_WORDS]
    local = local_part(address)
    pieces = [_folded(piece) for piece in _PIECES.findall(local)]
    if len(words) < 2 or not pieces:
        return set()
    used: set[int] = set()
    whole = False
    for piece in pieces:
        parsed = _spelled_from(piece, [word for _, word in words])
        if parsed is None:
            return set()
        for index, was_whole in parsed:
            used.add(index)
            whole = whole or was_whole
    if len(used) < 2 or not (whole or _SEPARATED.search(local)):
        return set()
    return {words[index][0] for index in used}


def _spelled_from(piece: str, words: list[str]) -> list[tuple[int, bool]] | None:
    """The words (index, whole or initial) that spell ``piece``, each once; None if none do."""

    @functools.cache
    def spell(at: int, used: frozenset[int]) -> list[tuple[int, bool]] | None:
        if at == len(piece):
            return []
        for index, word in enumerate(words):
            if index in used:
                continue
            for was_whole, part in ((True, word), (False, word[0])):
                if piece.startswith(part, at):
                    rest = spell(at + len(part), used | {index})
                    if rest is not None:
                        return [(index, was_whole), *rest]
        return None

    return spell(0, frozenset())


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(
        char for char in decomposed if char.isalnum() and not unicodedata.combining(char)
    )
