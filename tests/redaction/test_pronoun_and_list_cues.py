"""Cues for names the detector let through (probed with self-written lines, none from either
frozen evaluation set), each kept narrow after an attacker's review of a wider first version:

- someone who says what happened to her or him (`Summer Hill says she was billed twice`),
  which holds even for names made of English words, and takes initials and particles with
  the name (`Ngozi A. Okafor says she…` must not leave `Ngozi A.` readable);
- a first and last name opening a sentence, or after a log level or a time, before
  `disputed` (`Grace Long disputed the charge`);
- lower-case full names listed, two of them at least judged names (`notify: amara okafor,
  liam byrne`);
- a `Last, First` found between two listed names covers both names (`cc: Joy <PERSON> Price`
  before);

What the review showed taken wrongly by the wider version stays readable below: products
acting on her or him, software after a log level, teams in mail headers, acronyms before a
capitalised word (that `SURNAME, Given` rule was dropped).
"""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        # a pronoun of a person after what people say
        ("Ticket 4411: Summer Hill says she was billed twice", "Summer Hill"),
        ("Hope Cook said her card was charged twice", "Hope Cook"),
        ("Customer Grace Long told us he never signed up", "Grace Long"),
        ("note: Faith Webb claims she cancelled in March", "Faith Webb"),
        ("Spoke with Robin Marsh, who said his plan was paused", "Robin Marsh"),
        ("Sunny Day insisted she never got the email", "Sunny Day"),
        ("Jordan explained that he was travelling", "Jordan"),
        # with initials and particles, the whole name
        ("Ngozi A. Okafor says she was billed twice", "Ngozi"),
        ("Ngozi A. Okafor says she was billed twice", "A. "),
        ("Mariana dos Santos says she was billed twice", "Mariana"),
        ("Pieter van den Berg said he cancelled", "Pieter"),
        ("Ana de la Cruz says she never signed up", "Ana"),
        ("Juan Carlos de la Vega Ortiz said he was billed twice", "Juan"),
        # a first and last name before `disputed`
        ("Grace Long disputed the charge", "Grace Long"),
        ("INFO Hope Cook disputed the invoice", "Hope Cook"),
        ("2026-12-06T10:01:02Z Faith Webb disputed a double charge", "Faith Webb"),
        ("Ticket 12: Rose Baker disputed support's answer", "Rose Baker"),
        # lower-case full names listed
        ("notify list: amara okafor, liam byrne, sofia russo", "okafor"),
        ("notify list: amara okafor, liam byrne, sofia russo", "russo"),
        ("recipients=tendai moyo;nokuthula dube", "nokuthula"),
        # two listed names, judged by the words around the comma
        ("cc: Joy Park, Dawn Price", "Joy"),
        ("cc: Joy Park, Dawn Price", "Price"),
        ("refunds approved: Hope Cook, Faith Webb", "Hope"),
        ("refunds approved: Hope Cook, Faith Webb", "Webb"),
    ],
)
def test_the_name_is_redacted(redactor: Redactor, line: str, gone: str) -> None:
    redacted = redactor.redact(line).text
    assert gone not in redacted, redacted


@pytest.mark.parametrize(
    "line",
    [
        # a pronoun after a team, a system, software or a department
        "The Support Team said he was refunded",
        "Stripe says his card was declined",
        "Kafka reported he",
        "Legal said she must approve",
        "Finance said he approved the refund",
        "Account Manager said he would call back",
        # products and services acting on her or him
        "Apple Pay declined her card",
        "Klarna approved her instalment plan",
        "Plaid verified his bank account",
        "Admin Portal updated her card",
        "Smart Retries charged her card",
        # software, teams and checks after a level or a time, or opening a line
        "INFO Dependabot reported 3 vulnerabilities",
        "WARN Kubernetes reported node pressure",
        "2026-12-06T10:01:02Z Kafka replied with error",
        "INFO Renovate wants to update lodash",
        "WARN Devops complained about the pager",
        "2024-05-01 12:00:01,123 WARNING Pydantic complains about field shadowing",
        "ERROR Snyk complained about 3 packages",
        "WARN Mypy complained about 3 errors",
        "INFO Etcd agreed on term 7",
        "INFO Vonage phoned the customer",
        "INFO Mailjet emailed 300 users",
        "INFO Centrifugo subscribed to channel billing",
        "INFO Weekly Digest emailed 300 users",
        "INFO Health Probe said ok",
        "WARN Style Linter complained",
        "Health Check disputed",
        "The Support Team complained",
        "Customer Success complained about churn",
        "Product Marketing agreed to the copy",
        "Data Platform complained loudly",
        # capitals before a capitalised word
        "Accepted cards: VISA, Mastercard, AMEX",
        "formats: JSON, Yaml and TOML",
        "datacenter: EMEA, Dublin",
        "job nightly-export: OOMKILLED, Rescheduling",
        "archive: GZIP, Zstd",
        "Similarly to AIX, Cygwin 2.9.0",
        # lower-case pairs listed that are no names
        "stages: retry failed, card declined, email sent",
        "deps: grafana loki, kube proxy, node exporter",
        "workers: celery beat, celery worker",
        "fallbacks: redis sentinel, pgbouncer pool, haproxy backend",
        "locales: pt br, zh hans",
        # two listed runs that are no names
        "New York, San Francisco",
        "wallets: Apple Pay, Google Pay",
        "regions: North America, Western Europe",
        "Jenkins Pipeline, Stage Deploy",
    ],
)
def test_the_line_stays_readable(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


def test_a_place_before_the_verb_is_not_taken_for_the_speaker(redactor: Redactor) -> None:
    redacted = redactor.redact("Amara Nwosu from Lagos said she was billed twice").text
    assert "Lagos" in redacted and "Nwosu" not in redacted, redacted
