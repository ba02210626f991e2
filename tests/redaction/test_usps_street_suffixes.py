"""The rest of the United States Postal Service's street suffixes (Publication 28, appendix
C1) and plurals of the common ones (`527 Keller Shore Apt. 148`, `1236 Dorsey Locks`): each is
an everyday word too, so an address only with an address word before it, a town and postcode
after it or a unit. Addresses made up for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("lives at 527 Keller Shore Apt. 148", "lives at <LOCATION>"),
        ("1236 Dorsey Locks, West Amandaton, MN 88689", "<LOCATION>"),
        ("new address 43321 Brittany Bypass for cus_0", "new address <LOCATION> for cus_0"),
        (
            "deliver to 88356 Nadia Isle Suite 148 (Elizabethmouth)",
            "deliver to <LOCATION> (Elizabethmouth)",
        ),
        ("shipping address: 20037 Stanley Roads, Lake Heather", "shipping address: <LOCATION>"),
        ("billing address 9480 Christopher Stravenue Suite 783", "billing address <LOCATION>"),
        ("moved to 6584 Quincy Hills, Grimesmouth, OR 97201", "moved to <LOCATION>"),
        ("ship to 70 Birch Hollow", "ship to <LOCATION>"),
        ("card holder at 12 Maple Crossing Unit 4B", "card holder at <LOCATION>"),
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
    ],
)
def test_the_same_words_with_no_address_around_them_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
