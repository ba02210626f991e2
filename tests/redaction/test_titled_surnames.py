"""A surname alone in lower case after a title, as support notes write it (`called mrs
o'brien twice`), is redacted; what follows a title-like word that is no title stays.

The surname counts only after a word of contact (`called`, `for`, `cc`…): without one, what
follows a title in logs is a merge request's, a tool's or a nickname's, or a sentence of
another language. Each redacted line below but `Mrs. o'neill called back` (which a title's
words at a line's end already were) left the surname readable before this rule."""

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
        ("escalated to Ms. nwachukwu, who disputes the charge", "nwachukwu"),
        ("cc mr. okonkwo this morning", "okonkwo"),
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
        "Consulta con Dr. mañana",
        "Ms. outlook oauth token refreshed",
        # from an attacker's review: no word of contact before the title
        "list mrs gitlab-ci",
        "merged mrs backports, see board",
        "mrs hotfixes again",
        "Prof. gprof.",
        "Ms. powershell.",
        "<eve> ok mr. bossman.",
        # merge requests after a word of contact: lower-case `mrs` needs its period
        "waiting for mrs rebase.",
        "blocked by mrs backport.",
        "merged by mrs automerge.",
        "watched mrs maisel yesterday",
    ],
)
def test_what_follows_a_title_that_is_no_surname_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
