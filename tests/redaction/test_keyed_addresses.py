"""An address under a key that says "address" is redacted to its end: the rest of its words
and the comma-separated parts after it. Before, the value ended at its first comma (or after
four words), so `address: House 14, Road 27, Block C, Banani, Dhaka 1213` kept everything but
`House 14` readable. Probed with self-written lines, none from either frozen set."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "address: House 14, Road 27, Block C, Banani, Dhaka 1213",
            "address: <LOCATION>",
        ),
        ("addr: ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa", "addr: <LOCATION>"),
        ("Adres: Bağdat Caddesi No:155 D:3, 34728 Kadıköy/İstanbul", "Adres: <LOCATION>"),  # noqa: RUF001
        (
            "address line: 7 Moo 3, Tambon Chang Phueak, Chiang Mai 50300",
            "address line: <LOCATION>",
        ),
        ("customer address: Bulevar Kralja Aleksandra 73, Beograd", "customer address: <LOCATION>"),
        ("addr=Đường Nguyễn Trãi 227, Quận 5, TP.HCM", "addr=<LOCATION>"),
        # the value ends at the next key, at a separator that is no comma, or at free text
        ("address=12 Main St, Springfield status=ok", "address=<LOCATION> status=ok"),
        ("addr=Via Garibaldi 14, 10122 Torino TO plan=pro", "addr=<LOCATION> plan=pro"),
        ("Street: Baker Street 221B; city=London", "Street: <LOCATION>; city=London"),
        (
            "address: 12 Main St, then retried the charge",
            "address: <LOCATION>, then retried the charge",
        ),
    ],
)
def test_an_address_under_its_key_is_redacted_whole(
    redactor: Redactor, line: str, expected: str
) -> None:
    assert redactor.redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        "address: not provided",
        "Address: updated 3 times since May",
        "Address: changed by the owner on 2026-01-02",
        "listen_addr: localhost:8080",
        "STRONGROOM_VAULT_ADDR=https://vault:8200 STRONGROOM_VAULT_CA_CERT=ca.pem",
    ],
)
def test_what_an_address_key_holds_besides_an_address_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
