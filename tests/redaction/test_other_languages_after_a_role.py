"""Lower-case words after a role word (`client`, `customer`) are taken for a name when no word
is English. French, Spanish, Dutch or German text after the role was taken that way
(`client injoignable ce matin` → `client <PERSON>`); a function word of those languages now
says it is no name, as English ones did. Lower-case names after the role stay redacted,
particles and all. Lines written for these tests; names from Faker's fr_FR, es_ES, nl_NL."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    "line",
    [
        "client injoignable ce matin",
        "client joint par mail",
        "client rappelé hier",
        "client relancé depuis lundi",
        "customer contactado ayer por la tarde",
        "user heeft betaald via ideal",
        "customer inscrit avec succès",
        "client bloqué pour impayé",
    ],
)
def test_text_after_a_role_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("client margaud clément a payé", "client <PERSON> a payé"),
        ("customer ana dos santos", "customer <PERSON>"),
        ("client ahmed el amrani", "client <PERSON>"),
        ("user sem de vries heeft betaald", "user <PERSON> heeft betaald"),
        ("customer maria da silva updated card", "customer <PERSON> updated card"),
    ],
)
def test_a_lower_case_name_after_a_role_is_redacted(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted


def test_a_surname_after_a_particle_stays_redacted(redactor: Redactor) -> None:
    assert "nguyen" not in redactor.redact("customer nguyen van an").text


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        # WordNet knows these surnames as nouns; they were left readable after the particles
        ("customer john de la rosa updated", "customer <PERSON> updated"),
        ("customer anna van der berg updated", "customer <PERSON> updated"),
        ("customer mia van den bosch", "customer <PERSON>"),
        # a second surname must still be no English word at all
        ("customer maria de la cruz dashboard opened", "customer <PERSON> dashboard opened"),
    ],
)
def test_a_surname_after_particles_may_be_an_english_noun(
    redactor: Redactor, line: str, redacted: str
) -> None:
    assert redactor.redact(line).text == redacted
