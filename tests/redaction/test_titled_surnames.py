"""A surname alone in lower case after a title, as support notes write it (`called mrs
o'brien twice`), is redacted; what follows a title-like word that is no title stays.

Each redacted line below but `Mrs. o'neill called back` (which a title's words at a line's end
already were) left the surname readable before this rule; of the kept lines, `le Dr. appelle
demain matin` was redacted before."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ('notes="called mrs o\'brien twice, no answer"', "brien"),
        ("called mrs. okafor twice", "okafor"),
        ("left vm for mr. adeyemi", "adeyemi"),
        ("Mrs. o'neill called back", "neill"),
        ("escalated: Ms. nwachukwu disputes the charge", "nwachukwu"),
        ("we asked a mrs okafor about the refund", "okafor"),
    ],
)
def test_a_lower_case_surname_after_a_title_is_redacted(
    redactor: Redactor, line: str, gone: str
) -> None:
    assert gone not in redactor.redact(line).text


@pytest.mark.parametrize(
    "line",
    [
        "3 mrs awaiting review",  # merge requests
        "mrs wip on the release branch",
        "mrs gitlab sync failed",
        "mrs rebase to main",
        "mrs rebase needed",
        "mrs. kustomize overlays",
        "ms. sql timeout",
        "El Dr. revisó la cita del paciente",  # a Spanish sentence: the verb after the title
        "le Dr. appelle demain matin",
        "Ms. outlook oauth token refreshed",
    ],
)
def test_what_follows_a_title_that_is_no_surname_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
