"""An unquoted address under an address key is redacted whole, parts after its first comma
included; values of such keys that are machines (`mgmt_addr`, `bind_address`) stay readable.
Lines written here, none from either frozen evaluation set; the readable ones include what an
attacker review found a wider first version swallowing."""

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
        (
            "address: House 14, Road 27, Block C, Banani, Dhaka 1213 status=verified",
            "address: <LOCATION> status=verified",
        ),
        ("address: 55 Rue de Rivoli, 75001 Paris, France", "address: <LOCATION>"),
        ("address: Calle Mayor 5, 3º B, 28013 Madrid", "address: <LOCATION>"),
        ("address: Room 101, Tower B, 5th floor", "address: <LOCATION>"),
        ("address: 12 Nguyen Trai, Phuong 7, Quan 5, TP HCM", "address: <LOCATION>"),
        ("address: PO Box 12, Nairobi 00100, Kenya", "address: <LOCATION>"),
        (
            "address=Unit 5, 20 Harbour Rd, Wellington 6011 user=cus_123",
            "address=<LOCATION> user=cus_123",
        ),
        # the value ends at the first word no address is written in
        ("address: 12 High St, Leeds LS1 4AP updated by ops", "address: <LOCATION> updated by ops"),
        (
            "address: Building 4, Floor 2 — see ticket OPS-1234",
            "address: <LOCATION> — see ticket OPS-1234",
        ),
        ("ship_address: Flat 2, 9 Elm Row; carrier: DHL", "ship_address: <LOCATION>; carrier: DHL"),
        ("address: 12 Elm Road, flat 3, Leeds LS1 4AP", "address: <LOCATION>"),
        ("address: 7 rue du Bac, 75007 Paris, France", "address: <LOCATION>"),
        ("address: Số 5, Phường 7, Quận 3, TP HCM", "address: <LOCATION>"),
        ("address: Lot 5, Jalan 3/4, 46000 Petaling Jaya", "address: <LOCATION>"),
        ("address: 61 Rua dos Açores, 4º Esq, 1000-004 Lisboa", "address: <LOCATION>"),
        (
            "address: 27 Kestrel Way, Apt 5B, Harrogate HG1 2QT, United Kingdom",
            "address: <LOCATION>",
        ),
        # a part cut short by a word is left out
        ("address: 5 Elm St, Leeds, 3 items, total 40", "address: <LOCATION>, 3 items, total 40"),
    ],
)
def test_an_address_under_its_key_is_redacted_whole(
    redactor: Redactor, line: str, expected: str
) -> None:
    assert redactor.redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        "listen_address=db-1.internal:5432, pool 20",
        "mac_address: 00:1B:44:11:3A:B7, VLAN 20",
        "address: N/A, N/A, N/A",
        "address: Unknown, pending KYC",
        "addr: Main, Backup, DR site 2",
        # codes open no address (an attacker review's lines, as the code before them left them)
        "peer_address: DB01, Slot 3",
        "redis: replica_address: R1, Slot 3 role=replica",
        "address: DC1, Cage 7, Rack 12",
        # a second review's: values nothing found a place in before stay whole
        "bind_address=Disabled, Fallback 2",
        "address=Error 404, Not Found",
        "home_address=Same, Row 2",
        "mgmt_addr=Console 1, Baud 9600",
    ],
)
def test_machines_and_placeholders_under_address_keys_stay_readable(
    redactor: Redactor, line: str
) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # the IP alone is redacted, as before; the VLAN and MTU after it stay
        ("mgmt_addr: 10.0.0.8 VLAN 12, MTU 9000", "mgmt_addr: <IP_ADDRESS> VLAN 12, MTU 9000"),
        ("bind_address: 0.0.0.0:8080, workers 4", "bind_address: <IP_ADDRESS>:8080, workers 4"),
        ("peer_address: Node 3, Rack 12, Pod 7", "peer_address: <LOCATION>, Rack 12, Pod 7"),
        ("bind_address: TCP 443, UDP 53", "bind_address: <LOCATION>, UDP 53"),
        # hardware, releases, wallets, plans and orders: the first part alone, as before
        ("mgmt_addr: Chassis 4, Slot 2, Blade 7", "mgmt_addr: <LOCATION>, Slot 2, Blade 7"),
        ("address: Kafka 3, Broker 2, Partition 7", "address: <LOCATION>, Broker 2, Partition 7"),
        ("address: Release 2.4.1, Build 7", "address: <LOCATION>, Build 7"),
        (
            "wallet_address: 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy, 0.5 BTC",
            "wallet_address: <LOCATION>, 0.5 BTC",
        ),
        ("address: 500 Seats, Enterprise Plan", "address: <LOCATION>, Enterprise Plan"),
        # no street, unit, box or ward word, no place's name, no postal code after the first
        # part: not taken past it (a third review's)
        (
            "disk_address: Block 4096, Sector 8, Head 2",
            "disk_address: <LOCATION>, Sector 8, Head 2",
        ),
        (
            "modbus_address: Unit 1, Register 40001, Coil 7",
            "modbus_address: <LOCATION>, Register 40001, Coil 7",
        ),
        (
            "listen_address: Default 0, Backlog 128, Workers 4",
            "listen_address: <LOCATION>, Backlog 128, Workers 4",
        ),
        (
            "contract_address: Token V2, Decimals 18, Symbol USDC",
            "contract_address: <LOCATION>, Decimals 18, Symbol USDC",
        ),
        (
            "address: 12 Elm St, Leeds, Paid 40 EUR, Order 5521",
            "address: <LOCATION>, Paid 40 EUR, Order 5521",
        ),
    ],
)
def test_machines_releases_and_orders_take_nothing_after_the_first_part(
    redactor: Redactor, line: str, expected: str
) -> None:
    assert redactor.redact(line).text == expected
