"""A name under a key that says a person, written with underscores where a space cannot be
(`guarantor=Curt_Persson`), and the person keys of payments and insurance (`remitter`,
`insured_party`, `policyholder`…) are redacted; a group's, a company's or a tool's name joined
the same way stays.

Each name below was left readable before."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("guarantor=Curt_Persson status=ok", "Persson"),
        ("account_holder=Maria_Del_Carmen_Ruiz ok", "Carmen"),
        ("signatory=Grace_Okonkwo-Adeyemi status=signed", "Okonkwo"),
        ("remitter=Jorge Peña status=ok", "Peña"),
        ('insured_party="Ana Lucía Ferreira" status=ok', "Ferreira"),
        ("policyholder: Tomasz Wiśniewski, plan=gold", "Wiśniewski"),
        ("claimant=Oluwaseun Bakare amount=1200", "Bakare"),
    ],
)
def test_the_name_is_redacted(redactor: Redactor, line: str, gone: str) -> None:
    assert gone not in redactor.redact(line).text


@pytest.mark.parametrize(
    "line",
    [
        "owner=Payments_Team holder=Build_Bot author=Release_Manager",
        "subscriber=Webhook_Relay status=active",
        "created_by=Github_Actions",
        "debtor=Acme_Corp reviewer=Code_Owners",
        "guardian=Rate_Limiter remitter=Bank_Transfer",
        "purchaser=Marketplace_Seller",
        "owner=Will_Long",
        "insured=True claimant=None applicant=Pending",
        "policyholder_id=pol_123 subscriber_count=5 debtor_days=30",
    ],
)
def test_joined_names_of_things_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
