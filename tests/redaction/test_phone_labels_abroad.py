"""Phone numbers under, or right after, a phone's name in German, French, Spanish, Italian,
Portuguese or Dutch (`"Mobil":"0630494032"`, `telefono 375687789`, `telefoonnummer: …`): a key
made of such a word says its value is a phone number, and such a label right before a bare run
of digits makes it one as a formatted number would, unless the run is a date or an epoch, or a
count before its unit (`telefono: 45123987 chiamate totali`) that is no valid number of the
label's countries. A key with another word than a
number's or whose it is (`mobil_umsatz`) counts or sorts by phone. Not `handy` nor `gsm`,
English words too; and a phone key whose value is mostly words
(`Telefon: Paket 040/12345678 zugestellt`) holds no phone as a whole. Numbers made up for
these tests in each country's shape."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        (
            '{"event":"contact_update","Mobil":"0630494032"}',
            '{"event":"contact_update","Mobil":"<PHONE_NUMBER>"}',
        ),
        (
            "support ticket #2934 telefono 375687789 status=open",
            "support ticket #2934 telefono <PHONE_NUMBER> status=open",
        ),
        (
            "support ticket #6685 recapito telefonico 3756940329 status=open",
            "support ticket #6685 recapito telefonico <PHONE_NUMBER> status=open",
        ),
        (
            "kunde aktualisiert: telefone: 968 778 932",
            "kunde aktualisiert: telefone: <PHONE_NUMBER>",
        ),
        (
            "Rückruf an Telefonnummer 03012345678 erbeten",
            "Rückruf an Telefonnummer <PHONE_NUMBER> erbeten",
        ),
        ("cliente actualizado, móvil 612345678", "cliente actualizado, móvil <PHONE_NUMBER>"),
        (
            "klant gebeld op telefoonnummer 0612345678",
            "klant gebeld op telefoonnummer <PHONE_NUMBER>",
        ),
        ("cellulare=3471234567 esito=ok", "cellulare=<PHONE_NUMBER> esito=ok"),
        ('{"telemovel": "912345678"}', '{"telemovel": "<PHONE_NUMBER>"}'),
        ('{"telefono_cliente": "0612345678"}', '{"telefono_cliente": "<PHONE_NUMBER>"}'),
        # Unquoted under a key its label is fused into: the key is the recogniser's context.
        ("telefono_cliente=0612345678 esito=ok", "telefono_cliente=<PHONE_NUMBER> esito=ok"),
        ("kunde_telefon=030 12345678", "kunde_telefon=<PHONE_NUMBER>"),
        # Before a lower-case word, a valid number of the label's country is still a phone.
        (
            "telefono 3471234567 verificato dal cliente",
            "telefono <PHONE_NUMBER> verificato dal cliente",
        ),
        (
            "teléfono 612345678 confirmado por el cliente",
            "teléfono <PHONE_NUMBER> confirmado por el cliente",
        ),
    ],
)
def test_a_phone_under_a_label_of_another_language(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "Handy tip: rerun job 12345678 with --force",
        "Telefon: Paket 040/12345678 zugestellt",
        "Mobil: Auftrag 12345678 erledigt",
        "GSM: 48213377 frames dropped since boot",
        "telefon 20261207 batch done",
        "Telefon: 1733580000 last sync epoch",
        "telefono: 45123987 chiamate totali",
        "telefoon 1234567890 bytes verstuurd",
        "mobil_umsatz=12345678 EUR",
        "telefonnummer_anzahl=1234567",
        '{"celular_lote":"20261207"}',
        "Mobil 1 oil shipment 55512345 delivered",
        "telefono: non disponibile, pratica 48213377",
        "handynummer unbekannt, vorgang 12345678",
        "WARN telefon module v2 build 20261207 failed",
        "INFO mobil app release 3.14 downloads=1234567",
        "GET /api/v1/telefoon/export?page=2 200 items=1234567",
        "tfno campaign 2026 sent 1500000 messages",
        "celular market share 45% units 12000000",
        '{"telefono_id": 48213377, "telefon_count": 1234567}',
    ],
)
def test_no_phone_where_such_a_word_labels_something_else(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("callback requested, phone 912 345 678", "callback requested, phone <PHONE_NUMBER>"),
        ("móvil 612 345 678 confirmado", "móvil <PHONE_NUMBER> confirmado"),
        ("teléfono: 612 34 56 78", "teléfono: <PHONE_NUMBER>"),
        ("telefone 912 345 678", "telefone <PHONE_NUMBER>"),
        ("Telefono 347 123 4567 verificato", "Telefono <PHONE_NUMBER> verificato"),
        # an attacker review's: a Spanish landline, once whole, then half
        ("tfno: 91 234 56 78", "tfno: <PHONE_NUMBER>"),
        ("tel 91 234 56 78", "tel <PHONE_NUMBER>"),
        ("Teléfono: 93 123 45 67", "Teléfono: <PHONE_NUMBER>"),
        # unquoted under a phone key: the value's groups after its first
        ("movil_contacto=612 345 678", "movil_contacto=<PHONE_NUMBER>"),
        (
            "cliente_telefono=612 34 56 78 estado=activo",
            "cliente_telefono=<PHONE_NUMBER> estado=activo",
        ),
        ("numero_telefono=347 123 4567, ok", "numero_telefono=<PHONE_NUMBER>, ok"),
        # a camelCase key whose number also has an SSN's weak shape
        ("telefonoCliente=612345678", "telefonoCliente=<PHONE_NUMBER>"),
        # whose number it is between the label and the number; a verb asking for a call
        ("teléfono del cliente 612 345 678", "teléfono del cliente <PHONE_NUMBER>"),
        (
            "Llamar al 612 345 678 para confirmar la cita",
            "Llamar al <PHONE_NUMBER> para confirmar la cita",
        ),
        ("Richiamare il cliente al 347 123 4567", "Richiamare il cliente al <PHONE_NUMBER>"),
        ("Ligar para 912345678 amanhã", "Ligar para <PHONE_NUMBER> amanhã"),
        # a second attacker review's: a word after the number, other whose words and labels
        ("phone 612 345 678 was unreachable", "phone <PHONE_NUMBER> was unreachable"),
        ("call 347 123 4567 tomorrow morning", "call <PHONE_NUMBER> tomorrow morning"),
        ("teléfono del titular 612 345 678", "teléfono del titular <PHONE_NUMBER>"),
        ("telefono del destinatario 347 123 4567", "telefono del destinatario <PHONE_NUMBER>"),
        ("whatsapp: 612 345 678", "whatsapp: <PHONE_NUMBER>"),
        ("Tlf: 612 345 678", "Tlf: <PHONE_NUMBER>"),
        ("cel: 347 123 4567", "cel: <PHONE_NUMBER>"),
    ],
)
def test_a_number_in_groups_after_a_label(redactor: Redactor, line: str, redacted: str) -> None:
    """Spain's, Portugal's and Italy's written forms, groups after a first one with no trunk
    `0`: kept whole before, as no pattern took them, unless a phone key's `:` followed."""
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "transferred 612 345 678 bytes",
        "population 612 345 678",
        "telefoon 123 456 789 bytes verstuurd",
        "ids 612 345 678 901 234",
        "mobile 612 345",
        # an attacker review's: a context word a few words away, a unit after the number
        "call volume 612 345 678 this quarter",
        "sms credits remaining: 612 345 678",
        "phone-gateway v3.4.7 build 612 345 678",
        "mobile 612 345 678 ms",
        "teléfono 612345678 segundos",
        "telefono 3471234567 ms di latenza",
        "teléfono 612 345 678 ms de latencia",
        "tel_latency_us=612 345 678",
        "phone=612 345 678.5",
        "liga de futebol 912345678 adeptos",
        "llamar al servicio 612345678",
        "chiamare il job 34712345",
        "ligue para 45123987 vezes",
    ],
)
def test_groups_with_no_label_right_before_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
