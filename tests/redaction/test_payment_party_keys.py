"""The parties of payments and insurance that are people (`remitter`, `policyholder`,
`applicant`, and keys made with them: `insured_policyholder`, `applicantName`) are person
keys; keys that hold a payer's category or an insurer (`payor`, `subscriber`, `*_segment`)
are not. Each name below was left readable before."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("remitter=Jorge Peña status=ok", "Peña"),
        ("remitter_name=Ana Lucía Ferreira status=ok", "Ferreira"),
        ("policyholder: Tomasz Wiśniewski, plan=gold", "Wiśniewski"),
        ('{"applicantName": "Oluwaseun Bakare", "amount": 1200}', "Bakare"),
        ("primary_policyholder=Grace Okonkwo", "Okonkwo"),
    ],
)
def test_the_name_is_redacted(redactor: Redactor, line: str, gone: str) -> None:
    assert gone not in redactor.redact(line).text


@pytest.mark.parametrize(
    "line",
    [
        # from an attacker's review: an insurer, a plan, a category, a tool
        "payor=Medicare payor=Blue Cross",
        "subscriber=Gold Monthly",
        "borrower_segment=Ach_Transfer applicant_segment=Prime",
        "owner=Pg_Restore owner=Giropay_Online holder=Letsencrypt_Prod",
        "policyholder_id=pol_123 applicant_count=5",
    ],
)
def test_keys_of_categories_and_tools_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
