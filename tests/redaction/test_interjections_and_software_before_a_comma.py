"""`Last, First` is no interjection before a comma (`Welp, Kubelet`, `Hmm, Weird`) and no
software's name on either side (`Ugh, Nginx restarted`): WordNet knows neither, so the pair
read as a name no English word is. Lines written for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    "line",
    [
        "Hmm, Weird",
        "Welp, Kubelet",
        "Ugh, Nginx restarted",
        "Yikes, Sidekiq died",
        "Whoa, Hotfix deployed",
        "Okay, Kibana is up",
        "Wow, Grafana",
        "Jenkins, Ansible and Terraform are green",
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
    ],
)
def test_a_surname_and_given_name_are_still_one(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted
