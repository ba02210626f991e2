"""Street addresses found by probing with Faker's de_DE, nl_NL, nl_BE, fr_CH, es_CO and es_ES
addresses in free text and tracebacks (lines written for these tests), each left readable
before:

- Dutch types fused into the name (`-singel`, `-dreef`, `-steeg`, `-baan`, `-hof`, `-lei`);
- German and Dutch streets fused with `ring` or `pad`, which English words end in too;
- Swiss French order, type, name, number, in lower case (`rue de Bovet 93`);
- lower-case fused German and Dutch types (`ackermannstraße 38/36`);
- Colombian grid streets with an ordinal or `Bis`;
- Spanish and Italian types before the name, and in capitals.

Beside them, the words those rules could mistake: English words in -ring and -pad, Spanish
and French words that are street types only sometimes. The shapes that everyday words share
(fused -hof, -lei, -baan, -ring, -pad; a French type in lower case with no particle) count
only after an address word or before a town and postcode.
"""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("no jurisdiction for Wouterssingel 88", "no jurisdiction for <LOCATION>"),
        ("address set to Meeuwendreef 337 by support", "address set to <LOCATION> by support"),
        ("AddressError('undeliverable: Koesteeg 4')", "AddressError('undeliverable: <LOCATION>')"),
        ("shipping to Molenbaan 7 failed", "shipping to <LOCATION> failed"),
        ("delivery address Jacobshof 3", "delivery address <LOCATION>"),
        ("ship to Frankrijklei 12", "ship to <LOCATION>"),
        ("invoice to Johannesring 9, 50672 Köln", "invoice to <LOCATION>"),
        ('Lieferadresse: "Vadim-Jüttner-Ring 3/9"', 'Lieferadresse: "<LOCATION>"'),
        ("shipping to Bloemenpad 4", "shipping to <LOCATION>"),
        ("returned: Kanaalbaan 55, 2000 Antwerpen", "returned: <LOCATION>"),
        ("customer lives at boulevard Voltaire 3", "customer lives at <LOCATION>"),
        ('geocoder: no result for "rue de Bovet 93"', 'geocoder: no result for "<LOCATION>"'),
        ("note: lives at chemin Nusslé 49 since 2019", "note: lives at <LOCATION> since 2019"),
        ("shipping to ackermannstraße 38/36 failed", "shipping to <LOCATION> failed"),
        ("moved to kerkstraat 4", "moved to <LOCATION>"),
        ("address: Transversal 6ª # 58-48 by support", "address: <LOCATION> by support"),
        ("Carrera 7 Bis # 10-20, Bogotá", "<LOCATION>, Bogotá"),
        ("parcel for Glorieta de Fortunata Amores 580", "parcel for <LOCATION>"),
        ("parcel for Borgo Santa Croce 12", "parcel for <LOCATION>"),
        ("lives at 895 CHEMIN DES VIGNES since 2019", "lives at <LOCATION> since 2019"),
    ],
)  # fmt: skip
def test_the_street_is_redacted(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "Offering 3 plans to the customer",
        "Keypad 2 disabled",
        "Launchpad 4 builds queued",
        "Refactoring 3 modules",
        "Recurring 3 charges",
        "Transferring 12 files",
        "Declaring 5 variables",
        "Monitoring 24 hosts",
        "Spring 2026 sale",
        "String 5 too long",
        "I rue the day 3 times",
        "chemin trouvé dans Git 2",
        "select * from strasse 3",
        # An attacker review's lines (with no address word before them nor a town and
        # postcode after): German and Dutch nouns in -hof, -lei, -baan, -ring, -pad; English
        # words in -string; French and Spanish words that name a street type too.
        "INFO Bahnhof 3 Verspätung",
        "Kanzlei 3 Mandanten",
        "Startbaan 2 gesloten",
        "Dichtring 3 Stück",
        "Installatiepad 2 niet gevonden",
        "Docstring 3 missing",
        "Le chemin Windows 3 est introuvable",
        "avenue Mobile 3 version",
        "Ronda de pagos 3",
        "Cuesta unos 5 euros",
        "PASAJE DE IDA 2",
    ],
)
def test_words_that_only_look_like_streets_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
