"""Names that NER leaves, found by what stands around them: a display name right before an
address in brackets made of its words, with no mail header, quoted or not, in any case
(`"Sophie Merle" <sophie.merle@…>`, `signed up: mirko gritti <mirko.gritti@…>`), and a
quoted value right after a person cue (`user "Florian Prager" not authorized`), as a run
after a cue in free text already was. Each redacted line below kept its name before; what
is not a person stays (a team's mailbox, ordinary English words, a product after the cue).
Names made up for these tests."""

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
        (
            "Georges Pages <georges.pages@example.com> unsubscribed",
            "<PERSON> <<EMAIL_ADDRESS>> unsubscribed",
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
    ],
)
def test_what_is_no_person_stays(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted
