"""A labelled corpus of billing-log lines: personal values with their spans, and hard negatives.

Personal values come from Faker in several locales (names, streets, e-mails, IBANs, SSNs,
IPs), from libphonenumber's example numbers with random subscriber digits, and from card
numbers built here with valid Luhn digits for every scheme and grouping. The detector never
sees any of these vocabularies: it has to recognise names and streets for what they are.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers
from faker import Faker

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Sample:
    """A line, its personal values (`kind` = entity) and its protected values (`kind` = what)."""

    text: str
    pii: tuple[Span, ...] = ()
    protected: tuple[Span, ...] = ()
    context: str = "plain"


@dataclass
class LineBuilder:
    parts: list[str] = field(default_factory=list)
    pii: list[Span] = field(default_factory=list)
    protected: list[Span] = field(default_factory=list)
    length: int = 0

    def text(self, value: str) -> LineBuilder:
        self.parts.append(value)
        self.length += len(value)
        return self

    def personal(self, entity: str, value: str) -> LineBuilder:
        self.pii.append(Span(entity, self.length, self.length + len(value)))
        return self.text(value)

    def keep(self, kind: str, value: str) -> LineBuilder:
        self.protected.append(Span(kind, self.length, self.length + len(value)))
        return self.text(value)

    def build(self, context: str = "plain") -> Sample:
        return Sample("".join(self.parts), tuple(self.pii), tuple(self.protected), context)


def luhn_complete(body: str) -> str:
    """`body` plus the check digit that makes it pass Luhn."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char)
        if position % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return body + str((10 - total % 10) % 10)


CARD_SCHEMES = (  # (prefix, length)
    ("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16),
    ("2434", 16), ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("3530", 16),
    ("6759", 19), ("62", 19), ("36", 14),
)  # fmt: skip


def card_number(rng: random.Random) -> str:
    prefix, length = rng.choice(CARD_SCHEMES)
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return luhn_complete(body)


def group_card(number: str, rng: random.Random) -> str:
    separator = rng.choice(["", " ", "-"])
    if not separator or len(number) == 13:
        return number
    if len(number) in (14, 15):
        groups = [number[:4], number[4:10], number[10:]]
    else:
        groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return separator.join(groups)


def luhn_failing_16(rng: random.Random) -> str:
    number = card_number(rng)
    while len(number) != 16:
        number = card_number(rng)
    return number[:-1] + str((int(number[-1]) + 1 + rng.randrange(9)) % 10)


PHONE_REGIONS = ("US", "GB", "DE", "FR", "IN", "BR", "JP", "AU", "NG", "ZA", "KE", "MX", "ES")


def us_ssn(rng: random.Random) -> str:
    """A well-formed US SSN from the corpus's own generator (so the corpus is the same on
    every run): area 001-899 but not 666, group 01-99, serial 0001-9999."""
    area = rng.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def phone_number(rng: random.Random) -> str:
    """A valid number of some region, international format (national for policy regions)."""
    while True:
        region = rng.choice(PHONE_REGIONS)
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        digits = str(example.national_number)
        candidate = digits[:-4] + "".join(rng.choice("0123456789") for _ in range(4))
        number = phonenumbers.parse("+" + str(example.country_code) + candidate)
        if not phonenumbers.is_valid_number(number):
            continue
        style = rng.choice(
            [phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164]
            + ([phonenumbers.PhoneNumberFormat.NATIONAL] if region in ("US", "GB", "DE") else [])
        )
        return phonenumbers.format_number(number, style)


class Negatives:
    """Values that look like personal data to a naive detector and must stay untouched."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _alnum(self, length: int) -> str:
        return "".join(
            self.rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            for _ in range(length)
        )

    def token(self) -> tuple[str, str]:
        prefix = self.rng.choice(["cus_tok", "sub_tok", "pau", "ch", "bulk", "evt"])
        return "token", f"{prefix}_{self._alnum(20)}"

    def stripe_id(self) -> tuple[str, str]:
        prefix = self.rng.choice(["pi", "pm", "cus", "ch", "in", "price", "seti"])
        return "stripe_id", f"{prefix}_{self._alnum(24)}"

    def uuid(self) -> tuple[str, str]:
        return "uuid", str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def request_id(self) -> tuple[str, str]:
        return "hex_id", f"{self.rng.getrandbits(128):032x}"

    def timestamp(self) -> tuple[str, str]:
        day = self.rng.randrange(1, 28)
        second = self.rng.randrange(86400)
        hour, minute, sec = second // 3600, second // 60 % 60, second % 60
        millis = self.rng.randrange(1000)
        month = self.rng.randrange(1, 13)
        clock = f"{hour:02d}:{minute:02d}:{sec:02d}.{millis:03d}"
        return "timestamp", f"2026-{month:02d}-{day:02d}T{clock}Z"

    def epoch_millis(self) -> tuple[str, str]:
        return "epoch_ms", str(self.rng.randrange(1_600_000_000_000, 1_900_000_000_000))

    def amount(self) -> tuple[str, str]:
        return "amount", f"amount={self.rng.randrange(1, 10**7)}"

    def money(self) -> tuple[str, str]:
        return "money", f"${self.rng.randrange(1, 99999):,}.{self.rng.randrange(100):02d}"

    def luhn_failing(self) -> tuple[str, str]:
        return "luhn_failing_16", luhn_failing_16(self.rng)

    def version(self) -> tuple[str, str]:
        return (
            "version",
            f"v{self.rng.randrange(1, 9)}.{self.rng.randrange(30)}.{self.rng.randrange(200)}",
        )

    def any(self) -> tuple[str, str]:
        makers: list[Callable[[], tuple[str, str]]] = [
            self.token, self.stripe_id, self.uuid, self.request_id, self.timestamp,
            self.epoch_millis, self.amount, self.money, self.luhn_failing, self.version,
        ]  # fmt: skip
        return self.rng.choice(makers)()


# Sentences around a name in free text; "by <name>" on purpose only one shape among many.
FREE_TEXT_NAME_TEMPLATES = (
    ("refund requested by ", ""),
    ("", " asked to pause the subscription"),
    ("spoke with ", " about the failed charge"),
    ("Customer ", " updated the card on file"),
    ("receipt mailed to ", " today"),
    ("chargeback filed, cardholder ", " disputes the amount"),
    ("", " says the renewal date is wrong"),
    ("call from ", " regarding invoice"),
)


def _dob(fake: Faker, rng: random.Random) -> tuple[str, str]:
    date = fake.date_of_birth(minimum_age=18, maximum_age=90)
    label = rng.choice(["dob=", "date_of_birth=", "DOB: ", "born on ", "birth_date: "])
    value = rng.choice(
        [
            date.isoformat(),
            date.strftime("%d/%m/%Y"),
            date.strftime("%B %d, %Y"),
            date.strftime("%d.%m.%Y"),
        ]
    )
    return label, value


def billing_corpus(size: int, seed: int = 7, pii_share: float = 0.45) -> list[Sample]:
    """`size` log lines; about `pii_share` of them carry personal data, all carry negatives."""
    rng = random.Random(seed)
    fakers = {locale: Faker(locale) for locale in LOCALES}
    for index, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + index)
    negatives = Negatives(rng)
    samples: list[Sample] = []
    for _ in range(size):
        fake = fakers[rng.choice(LOCALES)]
        line = LineBuilder()
        kind, value = negatives.timestamp()
        line.keep(kind, value).text(rng.choice([" INFO ", " WARN ", " ERROR ", " DEBUG "]))
        if rng.random() >= pii_share:
            _clean_line(line, negatives, rng)
            samples.append(line.build("clean"))
            continue
        samples.append(_personal_line(line, fake, negatives, rng))
    return samples


# Capitalised phrases that are not people: products, wallets, campaigns, plans.
TITLE_CASE_NEGATIVES = (
    "Apple Pay", "Google Pay", "Visa Debit", "Black Friday", "Premium Annual", "Holiday Pause",
    "Cyber Monday", "Gold Tier", "Stripe Radar", "Smart Retries", "Customer Portal",
    "Billing Engine", "Summer Sale", "Starter Monthly", "Team Plan",
)  # fmt: skip


def _clean_line(line: LineBuilder, negatives: Negatives, rng: random.Random) -> None:
    shape = rng.randrange(5)
    if shape == 4:
        line.text('msg="wallet ').keep("title_case", rng.choice(TITLE_CASE_NEGATIVES))
        line.text(" enabled for ").keep(*negatives.token()).text('" plan="')
        line.keep("title_case", rng.choice(TITLE_CASE_NEGATIVES)).text('"')
    elif shape == 0:
        line.text("http method=POST path=/v1/charges status=201 request_id=")
        line.keep(*negatives.request_id()).text(" duration_ms=").text(str(rng.randrange(900)))
    elif shape == 1:
        line.text('{"event":"pause.started","subscription":"').keep(*negatives.token())
        line.text('","processor_ref":"').keep(*negatives.stripe_id()).text('","at":')
        line.keep(*negatives.epoch_millis()).text("}")
    elif shape == 2:
        line.text("Charge Succeeded for subscription ").keep(*negatives.token())
        line.text(" ").keep(*negatives.amount()).text(" currency=EUR trace=").keep(
            *negatives.uuid()
        )
    else:
        line.text("worker job claimed ").keep(*negatives.uuid()).text(" ref ")
        line.keep(*negatives.luhn_failing()).text(" total ").keep(*negatives.money())
        line.text(" sdk=").keep(*negatives.version())
    line.text(" ").keep(*negatives.any())


def _personal_line(
    line: LineBuilder, fake: Faker, negatives: Negatives, rng: random.Random
) -> Sample:
    entity = rng.choice(
        ["CREDIT_CARD", "IBAN_CODE", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "IP_ADDRESS",
         "PERSON", "PERSON", "LOCATION", "DATE_TIME"]
    )  # fmt: skip
    line.text("customer=").keep(*negatives.token()).text(" ")
    context = "plain"
    if entity == "CREDIT_CARD":
        line.text(rng.choice(["card=", "pan ", "payment with card "]))
        line.personal(entity, group_card(card_number(rng), rng))
    elif entity == "IBAN_CODE":
        iban = fake.iban()
        if rng.random() < 0.5:
            iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        line.text("mandate iban=" if " " not in iban else "payout to IBAN ").personal(entity, iban)
    elif entity == "EMAIL_ADDRESS":
        line.text(rng.choice(["email=", 'contact "', "receipt sent to "]))
        line.personal(entity, fake.email())
    elif entity == "PHONE_NUMBER":
        number = phone_number(rng)
        if rng.random() < 0.5:
            line.text('mobile="' if " " in number else "phone=").personal(entity, number)
            line.text('"' if " " in number else "")
        else:
            line.text(rng.choice(["sms to ", "call back on ", "verified "])).personal(
                entity, number
            )
    elif entity == "US_SSN":
        ssn = us_ssn(rng)
        line.text("kyc ssn=").personal(entity, ssn if rng.random() < 0.7 else ssn.replace("-", ""))
    elif entity == "IP_ADDRESS":
        address = fake.ipv4_public() if rng.random() < 0.7 else fake.ipv6()
        line.text("client_ip=").personal(entity, address)
    elif entity == "PERSON":
        name = f"{fake.first_name()} {fake.last_name()}"
        if rng.random() < 0.5:
            context = "labelled"
            line.text('cardholder_name="').personal(entity, name).text('"')
        else:
            context = "free_text"
            before, after = rng.choice(FREE_TEXT_NAME_TEMPLATES)
            line.text('msg="' + before).personal(entity, name).text(after + '"')
    elif entity == "LOCATION":
        street = fake.street_address().replace("\n", ", ")
        context = "labelled"
        line.text('address_line1="').personal(entity, street).text('"')
    else:
        label, value = _dob(fake, rng)
        line.text("kyc ").text(label).personal(entity, value)
    line.text(" ").keep(*negatives.any()).text(" ").keep(*negatives.any())
    return line.build(context)


def covered(span: Span, findings: list[tuple[int, int]]) -> bool:
    """Whether every character of `span` lies inside some finding."""
    position = span.start
    for start, end in sorted(findings):
        if start <= position < end:
            position = end
        if position >= span.end:
            return True
    return position >= span.end


def touched(span: Span, findings: list[tuple[int, int]]) -> bool:
    return any(start < span.end and span.start < end for start, end in findings)


@dataclass(frozen=True)
class Scores:
    recall: dict[str, float]
    found: dict[str, int]
    total: dict[str, int]
    over_redaction: float
    damaged: int
    protected: int


def score(samples: list[Sample], findings: list[list[tuple[int, int]]]) -> Scores:
    found: dict[str, int] = {}
    total: dict[str, int] = {}
    damaged = protected = 0
    for sample, spans in zip(samples, findings, strict=True):
        for span in sample.pii:
            key = span.kind
            total[key] = total.get(key, 0) + 1
            found[key] = found.get(key, 0) + covered(span, spans)
        for span in sample.protected:
            protected += 1
            damaged += touched(span, spans)
    recall = {key: found[key] / total[key] for key in total}
    all_found, all_total = sum(found.values()), sum(total.values())
    recall["ALL"] = all_found / all_total if all_total else 1.0
    return Scores(
        recall, found, total, damaged / protected if protected else 0.0, damaged, protected
    )
