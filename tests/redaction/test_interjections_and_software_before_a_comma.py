"""An interjection before a comma is no surname (`Hmm, Weird`, `Ugh, Nginx restarted`): WordNet
knows none, so the pair read as a `Last, First` name no English word is. A given name may
follow it (`Okay, Rodrigo changed his IBAN`), and software's name is no given name (`Jenkins,
Kibana`) though it may be a surname (`Jenkins, Mary`). Lines written for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    "line",
    [
        "Hmm, Weird",
        "Ugh, Nginx restarted",
        "Okay, Kibana is up",
        "Wow, Grafana",
        "Jenkins, Ansible and Terraform are green",
        "Sorry, Redis unavailable",
        "Meh, Flaky",
        # from the fifth review: software the list did not hold, read as a given name
        "INFO web: Okay, Cloudflare purge done",
        "INFO web: Phew, Envoy back up",
    ],
)
def test_an_interjection_or_software_before_a_comma_is_no_name(
    redactor: Redactor, line: str
) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("refund for Oyelaran, Adebimpe", "refund for <PERSON>"),
        ("Ouattara, Aminata disputed ch_1", "<PERSON> disputed ch_1"),
        (
            "Jenkins, Mariela called about card ending 4242",
            "<PERSON> called about card ending 4242",
        ),
        ("Okay, Rodrigo changed his IBAN", "Okay, <PERSON> changed his IBAN"),
    ],
)
def test_a_surname_and_given_name_are_still_one(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted
