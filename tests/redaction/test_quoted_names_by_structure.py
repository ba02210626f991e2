"""Names that NER leaves, found by what stands around them: a display name right before an
address in brackets made of its words, with no mail header, quoted or not, in any case
(`"Sophie Merle" <sophie.merle@…>`, `signed up: mirko gritti <mirko.gritti@…>`), and a
quoted value right after a person cue (`user "Florian Prager" not authorized`), as a run
after a cue in free text already was — when a word of the name is no English word: a
held-back review found role mailboxes made of their words and teams, tools and roles after
cues, whose words WordNet lists as nouns as it lists many names; values of English words are
left to NER as before. Each redacted line below kept its name before; what is not a person
stays. Names made up for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ('"Sophie Merle" <sophie.merle@example.com>', '"<PERSON>" <<EMAIL_ADDRESS>>'),
        (
            'queued mail to "Alain Chevalier" <a.chevalier@example.com>',
            'queued mail to "<PERSON>" <<EMAIL_ADDRESS>>',
        ),
        (
            '"Alain Chevalier" <achevalier@example.com>',
            '"<PERSON>" <<EMAIL_ADDRESS>>',
        ),
        (
            'graphql error: user "Olivier Thibault" not authorized for field invoices',
            'graphql error: user "<PERSON>" not authorized for field invoices',
        ),
        ('user "Florian Prager" not authorized', 'user "<PERSON>" not authorized'),
        # unquoted, in any case: the words the address is made of, all of them
        (
            "signed up: mirko gritti <mirko.gritti@example.com>",
            "signed up: <PERSON> <<EMAIL_ADDRESS>>",
        ),
        (
            "signed up: erika ríos <erika.rios@example.com>",
            "signed up: <PERSON> <<EMAIL_ADDRESS>>",
        ),
    ],
)
def test_a_quoted_name_is_found_by_what_stands_around_it(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ('"Billing Team" <billing@acme.com>', '"Billing Team" <<EMAIL_ADDRESS>>'),
        ('"Acme Support" <support@acme.io>', '"Acme Support" <<EMAIL_ADDRESS>>'),
        ('"no-reply" <noreply@acme.io>', '"no-reply" <<EMAIL_ADDRESS>>'),
        ('user "Billing Service" not authorized', 'user "Billing Service" not authorized'),
        ('user "Read Only" denied', 'user "Read Only" denied'),
        ('user "Stripe Connect" denied', 'user "Stripe Connect" denied'),
        ("sent to billing team <billing.team@acme.com>", "sent to billing team <<EMAIL_ADDRESS>>"),
        ("mail from support <support@acme.io>", "mail from support <<EMAIL_ADDRESS>>"),
        # a held-back review's: role mailboxes made of their words, tools and teams after cues
        ('"Weekly Digest" <weekly.digest@example.com>', '"Weekly Digest" <<EMAIL_ADDRESS>>'),
        (
            '"Accounts Payable" <accounts.payable@example.com>',
            '"Accounts Payable" <<EMAIL_ADDRESS>>',
        ),
        ('by "Automated Backup"', 'by "Automated Backup"'),
        ('by "Kubernetes Operator"', 'by "Kubernetes Operator"'),
        ('user "Quality Assurance"', 'user "Quality Assurance"'),
        ('user "Power Users"', 'user "Power Users"'),
    ],
)
def test_what_is_no_person_stays(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted
