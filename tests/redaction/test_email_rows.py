"""A headerless row's cells beside an e-mail address: the address says whose they are.

Lines written for these tests (names from Faker's fr_FR/de_DE/it_IT lists, departments and
plans of my own), none from the frozen evaluation sets.
"""

from __future__ import annotations

import pytest

from service.redaction.mailboxes import addresses_in, cells_spelling_it, is_a_role_mailbox
from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("address", "cells", "spelling"),
    [
        ("g.marchetti@example.it", ["Marchetti", "Giulia"], {0, 1}),
        ("giulia.marchetti88@example.it", ["Marchetti", "Giulia"], {0, 1}),
        ("gmarchetti@example.it", ["Marchetti", "Giulia"], {0, 1}),
        ("marchetti_g@example.it", ["Marchetti", "Giulia"], {0, 1}),
        ("g.m@example.it", ["Marchetti", "Giulia"], {0, 1}),
        ("penelope_tanguy27@example.fr", ["Pénélope Tanguy"], {0}),
        ("jvandenbossche@example.be", ["Van den Bossche", "Jan"], {0, 1}),
        ("jean-luc.roux@example.fr", ["Roux", "Jean-Luc"], {0, 1}),
        ("g.marchetti@example.it", ["Marketing", "Marchetti", "Giulia"], {1, 2}),
        # one word alone, initials run together, words that are not the cells'
        ("marchetti@example.it", ["Marchetti", "Giulia"], set()),
        ("vertrieb@example.de", ["Vertrieb", "Teamleiter"], set()),
        ("gm@example.it", ["Marchetti", "Giulia"], set()),
        ("team-platform@example.com", ["Platform", "Backend"], set()),
        ("lzichichi@example.it", ["Barros", "Jéssica"], set()),
    ],
)
def test_the_cells_that_spell_an_address(
    address: str, cells: list[str], spelling: set[int]
) -> None:
    assert cells_spelling_it(address, cells) == spelling


def test_spelling_a_long_local_part_is_bounded() -> None:
    cells = [f"A{letter}" for letter in "abcdefghij"]
    assert cells_spelling_it("a" * 60 + "z@example.com", cells) == set()


@pytest.mark.parametrize(
    ("address", "role"),
    [
        ("billing@example.com", True),
        ("no-reply@example.com", True),
        ("sales-team2@example.com", True),
        ("POSTMASTER@example.com", True),
        ("team-platform@example.com", False),
        ("marchetti@example.it", False),
        ("info.giulia@example.it", False),
    ],
)
def test_role_mailboxes(address: str, role: bool) -> None:
    assert is_a_role_mailbox(address) is role


def test_addresses_are_read_out_of_cells() -> None:
    line = '"7",\'Rossi\';"g.rossi@example.it"|(ops@example.com)'
    assert addresses_in(line) == ["g.rossi@example.it", "ops@example.com"]


@pytest.mark.parametrize(
    "line",
    [
        # names that are English words (or read as one) were kept before the address told
        "2231;Leclerc;Pauline;pauline.leclerc@example.fr",
        "7719,Brun,Marcel,m.brun@example.fr",
        '5520,"Olive","Hart","olive.hart@example.com"',
        '"3301","Rose","Marin","r.marin@example.fr","active"',
        '"9912";"Kowalczyk";"Ines";"ines.k@example.com"',
        "4762,BISSON,ÉLISABETH,e.bisson@example.fr",
    ],
)
def test_cells_spelling_the_address_are_a_name(redactor: Redactor, line: str) -> None:
    redacted = redactor.redact(line).text
    assert redacted.count("<PERSON>") == 2 and "<EMAIL_ADDRESS>" in redacted, redacted


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("4410;Finanzen;Teamleitung;billing@example.de", ["Finanzen", "Teamleitung"]),
        ("EMP1021,PLATFORM,VOLLZEIT,support@example.com", ["PLATFORM", "VOLLZEIT"]),
        ("T9917|Logistik|Einkauf|Bremen|info@example.de", ["Logistik", "Einkauf", "Bremen"]),
    ],
)
def test_cells_beside_a_role_mailbox_stay(redactor: Redactor, line: str, kept: list[str]) -> None:
    redacted = redactor.redact(line).text
    assert "<EMAIL_ADDRESS>" in redacted and all(cell in redacted for cell in kept), redacted


@pytest.mark.parametrize(
    "line",
    [
        # a person's address that is not spelled from the cells: the cells still read as a name
        "3322,Dubois,Camille,zx81@example.net",
        "row 18: Marchetti;Giulia;lupo.grigio@example.it;1988-02-29",
    ],
)
def test_a_name_beside_someone_elses_address_is_still_redacted(
    redactor: Redactor, line: str
) -> None:
    redacted = redactor.redact(line).text
    assert redacted.count("<PERSON>") == 2, redacted
