"""Phone numbers as French writes them: five pairs with dots after a phone's label
(`tél. 01.23.45.67.89`), and a bare run of digits right after `tél`, `téléphone` or
`teléfono`. Each redacted line below kept its number before. Dotted pairs with no label are
left: an attacker review found firmware versions, timestamps and account codes of that shape;
and the French and Spanish labels count only right before the number, not as context words a
few words away (case and order numbers). Lines written for these tests, and (marked) the
review's."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("appeler au tél 06.12.34.56.78 avant 18h", "appeler au tél <PHONE_NUMBER> avant 18h"),
        ("fax 01.23.45.67.89", "fax <PHONE_NUMBER>"),
        ("Mme Morel, tél. 04.78.12.34.56", "Mme <PERSON>, tél. <PHONE_NUMBER>"),
        ("rappel demandé, tél 0612345678", "rappel demandé, tél <PHONE_NUMBER>"),
        ("rappel demandé, Tél : 0478123456", "rappel demandé, Tél : <PHONE_NUMBER>"),
        ("téléphone : 0698765432 confirmé", "téléphone : <PHONE_NUMBER> confirmé"),
        ("teléfono 612345678", "teléfono <PHONE_NUMBER>"),
    ],
)
def test_a_french_phone_number_is_redacted(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "date 05.12.2026 facture 2231",  # a valid German number, written as a date
        "le client a appelé le 01.12.2026 à 14h",
        "heure 01.23.45 durée 12.34",
        "ip 10.01.23.45.67",
        "release v01.23.45.67.89 deployed",
        "counters 01.11.21.31.41.51",  # six pairs
        "télécharger le fichier 12345678 terminé",  # `tél` only inside a longer word
        "Téléchargement 20260101 ok",
        "référence 0123456789 commande",
        # the review's
        "Mise à jour firmware 05.04.03.02.01 déployée",
        "capteur 07.12.26.14.30 mesure 23.5",
        "Kostenstelle 01.20.30.40.50 belastet",
        "seq=01.02.03.04.05 next=01.02.03.04.06",
        "Serial 01.23.45.67.89.AB verified",
        "Số tín 123456789 hết hạn",  # `tín` is no `tin` (a taxpayer number's label)
        "sócial 123 45 6789 ref",
        # a few words after a French or Spanish label: no context word (the review's)
        "Réclamation reçue par téléphone, dossier 48213377 ouvert",
        "teléfono: pedido 912345678 enviado",
        "Téléphone (ticket 48213377)",
        "TÉL interne 612345678 poste",
    ],
)
def test_what_only_looks_like_one_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("tél:0612345678", "tél:<PHONE_NUMBER>"),
        ("Tél.:06.12.34.56.78", "Tél.:<PHONE_NUMBER>"),
        ("tel.0612345678", "tel.<PHONE_NUMBER>"),
        ("phone:4155550134", "phone:<PHONE_NUMBER>"),
        ("phone_number:4155550134 verified", "phone_number:<PHONE_NUMBER> verified"),
        ("mobile:07700900123", "mobile:<PHONE_NUMBER>"),
        ("TÉL.:06.12.34.56.78", "TÉL.:<PHONE_NUMBER>"),
        ("msisdn:33612345678", "msisdn:<PHONE_NUMBER>"),
        ("phoneNo:0612345678", "phoneNo:<PHONE_NUMBER>"),
        ("tel:(030) 1234567", "tel:<PHONE_NUMBER>"),
    ],
)
def test_a_number_glued_to_its_label_is_redacted(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "intel:12345678 cpu",
        "call:20261207 duration=34",  # a call's id
        "cell:123456789 rsrp=-95",  # a radio cell's
        "sms:123456789 sent",
        "tel:2026-12-07",
        "mobile_no:0xDEADBEEF",
        "telemetry:12345678",
        # an attacker review's: counters, epochs, ids, keys and lists after a label
        "tel:1733580000",
        "mobile:612345678",
        "cache get mobile:612345678 miss",
        "sessions_mobile:123456789|g",
        "fax.20261207.tif",
        "mobile:(2026) 1207",
        "fax:21 22 23 25 80",
        "redis SET phone:412345678 1",
    ],
)
def test_what_follows_other_labels_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
