"""Names a line speaks to (`Your receipt, Leandra!`), lower-case names after `named`, and a
role word right after a looser cue (`sent to subscriber chiara ricci` took `subscriber
chiara` and left the surname readable). Forms of address after a greeting (`Hi Stranger!`)
are no names. Lines written for these tests; names from Faker's it/fr/es/de locales and
made up."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("email sent to subscriber chiara ricci", "email sent to subscriber <PERSON>"),
        ("payout by member ruben maes", "payout by member <PERSON>"),
        ("refund sent to customer jan peeters today", "refund sent to customer <PERSON> today"),
        ("invoice for tenant lotte claes", "invoice for tenant <PERSON>"),
    ],
)
def test_a_role_word_after_a_looser_cue_is_the_names_cue(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("customer named jorge ramírez", "customer named <PERSON>"),
        (
            "the customer named émilie laurent cancelled",
            "the customer named <PERSON> cancelled",
        ),
    ],
)
def test_a_lower_case_name_after_named(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "plan named gold plus",
        "field named billing address",
        "job named nightly export",
        "bucket named nightly backups",
    ],
)
def test_english_words_after_named_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("Subject: Your receipt, Leandra!", "Subject: Your receipt, <PERSON>!"),
        ("Thanks for your order, Amaru!", "Thanks for your order, <PERSON>!"),
        ("See you soon, Élodie!", "See you soon, <PERSON>!"),
        ("Your plan is paused,  Norah !", "Your plan is paused,  <PERSON> !"),
    ],
)
def test_a_name_the_line_speaks_to(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "Deploy done, Overheating!",
        "Good morning, World!",
        "Build failed, Jenkins!",
        "Heads up, Grafana!",
        "Happy holidays, Berlin!",
        "Done, Sirs!",
        "sum(a, Pascal!)",
    ],
)
def test_english_software_and_places_spoken_to_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    "line",
    ["Hi Stranger!", "Thanks, Folks!", "Hi Sir!", "Welcome back, Colleague!"],
)
def test_a_form_of_address_after_a_greeting_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
