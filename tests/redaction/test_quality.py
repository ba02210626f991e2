"""Recall per entity and over-redaction, on the labelled corpus and the hand-made slice.

Thresholds, and why:
- Structured values (cards, IBANs, e-mails, phones, SSNs, IPs, labelled dates of birth) are
  found by patterns with deterministic validators (Luhn and issuer ranges, mod-97, the public
  suffix list, libphonenumber, the `ipaddress` module), and the corpus holds only valid values:
  anything under 99 % is a broken pattern, not bad luck.
- Names and addresses in labelled fields (`cardholder_name="…"`, `address_line1="…"`) are
  found by their key: 99 %.
- Names in free text depend on the small English NER model. We measured 95-97 % on the Faker
  corpus and 91 % on the hand-made slice (it misses some unfamiliar names at the start of a
  sentence); 85 % leaves room for the seed, not for a regression of a whole mechanism (a
  broken pre-screen or cue rule loses 20-50 points).
- Over-redaction: machine values (tokens, UUIDs, Stripe ids, hex ids, timestamps, amounts,
  epoch milliseconds, Luhn-failing numbers, versions) must never be touched: at most 0.1 %.
  Capitalised product phrases (`Apple Pay`, `Visa Debit`) are harder: the NER model labels
  two of the corpus's 15 phrases (`Visa Debit`, `Starter Monthly`) a person in the sentence
  they sit in. Since a run of English words with no cue before it is not taken for a person,
  none is touched (5-11 % before); the bound stays at 15 % for the model's sake. One clean
  line in five carries such a phrase, hence at least 95 % of clean lines come back unchanged.
  The frozen held-out set, which the detector was not built from, has its own floors in
  `test_heldout_quality.py`.
  Plain presidio touches about 64 % of all protected values on this corpus
  (see bench/bench_redaction.py).
"""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor
from tests.redaction.corpus import Sample, Span, billing_corpus, covered, touched
from tests.redaction.multicultural import NAME_TEMPLATES, NAMES, STREET_TEMPLATES, STREETS

STRUCTURED = (
    "CREDIT_CARD", "IBAN_CODE", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "IP_ADDRESS",
    "DATE_TIME",
)  # fmt: skip


@pytest.fixture(scope="module")
def corpus_results(redactor: Redactor) -> list[tuple[Sample, list[tuple[int, int]]]]:
    corpus = billing_corpus(1500, seed=11)
    results = redactor.redact_many([sample.text for sample in corpus])
    return [
        (sample, [(f.start, f.end) for f in result.findings])
        for sample, result in zip(corpus, results, strict=True)
    ]


def _recall(results: list[tuple[Sample, list[tuple[int, int]]]], entity: str, context: str | None):
    spans = [
        (span, found)
        for sample, found in results
        if context is None or sample.context == context
        for span in sample.pii
        if span.kind == entity
    ]
    assert len(spans) >= 30, f"too few {entity} samples to measure"
    return sum(covered(span, found) for span, found in spans) / len(spans)


@pytest.mark.parametrize("entity", STRUCTURED)
def test_structured_values_are_found_at_least_99_percent_of_the_time(corpus_results, entity):
    assert _recall(corpus_results, entity, None) >= 0.99


@pytest.mark.parametrize("entity", ["PERSON", "LOCATION"])
def test_names_and_addresses_in_labelled_fields_are_found_at_least_99_percent(
    corpus_results, entity
):
    assert _recall(corpus_results, entity, "labelled") >= 0.99


def test_names_in_free_text_are_found_at_least_85_percent(corpus_results):
    assert _recall(corpus_results, "PERSON", "free_text") >= 0.85


def _touched_share(results, kinds: set[str] | None, excluded: set[str]) -> float:
    protected = [
        (span, found)
        for sample, found in results
        for span in sample.protected
        if (kinds is None or span.kind in kinds) and span.kind not in excluded
    ]
    assert len(protected) >= 100
    return sum(touched(span, found) for span, found in protected) / len(protected)


def test_machine_identifiers_and_numbers_are_almost_never_touched(corpus_results):
    assert _touched_share(corpus_results, None, {"title_case"}) <= 0.001


def test_capitalised_product_phrases_are_rarely_taken_for_people(corpus_results):
    assert _touched_share(corpus_results, {"title_case"}, set()) <= 0.15


def test_lines_without_personal_data_come_back_unchanged(corpus_results):
    clean = [(sample, found) for sample, found in corpus_results if not sample.pii]
    unchanged = sum(not found for _, found in clean)
    assert unchanged / len(clean) >= 0.95


def _slice_recall(redactor: Redactor, values, templates, entity: str) -> float:
    lines, spans = [], []
    for template in templates:
        for value in values:
            line = template.format(value)
            start = line.index(value)
            lines.append(line)
            spans.append(Span(entity, start, start + len(value)))
    results = redactor.redact_many(lines)
    found = [
        covered(span, [(f.start, f.end) for f in result.findings])
        for span, result in zip(spans, results, strict=True)
    ]
    return sum(found) / len(found)


def test_people_of_many_cultures_are_found_in_free_text_at_least_85_percent(redactor):
    assert _slice_recall(redactor, NAMES, NAME_TEMPLATES, "PERSON") >= 0.85


def test_people_of_many_cultures_are_found_in_labelled_fields(redactor):
    templates = ('cardholder_name="{}"', '{{"name": "{}"}}')
    assert _slice_recall(redactor, NAMES, templates, "PERSON") == 1.0


def test_streets_of_many_cultures_are_found_at_least_90_percent(redactor):
    assert _slice_recall(redactor, STREETS, STREET_TEMPLATES, "LOCATION") >= 0.90
