"""Names in capitals filling the cells of an export row that has no header.

`4762,CORMIER,AURORE,PAUSED,8.00` was left whole: the NER model reads words in capitals as
acronyms, and a run of capitals was judged only within one cell. A name now fills one cell
or two side by side, each word one a name in capitals could be (no ordinary English, log or
software word). Two words that are no English word are a name; with one only, NER decides on
the words in title case, and across two cells it must read a person in both orders (brands
beside a product noun read as a person one way). Each name below was left readable before.
"""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("4762,CORMIER,AURORE,PAUSED,8.00", "4762,<PERSON>,PAUSED,8.00"),
        ("1575,BISSON,ÉLISABETH,ACTIVE,73.00", "1575,<PERSON>,ACTIVE,73.00"),
        ("9490,RÍOS,CARLOS,PAUSED,68.00", "9490,<PERSON>,PAUSED,68.00"),
        # particles inside the surname's cell
        ("7332,VAN DER HEYDEN,BART,ACTIVE,7.00", "7332,<PERSON>,ACTIVE,7.00"),
        # one cell holding the whole name
        ("7627;PAUL GILLET;GOLD;EUR", "7627;<PERSON>;GOLD;EUR"),
        # tab-separated, after a log prefix, a lower-case status beside it
        ("acct_88\tDUBOIS\tMARGAUX\tpaused", "acct_88\t<PERSON>\tpaused"),
        (
            "2026-12-07 INFO export: 311|LEFEBVRE|SOLANGE|GOLD|EUR",
            "2026-12-07 INFO export: 311|<PERSON>|GOLD|EUR",
        ),
    ],
)
def test_a_name_in_capital_cells_is_redacted(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        # a brand beside a product noun: one word no English word, and NER reads no person
        # both ways
        "4412,NVIDIA,DRIVER,ERROR,12",
        "34,HUAWEI,ROUTER,OFFLINE,2",
        "17,SAMSUNG,GALAXY,ANDROID,128",
        # software, ordinary and log words
        "7,KUBERNETES,NGINX,READY,3",
        "2026-11-02,SEPA,DEBIT,SETTLED,55.00",
        "ROSE GOLD,CASE,SKU-1,19.99",
        "region,EU-WEST,PROD,READY",
        "3,GET,POST,DELETE",
        # codes of three letters
        "99,EUR,USD,GBP,1.17",
        "ORD-7781|AMEX|PLATINUM|USD|200.00",
    ],
)
def test_capitals_of_things_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


def test_cells_read_as_a_person_one_way_only_stay(redactor: Redactor) -> None:
    # The NER model reads `Miele Washer` as a person and `Washer Miele` as nothing: the
    # second reading is what keeps the row whole.
    line = "12,MIELE,WASHER,IN STOCK,4"
    cells = list(redactor.detector.cued_names.names_in_capital_cells(line))  # type: ignore[attr-defined]
    assert cells == [(3, 15, 1)]  # a candidate, with one word no English word
    assert redactor.redact(line).text == line


def test_a_row_of_fewer_than_three_cells_is_no_row(redactor: Redactor) -> None:
    assert list(redactor.detector.cued_names.names_in_capital_cells("CORMIER,AURORE")) == []  # type: ignore[attr-defined]
