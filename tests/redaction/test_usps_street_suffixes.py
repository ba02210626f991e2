"""The rest of the United States Postal Service's street suffixes (Publication 28, appendix
C1) and plurals of the common ones (`527 Keller Shore Apt. 148`, `1236 Dorsey Locks`): each is
an everyday word too, so an address only before an apartment or suite, or a town, state and
ZIP code; an address word before it is not enough (`shipping 2 Cloud Run services`, found by
an attacker review). Addresses made up for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("lives at 527 Keller Shore Apt. 148", "lives at <LOCATION>"),
        ("1236 Dorsey Locks, West Amandaton, MN 88689", "<LOCATION>"),
        (
            "deliver to 88356 Nadia Isle Suite 148 (Elizabethmouth)",
            "deliver to <LOCATION> (Elizabethmouth)",
        ),
        ("billing address 9480 Christopher Stravenue Suite 783", "billing address <LOCATION>"),
        ("row 17: 860 Schultz Views, New James, SC 70494; qty 2", "row 17: <LOCATION>; qty 2"),
        ('{"location": "8212 Timothy Shoal Apt. 433"}', '{"location": "<LOCATION>"}'),
        ("moved to 6584 Quincy Hills, Grimesmouth, OR 97201", "moved to <LOCATION>"),
    ],
)
def test_an_address_with_a_usps_suffix(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    "line",
    [
        "migrated 3 Data Center racks to eu-west",
        "deployed 2 Cloud Run services",
        "consumer lag on 5 Kafka Streams apps",
        "opened 12 Payment Gateway connections",
        "Season 4 Episode 12 Station Eleven",
        "order 1234 Summit Pass upgrade",
        "ticket 42 Spring Boot Upgrade",
        "page 2 Search Results View",
        "3 Failed Login Attempts Lock",
        "Villa 12, Ocean View, Garden Villas, Rate 450000",
        "WARN deploy: shipping 2 Cloud Run services to us-east1",
        "IP address pool exhausted: 4 Transit Gateway attachments pending",
        "3 Data Center Unit 4B powered off",
        "delivery 5 Niagara Falls Postcards to gift shop",
        "ship 1 Lego City Fire Station",
    ],
)
def test_the_same_words_with_no_address_around_them_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
