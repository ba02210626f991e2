"""What the redactor finds in log lines, what it leaves alone, and how it replaces values."""

from __future__ import annotations

import pytest

from service.redaction.detector import RedactionStartupError, build_ner_model
from service.redaction.redactor import Redactor
from tests.redaction.corpus import luhn_complete


def _valid_card(prefix: str, length: int) -> str:
    return luhn_complete(prefix + "7" * (length - len(prefix) - 1))


def _grouped(number: str, sizes: tuple[int, ...], separator: str) -> str:
    groups, position = [], 0
    for size in sizes:
        groups.append(number[position : position + size])
        position += size
    return separator.join(groups)


VISA = _valid_card("4", 16)
MASTERCARD_2_SERIES = _valid_card("2221", 16)
AMEX = _valid_card("37", 15)
DINERS = _valid_card("36", 14)
MAESTRO_19 = _valid_card("6759", 19)
VISA_19 = _valid_card("4", 19)

CARDS = [
    VISA,
    _grouped(VISA, (4, 4, 4, 4), " "),
    _grouped(VISA, (4, 4, 4, 4), "-"),
    _grouped(MASTERCARD_2_SERIES, (4, 4, 4, 4), " "),
    MASTERCARD_2_SERIES,
    _grouped(AMEX, (4, 6, 5), " "),
    _grouped(AMEX, (4, 6, 5), "-"),
    _grouped(DINERS, (4, 6, 4), " "),
    MAESTRO_19,
    _grouped(MAESTRO_19, (4, 4, 4, 4, 3), " "),
    _grouped(VISA_19, (4, 4, 4, 4, 3), "-"),
]


@pytest.mark.parametrize("card", CARDS)
def test_card_numbers_in_every_common_grouping_keep_only_their_last_four_digits(
    redactor: Redactor, card: str
) -> None:
    result = redactor.redact(f"charge failed card={card} customer=cus_tok_9fJ2kq81LmZ")
    digits = "".join(char for char in card if char.isdigit())
    assert result.text == (
        f"charge failed card=<CREDIT_CARD>{digits[-4:]} customer=cus_tok_9fJ2kq81LmZ"
    )
    assert [f.entity for f in result.findings] == ["CREDIT_CARD"]


@pytest.mark.parametrize(
    "number",
    [
        VISA[:-1] + str((int(VISA[-1]) + 1) % 10),  # Luhn fails
        "1764077000000",  # epoch milliseconds
        "1764077000007",
        luhn_complete("900000000000000"),  # Luhn passes, no card scheme starts with 9
    ],
)
def test_numbers_that_are_not_cards_are_left_alone(redactor: Redactor, number: str) -> None:
    line = f"job ref {number} done"
    assert redactor.redact(line).text == line


def test_iban_is_redacted_only_when_its_checksum_holds(redactor: Redactor) -> None:
    assert redactor.redact("payout to DE89 3704 0044 0532 0130 00 2026").text == (
        "payout to <IBAN_CODE> 2026"
    )
    assert redactor.redact("iban=GB82WEST12345698765432").text == "iban=<IBAN_CODE>"
    wrong_checksum = "payout to DE88 3704 0044 0532 0130 00"
    assert redactor.redact(wrong_checksum).text == wrong_checksum


def test_email_span_does_not_swallow_its_key(redactor: Redactor) -> None:
    line = "login email=jane.doe+billing@example.co.uk ok"
    result = redactor.redact(line)
    assert result.text == "login email=<EMAIL_ADDRESS> ok"
    (finding,) = result.findings
    assert line[finding.start : finding.end] == "jane.doe+billing@example.co.uk"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("VALUES (17, 'mas@x.io');", "VALUES (17, '<EMAIL_ADDRESS>');"),
        ("email='jo@example.com'", "email='<EMAIL_ADDRESS>'"),
        ("mail o'brien@example.com ok", "mail <EMAIL_ADDRESS> ok"),
    ],
)
def test_email_span_keeps_its_opening_quote(redactor: Redactor, line: str, expected: str) -> None:
    assert redactor.redact(line).text == expected


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "+1 (415) 555-0134",
        "+49 30 901820",
        "+33 6 12 34 56 78",
        "+81 90-1234-5678",
        "+234 802 123 4567",
        "+919812345678",
        "0049 30 901820",
        "(415) 555-0134",
    ],
)
def test_international_and_formatted_phone_numbers_are_redacted(
    redactor: Redactor, phone: str
) -> None:
    assert redactor.redact(f"sms to {phone} queued").text == "sms to <PHONE_NUMBER> queued"


@pytest.mark.parametrize(
    "phone",
    [
        # Written with their country code, numbers libphonenumber holds no one has: outside
        # its ranges, or fictional. Each was left readable. (`00` only after a phone's label.)
        "+32 2 123 45 67",
        "+32 (0)2 123 45 67",
        "0032 2 123 45 67",
        "+64 9 123 4567",
        "+421 2 1234 5678",
        "+233 30 123 4567",
        "+1 (555) 010-0123",
    ],
)
def test_a_number_with_its_country_code_needs_only_a_possible_length(
    redactor: Redactor, phone: str
) -> None:
    assert redactor.redact(f"sms to {phone} queued").text == "sms to <PHONE_NUMBER> queued"


@pytest.mark.parametrize(
    "line",
    [
        # a sign and a count: the digits after `+` are no country code written alone
        "delta +12 345 678 on queue",
        "+10 000 000 tokens",
        "ratio +3 1415926",
        "queue depth +1 234 5678 items",
        # a date after a country code
        "build +1 2026-12-07 10:00",
        "build +44 07.12.2026 ok",
        # counts in thousands, a decimal, a coordinate
        "tx +49 123 456 pkts",
        "rx_bytes +91 234 567 890",
        "lat +48.858844 lon +2.294351",
        # `00` opening an order, case or account number, and an IBAN's groups with dashes
        "order no 0049 1234 5678",
        "case 0086 1234 5678 90",
        "IBAN DE88-3704-0044-0532-0130-00",
        "balance +1 234 567,89 EUR",
    ],
)
def test_signed_counts_are_no_phone_numbers(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


def test_phone_followed_by_other_digits_is_cut_to_the_valid_number(redactor: Redactor) -> None:
    assert redactor.redact("sms to +44 20 7946 0958 4111 retries").text == (
        "sms to <PHONE_NUMBER> 4111 retries"
    )


def test_ssn_dashed_is_redacted_and_bare_nine_digits_only_with_a_label(
    redactor: Redactor,
) -> None:
    assert redactor.redact("kyc 123-45-6789 ok").text == "kyc <US_SSN> ok"
    assert redactor.redact("kyc ssn=123456789 ok").text == "kyc ssn=<US_SSN> ok"
    assert redactor.redact("batch 123456789 ok").text == "batch 123456789 ok"


def test_ip_addresses_are_redacted_but_clock_times_are_not(redactor: Redactor) -> None:
    line = "from 203.0.113.9 and 2001:db8::8a2e:370:7334 at 13:22:51 via 10.0.0.1."
    assert redactor.redact(line).text == (
        "from <IP_ADDRESS> and <IP_ADDRESS> at 13:22:51 via <IP_ADDRESS>."
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("kyc dob=1984-07-03 ok", "kyc dob=<DATE_TIME> ok"),
        ("date of birth: 03/07/1984", "date of birth: <DATE_TIME>"),
        ("born on March 7, 1984 in", "born on <DATE_TIME> in"),
        ('{"date_of_birth": "1984-07-03"}', '{"date_of_birth": "<DATE_TIME>"}'),
    ],
)
def test_labelled_dates_of_birth_are_redacted(redactor: Redactor, line: str, expected: str) -> None:
    assert redactor.redact(line).text == expected


def test_a_keyed_date_of_birth_is_redacted_even_when_it_looks_like_a_timestamp(
    redactor: Redactor,
) -> None:
    line = 'kyc dob=1984-07-03T00:00:00Z {"birth_date": "1984-07-03T00:00:00Z"}'
    assert redactor.redact(line).text == 'kyc dob=<DATE_TIME> {"birth_date": "<DATE_TIME>"}'


def test_dates_without_a_birth_label_are_not_personal(redactor: Redactor) -> None:
    line = "renewal due 1984-07-03 and period_end=2026-12-24T00:00:00Z"
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    "street",
    ["221B Baker Street", "12 Rue de Rivoli", "Calle de Alcalá 45", "Hauptstraße 5",
     "1600 Pennsylvania Ave", "Via del Corso 12"],
)  # fmt: skip
def test_street_addresses_in_free_text_are_redacted(redactor: Redactor, street: str) -> None:
    assert redactor.redact(f"parcel returned from {street} today").text == (
        "parcel returned from <LOCATION> today"
    )


def test_key_value_and_json_fields_are_redacted_as_a_whole(redactor: Redactor) -> None:
    line = (
        '{"customer":"cus_tok_Q2w3E4r5T6y7","name":"Zhang Wei","address":{"line1":"Flat 3"},'
        '"email":"zw@example.com"} cardholder_name="Ana Lúcia Souza"'
    )
    assert redactor.redact(line).text == (
        '{"customer":"cus_tok_Q2w3E4r5T6y7","name":"<PERSON>","address":{"line1":"<LOCATION>"},'
        '"email":"<EMAIL_ADDRESS>"} cardholder_name="<PERSON>"'
    )


def test_names_in_free_text_are_found_by_the_ner_model(redactor: Redactor) -> None:
    line = 'msg="refund approved after a call with Oluwaseun Adeyemi on Monday"'
    assert redactor.redact(line).text == (
        'msg="refund approved after a call with <PERSON> on Monday"'
    )


# Names that are also English words, after "for" at the end of a line: the model needs the
# words before them to read a person (an attacker review found each leaking when the window
# of context was narrowed to 24 and 12 characters).
NAMES_NEEDING_CONTEXT = [
    ("charge ch_tok_9a8b7c6d5e succeeded for Grace Park", "Grace Park"),
    (
        "charge ch_tok_9a8b7c6d5e succeeded for Rose Hill regarding the duplicate charge",
        "Rose Hill",
    ),
    ('charge ch_tok_9a8b7c6d5e succeeded for Summer Winters"', "Summer Winters"),
    ("charge ch_tok_9a8b7c6d5e succeeded for Faith Long today", "Faith Long"),
]


@pytest.mark.parametrize(("line", "name"), NAMES_NEEDING_CONTEXT)
def test_names_that_are_also_words_are_read_with_enough_context(
    redactor: Redactor, line: str, name: str
) -> None:
    logged = "2026-12-04T10:00:00Z INFO strongroom.charges " + line
    redacted = redactor.redact(logged).text
    assert name not in redacted and "<PERSON>" in redacted


# Names whose every word is an English word (WordNet lists most common given names and
# surnames), with no word before them that introduces a person: they used to be taken for a
# phrase of ordinary words (`Cloud Run`) and left readable.
PLAIN_ENGLISH_NAMES = [
    ("David Walker called support", "David Walker"),
    ("John Smith", "John Smith"),
    ("Signed in: Mark Taylor", "Mark Taylor"),
    ("Contact John Smith at the front desk", "John Smith"),
    ("Contact Maria Garcia today", "Maria Garcia"),
    ("Jack Wood paid invoice 44", "Jack Wood"),
]


@pytest.mark.parametrize(("line", "name"), PLAIN_ENGLISH_NAMES)
def test_names_made_of_english_words_are_persons_without_a_cue(
    redactor: Redactor, line: str, name: str
) -> None:
    redacted = redactor.redact(line).text
    assert redacted == line.replace(name, "<PERSON>")


@pytest.mark.parametrize(
    "line",
    [
        "customer Fraud Check passed",
        "customer Starter Monthly renewed",
        "payee Bank Details verified",
        "wallet Starter Monthly",
    ],
)
def test_capitalised_words_for_things_after_a_role_cue_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    "line",
    [
        "campaign Victory Lap started",
        "upgraded to Ocean Blue",
        "SKU Diamond Rewards out of stock",
        "promo Ruby Gems applied to order 5512",
        'product "Art Studio" archived',
        "downgraded to Harbor View yesterday",
    ],
)
def test_a_run_right_after_a_word_for_a_product_names_the_product(
    redactor: Redactor, line: str
) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("ticket assigned to Jack Wood", "Jack Wood"),
        ("coupon redeemed by Hunter Green", "Hunter Green"),
        ("plan owner Jade Rose upgraded to Pro", "Jade Rose"),
        ("renamed to Holly Walker at request", "Holly Walker"),
        ("campaign email opened by Ruby Gems", "Ruby Gems"),
        ("flag Jane Doe for review", "Jane Doe"),
        ("offer Jane Doe a refund", "Jane Doe"),
        # review findings: a name after a slot word is still a name
        ("Issue with the coupon: Jane Doe says it did not apply", "Jane Doe"),
        ("the coupon Emily Clark used was expired", "Emily Clark"),
        ("PLAN Maria Gonzalez", "Maria Gonzalez"),
        ("user 9912 subscribed to Casey Newton (paid, monthly)", "Casey Newton"),
        ("workspace ownership migrated to Fatima Zahra by admin", "Fatima Zahra"),
        ("seat upgraded to Jessica Miller", "Jessica Miller"),
        ("4411   bundle   Maria Gonzalez    2024-03-01", "Maria Gonzalez"),
        ("4412\tplan\tJane Doe\t2024-03-01", "Jane Doe"),
        ("downgraded to Ocean Blue Chen Wei", "Ocean Blue Chen Wei"),
    ],
)
def test_a_person_near_a_word_for_a_product_is_still_a_person(
    redactor: Redactor, line: str, name: str
) -> None:
    assert redactor.redact(line).text == line.replace(name, "<PERSON>")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("payout sent to kwame mensah", "payout sent to <PERSON>"),
        ("charge failed for oluwaseun adebayo", "charge failed for <PERSON>"),
        ("failed for new card", "failed for new card"),
        ("synced to postgres replica", "synced to postgres replica"),
        ("retry for insufficient funds", "retry for insufficient funds"),
    ],
)
def test_lower_case_names_after_for_or_to_only_when_no_word_is_english(
    redactor: Redactor, line: str, expected: str
) -> None:
    assert redactor.redact(line).text == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Rose Hill Contact", "<PERSON> Contact"),
        ("Rose Hill, customer since 2019, called", "<PERSON>, customer since 2019, called"),
        ("Acme Corp Contact", "Acme Corp Contact"),
        ("Data Protection Contact", "Data Protection Contact"),
    ],
)
def test_a_role_word_right_after_a_name_vouches_for_it(
    redactor: Redactor, line: str, expected: str
) -> None:
    assert redactor.redact(line).text == expected


def test_a_capitalised_function_word_is_still_part_of_a_name(redactor: Redactor) -> None:
    line = 'msg="refund requested by Lydia May"'
    assert redactor.redact(line).text == 'msg="refund requested by <PERSON>"'


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Tiffany Johnson signed up", "Tiffany Johnson"),
        ("Brittany Cole upgraded to annual", "Brittany Cole"),
        ("refund issued, Tiffany Johnson notified", "Tiffany Johnson"),
        ("INFO Dustin Reyes opened a dispute", "Dustin Reyes"),
    ],
)
def test_names_the_model_misses_are_persons_when_they_open_a_clause_and_act(
    redactor: Redactor, line: str, name: str
) -> None:
    assert redactor.redact(line).text == line.replace(name, "<PERSON>")


@pytest.mark.parametrize(
    "line",
    [
        "Nightly Backup completed",
        "Apple Pay enabled",
        "Datadog Agent restarted",
        "Black Friday started",
    ],
)
def test_ordinary_or_system_words_that_open_a_clause_and_act_stay(
    redactor: Redactor, line: str
) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    "line", ["deployed on Cloud Run", "Gift Card redeemed", "Bill Pay enabled for acct_77"]
)
def test_phrases_of_ordinary_words_the_model_calls_a_person_stay(
    redactor: Redactor, line: str
) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("ERROR payment declined for cardholder EMILY CLARK (visa ending 4242)", "EMILY CLARK"),
        ("cardholder MARY ANN SMITH declined", "MARY ANN SMITH"),
        ("customer james brown requested refund", "james brown"),
        ("client jean dupont, payment ok", "jean dupont"),
        ("contact: jane doe", "jane doe"),
        ("Payee Faith Hope", "Faith Hope"),
    ],
)
def test_names_in_capitals_or_lower_case_after_a_role_cue_are_persons(
    redactor: Redactor, line: str, name: str
) -> None:
    redacted = redactor.redact(line).text
    assert name not in redacted and "<PERSON>" in redacted


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("customer ROSE HILL requested refund", "ROSE HILL"),
        ("customer amber baker requested a refund", "amber baker"),
        ("payee: grace field", "grace field"),
        ("cardholder olive branch disputed charge", "olive branch"),
        ("client sandy shore asked for a receipt", "sandy shore"),
        ("recipient mark price", "mark price"),
        ("customer mary ann smith paid", "mary ann smith"),
        ("customer james wade paid", "james wade"),
    ],
)
def test_names_of_ordinary_english_words_after_a_role_cue_are_persons(
    redactor: Redactor, line: str, name: str
) -> None:
    assert redactor.redact(line).text == line.replace(name, "<PERSON>")


@pytest.mark.parametrize(
    "line",
    [
        "customer requested refund",
        "user signed out",
        "client sends heartbeat",
        "client timed out",
        "customer portal session created",
        "contact your bank",
        "customer sign up flow",
        "CUSTOMER NOT FOUND",
        "recipient mailbox full",
        "customer pro annual renewed",
        "user free trial ended",
        "customer fraud check passed",
        "beneficiary bank swift invalid",
        "customer device mobile",
    ],
)
def test_verbs_function_words_and_things_after_a_role_cue_stay(
    redactor: Redactor, line: str
) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    "line",
    [
        "customer support team paged",
        "customer SUPPORT TEAM paged",
        "user admin logged in",
        "owner: ops team",
        "user id 42 deleted",
        "user root password reset",
        "customer guest checkout",
    ],
)
def test_ordinary_words_after_a_role_cue_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "ValueError('card declined for Hiroshi Tanaka')",
            "ValueError('card declined for <PERSON>')",
        ),
        ("O'Brien, Sean paid", "<PERSON> paid"),
        ("customer: SANTOS, MARIA", "customer: <PERSON>"),
        ("Contact D'Angelo Russo today", "Contact <PERSON> today"),
        ("KeyError: 'Fatima Zahra'", "KeyError: '<PERSON>'"),
        ("client \u2018Walker, Emily\u2019", "client \u2018<PERSON>\u2019"),
        ("said \u201cFatima Zahra\u201d twice", "said \u201c<PERSON>\u201d twice"),
    ],
)
def test_apostrophes_and_commas_in_and_around_names(
    redactor: Redactor, line: str, expected: str
) -> None:
    assert redactor.redact(line).text == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("payee record: TAUFA, SIONE (id 88)", "payee record: <PERSON> (id 88)"),
        ("holder listed as OKAFOR, NGOZI", "holder listed as <PERSON>"),
        ("refund to ÖZTÜRK, EMİNE done", "refund to <PERSON> done"),
        ("levels: INFO, DEBUG", "levels: INFO, DEBUG"),
        ("currencies USD, EUR accepted", "currencies USD, EUR accepted"),
        ("flags READ, WRITE set", "flags READ, WRITE set"),
    ],
)
def test_last_comma_first_in_capitals_in_free_text(
    redactor: Redactor, line: str, expected: str
) -> None:
    assert redactor.redact(line).text == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("dob: 1990-02-03T00:00:00Z", "dob: <DATE_TIME>"),
        ("x birthDate: 1990-02-03 10:00 ok", "x birthDate: <DATE_TIME> ok"),
        (
            "created 2026-01-01T10:00:00Z dob 1990-02-03",
            "created 2026-01-01T10:00:00Z dob <DATE_TIME>",
        ),
        # A label inside a longer key, unquoted, after a colon.
        ("kyc birth_dt: 12/25/1970 ok", "kyc birth_dt: <DATE_TIME> ok"),
        ("dob_us: 04/05/1990", "dob_us: <DATE_TIME>"),
        ("holder_birth_day: 3 March 1977", "holder_birth_day: <DATE_TIME>"),
    ],
)
def test_a_labelled_birth_date_with_a_time_is_redacted_and_other_timestamps_stay(
    redactor: Redactor, line: str, expected: str
) -> None:
    assert redactor.redact(line).text == expected


SERVICE_IDENTIFIERS = [
    "cus_tok_8f7a6b5c4d3e2f1a9b8c",
    "sub_tok_1A2b3C4d5E6f7G8h",
    "pau_9Zy8Xw7Vu6Ts",
    "ch_3Nx8a2eZvKYlo2C1",
    "bulk_4242424242424242",
    "evt_20261224000000",
    "srk_live_7Hc9Qw2Lm4",
    "550e8400-e29b-41d4-a716-446655440000",
    "4f3c2a1b9d8e7f604f3c2a1b9d8e7f60",
    "pi_3Nx8aX2eZvKYlo2C0a1b2c3d",
    "cus_NffrFeUfNV2Hib",
    "pm_1Mq4bF2eZvKYlo2C5s0b3JGh",
    "amount=4242424242",
    "$1,999.00",
    "2026-12-24T13:22:51.123+01:00",
    "1766582571123",
    "v2.14.4",
    "version=1.2.3.4",
]


@pytest.mark.parametrize("identifier", SERVICE_IDENTIFIERS)
def test_the_services_own_identifiers_are_never_redacted(
    redactor: Redactor, identifier: str
) -> None:
    line = f"INFO handled {identifier} in 12 ms"
    result = redactor.redact(line)
    assert result.text == line
    assert result.findings == []


def test_findings_carry_offsets_into_the_original_text(redactor: Redactor) -> None:
    line = "é✓ email=ana@example.org card=4242 4242 4242 4242 from 198.51.100.7"
    result = redactor.redact(line)
    assert [(f.entity, line[f.start : f.end]) for f in result.findings] == [
        ("EMAIL_ADDRESS", "ana@example.org"),
        ("CREDIT_CARD", "4242 4242 4242 4242"),
        ("IP_ADDRESS", "198.51.100.7"),
    ]
    assert all(0.0 < f.score <= 1.0 for f in result.findings)


def test_blank_and_clean_lines_come_back_unchanged(redactor: Redactor) -> None:
    lines = ["", "   ", "\t", "GET /v1/charges 200 in 4 ms", "Charge Succeeded"]
    assert [r.text for r in redactor.redact_many(lines)] == lines


def test_redact_many_gives_the_same_results_as_redact_one_by_one(redactor: Redactor) -> None:
    lines = [
        "card 4242424242424242",
        "",
        'msg="spoke with Tenzin Norbu"',
        "nothing here",
        "mail to bo@example.com",
    ]
    assert redactor.redact_many(lines) == [redactor.redact(line) for line in lines]


def test_lines_without_personal_data_never_reach_the_ner_model(
    redactor: Redactor, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = redactor.detector.ner_model  # type: ignore[attr-defined]
    seen: list[str] = []
    real_entities = model.entities

    def recording_entities(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        texts = list(texts)
        seen.extend(texts)
        return real_entities(texts, *args, **kwargs)

    monkeypatch.setattr(model, "entities", recording_entities)
    clean = [
        "2026-11-25T13:22:51.123Z INFO http method=POST path=/v1/charges status=201",
        '{"event":"pause.started","subscription":"sub_tok_1A2b3C4d5E6f","at":1766582571123}',
        "Charge Succeeded for subscription sub_tok_1A2b3C4d5E6f amount=1999 currency=EUR",
        "worker job claimed 550e8400-e29b-41d4-a716-446655440000 sdk=v2.14.4",
    ]
    results = redactor.redact_many(
        [*clean, 'msg="call from Aroha Te Whare"', 'msg="call from Rose Marsh"']
    )
    # No word of `Aroha Te Whare` is English: a name without asking the model.
    assert seen == ["call from Rose Marsh"]
    assert [r.text for r in results[-2:]] == ['msg="call from <PERSON>"'] * 2


def test_a_missing_spacy_model_is_a_clear_start_up_error_not_a_download() -> None:
    with pytest.raises(RedactionStartupError, match=r"en_core_web_absent_model.*not installed"):
        build_ner_model("en_core_web_absent_model")


def test_get_redactor_is_one_shared_instance_safe_to_use_from_many_threads(
    redactor: Redactor,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from service.redaction.redactor import get_redactor

    lines = [f'msg="call with Tenzin Norbu {i}" ip=10.0.0.{i}' for i in range(40)]
    sequential = [result.text for result in redactor.redact_many(lines)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        instances = list(pool.map(lambda _: get_redactor(), range(16)))
        concurrent = list(pool.map(lambda line: get_redactor().redact(line).text, lines))
    assert all(instance is redactor for instance in instances)
    assert concurrent == sequential
    assert sum("<PERSON>" in text for text in concurrent) >= 30


def test_a_line_of_endless_capitalised_words_is_bounded_and_fails_closed(
    redactor: Redactor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.redaction import detector

    model = redactor.detector.ner_model  # type: ignore[attr-defined]
    windows: list[str] = []
    real_entities = model.entities

    def recording_entities(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        texts = list(texts)
        windows.extend(texts)
        return real_entities(texts, *args, **kwargs)

    monkeypatch.setattr(model, "entities", recording_entities)
    suffixes = ["".join("abcdefghij"[int(d)] for d in f"{i:04d}") for i in range(3000)]
    line = "note " + " ".join(f"Quorra Vantablack{suffix}" for suffix in suffixes)
    result = redactor.redact(line)
    assert len(windows) <= detector._MAX_WINDOWS_PER_LINE
    assert all(len(window) <= detector._MAX_WINDOW_CHARS + 80 for window in windows)
    # Runs past the last window are never seen by the model, and are redacted unseen.
    tail = result.text[-3000:]
    assert "Quorra" not in tail
    assert "Vantablack" not in tail


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pan_4111111111111111", "pan_<CREDIT_CARD>1111"),
        ("card4111111111111111 declined", "card<CREDIT_CARD>1111 declined"),
        ("x=pan-4111 1111 1111 1111", "x=pan-<CREDIT_CARD>1111"),
        ("PAN4111111111111111", "PAN<CREDIT_CARD>1111"),
    ],
)
def test_card_numbers_glued_to_a_word_are_redacted(
    redactor: Redactor, line: str, expected: str
) -> None:
    assert redactor.redact(line).text == expected


@pytest.mark.parametrize(
    "line",
    [
        "pan_4111111111111112",  # fails Luhn
        "order_1766582571123",  # epoch milliseconds: no card scheme starts with 1
        "req ab4111111111111111 done",  # a hex request id, allow-listed as a whole
        "card_1MvN8z2eZvKYlo2C0XnA1b2c",  # a real Stripe card id
    ],
)
def test_digits_glued_to_a_word_that_are_no_card_stay(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


def test_a_long_run_of_blanks_after_a_role_cue_costs_no_more_than_without_the_cue(
    redactor: Redactor,
) -> None:
    """The cue pattern was quadratic in the blanks after `customer` (40,000: 5.9 s)."""
    import time

    def seconds(line: str) -> float:
        began = time.perf_counter()
        redactor.redact(line)
        return time.perf_counter() - began

    blanks = " \t" * 20_000
    baseline = min(seconds("nothing" + blanks + ":x") for _ in range(3))
    with_cue = min(seconds("customer" + blanks + ":x") for _ in range(3))
    assert with_cue < 10 * baseline + 0.05


def test_a_long_run_of_percent_signs_in_a_sql_comparison_costs_no_more_than_elsewhere(
    redactor: Redactor,
) -> None:
    """The LIKE pattern's `%` handling was cubic in a run of `%` with no closing quote (5,000:
    minutes); wildcards are now stripped after the match."""
    import time

    def seconds(line: str) -> float:
        began = time.perf_counter()
        redactor.redact(line)
        return time.perf_counter() - began

    percents = "%" * 5_000
    baseline = min(seconds("c.full_name is '" + "x" * 5_000) for _ in range(3))
    in_like = min(seconds("c.full_name ILIKE '" + percents) for _ in range(3))
    assert in_like < 10 * baseline + 0.05


def test_a_like_pattern_redacts_the_name_and_keeps_its_wildcards(redactor: Redactor) -> None:
    line = "WHERE c.full_name ILIKE '%rose hill%' LIMIT 5"
    redacted = redactor.redact(line).text
    assert "rose" not in redacted and "'%<PERSON>%'" in redacted, redacted
