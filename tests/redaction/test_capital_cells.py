"""Names in capitals filling the cells of an export row that has no header.

`4762,BISSON,ÉLISABETH,PAUSED,+33 6 12 34 56 78` kept its name: the NER model reads words in
capitals as acronyms, and a run of capitals was judged only within one cell. A name now fills
one cell or two side by side:
- after a title's own cell (`Mr.;JOHN;SMITH`, `Mrs;KERSTIN;MÜLLER`), when no word of it is an
  ordinary English, log or software word;
- in a row that holds a person's data already (an e-mail, a phone, a card, an IBAN, an
  address, a name), when its words are ones a name in capitals could have and the NER model
  reads a person in them, title-cased: in either order when two words are no English word,
  in both when one is.
Two attacker reviews shaped it: without the row gate, 150 of 349 rows of other things were
redacted (`RECHNUNG,BEZAHLT`, `JUVENTUS,TORINO`); with it but two non-English words taken
without NER, 180 of 571 rows with personal data (`SPARKASSE,TAGESGELD` beside an IBAN), and
bare `MR`/`MRS` cells took merge requests, scans and airports.
"""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        (
            "4762,BISSON,ÉLISABETH,PAUSED,+33 6 12 34 56 78",
            "4762,<PERSON>,PAUSED,<PHONE_NUMBER>",
        ),
        (
            "9490;RÍOS;CARLOS;PAUSED;ES9121000418450200051332",
            "9490;<PERSON>;PAUSED;<IBAN_CODE>",
        ),
        # two words no English word: `Ayala Carmen` reads as no person, `Carmen Ayala` as one
        ("4009;AYALA;CARMEN;ACTIVE;+33 1 44 55 66 77", "4009;<PERSON>;ACTIVE;<PHONE_NUMBER>"),
        # one cell holding the whole name
        ("7627;PAUL GILLET;GOLD;+33 1 44 55 66 77", "7627;<PERSON>;GOLD;<PHONE_NUMBER>"),
        # after a title's cell, and nothing else in the row
        ("4412,Mr.,JOHN SMITH,PAUSED,9.99", "4412,Mr.,<PERSON>,PAUSED,9.99"),
        ("4415;MR.;OLIVER;KRAUSE;INF", "4415;MR.;<PERSON>;INF"),
        ("4416,Mr,HANS,ZIMMERMANN,GOLD", "4416,Mr,<PERSON>,<PERSON>,GOLD"),
    ],
)
def test_a_name_in_capital_cells_is_redacted(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        # no person's data in the row: other languages' words, clubs, places, brands
        "1401,RECHNUNG,BEZAHLT,EUR,120.00",
        "1419,ABONNEMENT,SUSPENDU,MENSUEL,9.99",
        "701,JUVENTUS,TORINO,SERIE A,1",
        "216,LAUSANNE,VAUD,CHE,1000",
        "4762,CORMIER,AURORE,PAUSED,8.00",
        # a person's data, but a brand beside a product noun: one word no English word, and
        # NER reads no person both ways
        "34,HUAWEI,ROUTER,OFFLINE,+49 30 1234567",
        "4412,NVIDIA,DRIVER,ERROR,+49 30 1234567",
        # software, ordinary, log words and codes
        "7,KUBERNETES,NGINX,READY,3",
        "2026-11-02,SEPA,DEBIT,SETTLED,55.00",
        "99,EUR,USD,GBP,1.17",
        # titles' letters that are something else without a period: a debit, milliseconds,
        # a cache miss, profiling; a merge request before ordinary words
        "2026-11-01,DR,OFFICE SUPPLIES,45.00",
        "ROUTE,MS,ASYNC,TIMEOUT",
        "L2,MISS,RATE,HIGH",
        "PROF,CPU,FLAME,DONE",
        "MR;FEATURE;BRANCH;MERGED",
        # `MR` and `MRS` in capitals and without a period: a merge request, a scan, an airport
        "MR;ORION;RELEASE;OPEN",
        "MR,KNIE,LINKS,NATIV,2026-03-01",
        "AF1234,CDG,MRS,MARSEILLE PROVENCE,ON TIME",
    ],
)
def test_capitals_of_things_stay(redactor: Redactor, line: str) -> None:
    assert "<PERSON>" not in redactor.redact(line).text


def test_cells_read_as_a_person_one_way_only_stay(redactor: Redactor) -> None:
    # The NER model reads `Miele Washer` as a person and `Washer Miele` as nothing: the
    # second reading is what keeps the row whole.
    line = "12,MIELE,WASHER,IN STOCK,+49 30 1234567"
    cells = list(redactor.detector.cued_names.names_in_capital_cells(line))  # type: ignore[attr-defined]
    assert [(cell.start, cell.end, cell.unknown, cell.titled) for cell in cells] == [
        (3, 15, 1, False)
    ]
    assert redactor.redact(line).text == "12,MIELE,WASHER,IN STOCK,<PHONE_NUMBER>"


def test_a_row_of_fewer_than_three_cells_is_no_row(redactor: Redactor) -> None:
    assert list(redactor.detector.cued_names.names_in_capital_cells("CORMIER,AURORE")) == []  # type: ignore[attr-defined]


def test_a_row_of_many_capital_cells_asks_ner_a_bounded_number_of_times(
    redactor: Redactor,
) -> None:
    # 2,000 pairs of capitals, each a candidate: at most eight go to the NER model.
    line = ",".join(["+33 6 12 34 56 78"] + ["MIELE,WASHER"] * 2000)
    detector = redactor.detector
    calls: list[int] = []
    original = detector.ner_model.entities  # type: ignore[attr-defined]

    def counting(texts, batch_size):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return original(texts, batch_size)

    detector.ner_model.entities = counting  # type: ignore[attr-defined]
    try:
        redactor.redact(line)
    finally:
        del detector.ner_model.entities  # type: ignore[attr-defined]
    assert sum(calls) <= 2 * 8 + 64  # the cells' readings, and the line's own windows
