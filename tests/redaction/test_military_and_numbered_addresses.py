"""United States military mail (APO, FPO, DPO), house numbers written `N° 1234` after a
Spanish street type, and Argentina's letter-and-digits postal code are redacted whole;
invoice and order numbers written with `N°`, and APO words in other senses, stay.

Each address below was left readable, whole or for the most part, before these rules."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("ship to PSC 1234, Box 5678, APO AE 09021", "5678"),
        ("ship to PSC 1234, Box 5678, APO AE 09021", "09021"),
        ("mail: Unit 2050 Box 4190, APO AP 96278-2050", "4190"),
        ("addressed to CMR 450, Box 12, APO AE 09180 per request", "CMR 450"),
        ("forward to USNS Comfort, FPO AA 34055", "34055"),
        ("UNIT 2050 BOX 4190 APO AP 96278-2050", "4190"),
        ("address=DPO AE 09498-0001 verified", "09498"),
        ("APO  AE  09021", "09021"),
        ("Unit 2050 Box 4190 APO AP 962782050", "962782050"),
    ],
)
def test_military_mail_is_redacted(redactor: Redactor, line: str, gone: str) -> None:
    assert gone not in redactor.redact(line).text


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("envío a Av. Corrientes N° 1234, C1043AAB Buenos Aires", "Corrientes"),
        ("envío a Av. Corrientes N° 1234, C1043AAB Buenos Aires", "C1043AAB"),
        ("domicilio: Calle San Martín N° 455, Piso 3, Córdoba 5000", "Martín"),
        ("domicilio: Calle San Martín N° 455, Piso 3, Córdoba 5000", "Córdoba"),
        ("entrega en Camino Real Nº 88, Local 4, Mendoza 5500", "Camino Real"),
        ("entrega en Camino Real Nº 88, Local 4, Mendoza 5500", "Local 4"),
        ("domicilio: Calle San Martín N.° 455", "Martín"),
        # type words the other street patterns do not use, so the pre-screen must know them
        ("envío a Bulevar Artigas N° 1234, Montevideo", "Artigas"),
        ("envío a Bv. Oroño N° 455", "Oroño"),
    ],
)
def test_a_house_number_written_with_a_number_sign_is_taken(
    redactor: Redactor, line: str, gone: str
) -> None:
    assert gone not in redactor.redact(line).text


@pytest.mark.parametrize(
    "line",
    [
        "Factura N° 0001-00001234 emitida",
        "Pedido N° 5531 enviado por Correo",
        "Commande N° 88 livrée",
        "APO AE pending: 3 retries",
        "the APO AP region rollout 20240",
        "DPO AA review 12345 scheduled",
        # from an attacker's review: a street word opening a sentence, a seat's number
        "2024-03-01 12:00:01 INFO Place order N° 12345 accepted",
        "Via API call N° 5000",
        "Calle de servicio N° 4 (Data Center) cerrada",
        "Plaza de garaje N° 15",
        "Pasaje aéreo Vuelo N° 1234",
        "Conjunto de pruebas N° 5",
    ],
)
def test_numbers_and_apo_words_in_other_senses_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
