"""JSON keys of several words, as spreadsheet and form exports write them (`"Date of Birth"`,
`"nome completo"`, `"recapito telefonico"`), are judged by their words as snake-case keys are;
and a key whose person word only qualifies something else (`contact_reason`, `client_library`,
`customer_tier`) says nothing of a person. Values made up for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ('{"nome completo":"Nino Venturi"}', '{"nome completo":"<PERSON>"}'),
        (
            "{'nome completo': 'Nino Venturi', 'plan': 'gold'}",
            "{'nome completo': '<PERSON>', 'plan': 'gold'}",
        ),
        ("{'Date of Birth': '20/11/1957'}", "{'Date of Birth': '<DATE_TIME>'}"),
        ('{"Geburts Datum": "1967-05-18"}', '{"Geburts Datum": "<DATE_TIME>"}'),
        ('{"Data de nascimento": "1967-05-18"}', '{"Data de nascimento": "<DATE_TIME>"}'),
        (
            '{"event":"x","recapito telefonico":"351692174"}',
            '{"event":"x","recapito telefonico":"<PHONE_NUMBER>"}',
        ),
        (
            '{"Nom du client": "Lotte Stumpf", "Plan": "Gold"}',
            '{"Nom du client": "<PERSON>", "Plan": "Gold"}',
        ),
        ('{"numero de telefono": "612345678"}', '{"numero de telefono": "<PHONE_NUMBER>"}'),
        ('{"Fecha de nacimiento": "20/11/1957"}', '{"Fecha de nacimiento": "<DATE_TIME>"}'),
        (
            '{"nome do titular":"Mara Neves","valor":"12.00"}',
            '{"nome do titular":"<PERSON>","valor":"12.00"}',
        ),
    ],
)
def test_a_key_of_several_words_is_judged_by_its_words(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        '{"Contact Reason":"Billing Question"}',
        '{"contact_reason":"Billing Question"}',
        '{"Client Library":"Stripe Python"}',
        '{"client_library":"Stripe Python"}',
        '{"Customer Tier":"Gold Plus"}',
        '{"customer_tier":"Gold Plus"}',
        '{"Error Message":"Card Declined","Status":"Failed"}',
        '{"Contact Method":"Phone Call"}',
        '{"Customer Segment":"Small Business"}',
        '{"Owner Team":"Platform Infra"}',
        "{'error message': 'Card Declined'}",
        '{"Nom du produit": "Telefon Flat L"}',
    ],
)
def test_a_key_about_something_else_leaves_its_value(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("Contacto: Sofía Torres", "Contacto: <PERSON>"),
        ("Cliente: Sofía Torres", "Cliente: <PERSON>"),
        ('{"cliente": "Sofía Torres"}', '{"cliente": "<PERSON>"}'),
        ("Kontakt: Anna Weber", "Kontakt: <PERSON>"),
        ("klant=Daan Visser status=actief", "klant=<PERSON> status=actief"),
    ],
)
def test_the_customer_or_contact_of_other_languages_as_a_key(
    redactor: Redactor, line: str, redacted: str
) -> None:
    """`Cliente`, `Kunde`, `klant`, `Contacto`, `Kontakt` name a person as `customer` and
    `contact` do (`Contacto: Sofía Torres` and `Cliente: …` were left whole before); the
    customer's id stays something else (`cliente_id`)."""
    assert redactor.redact(line).text == redacted
    assert redactor.redact("cliente_id=4412").text == "cliente_id=4412"
