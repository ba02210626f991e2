"""Generates the frozen held-out evaluation set of the redactor (issue 17).

    .venv/bin/python -m tests.redaction.heldout.generate          # rewrites the set
    .venv/bin/python -m tests.redaction.heldout.generate --check  # verifies it reproduces

The set was generated once, before the detector was changed for it, and is committed with
its SHA-256 (`heldout.sha256`). It must never be used to choose detector vocabulary: the
test `test_heldout_independence.py` asserts that no person-name word, street-name word or
cue phrase of the set is in the detector's word lists. Sources: see `sources.py`.

Each line of `heldout.jsonl` is one log line with its labels:
`{"text", "shape", "pii": [[entity, start, end], ...], "protected": [[kind, start, end], ...]}`.
`vocabulary.json` lists the words the independence test checks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import unicodedata
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

from tests.redaction.corpus import LineBuilder, Sample
from tests.redaction.heldout import sources

HERE = Path(__file__).resolve().parent
SET_PATH = HERE / "heldout.jsonl"
CHECKSUM_PATH = HERE / "heldout.sha256"
VOCABULARY_PATH = HERE / "vocabulary.json"
SEED = 1717
SIZE = 2400


@dataclass
class Person:
    first: str
    last: str
    locale: str

    def written(self, style: str) -> str:
        if style == "first_last":
            return f"{self.first} {self.last}"
        if style == "last_comma_first":
            return f"{self.last}, {self.first}"
        if style == "upper_last_comma_first":
            return f"{self.last.upper()}, {self.first.upper()}"
        if style == "upper":
            return f"{self.first} {self.last}".upper()
        if style == "lower":
            return f"{self.first} {self.last}".lower()
        raise ValueError(style)


@dataclass
class Address:
    street: str  # the street line: number, street name, type words, unit
    postcode: str
    city: str
    shape: str


@dataclass
class Vocabulary:
    person_words: set[str] = field(default_factory=set)
    street_name_words: set[str] = field(default_factory=set)
    street_type_words: set[str] = field(default_factory=set)
    street_grammar_words: set[str] = field(default_factory=set)
    cue_phrases: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)


def ascii_fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).replace("\u0131", "i")


def _words(text: str) -> list[str]:
    return [w for w in "".join(c if c.isalpha() else " " for c in text).split() if w]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        locales = sources.NAME_LOCALES + sources.ROMANISED_LOCALES + sources.ADDRESS_LOCALES
        for index, locale in enumerate(dict.fromkeys((*locales, "tr_TR", "sw"))):
            fake = Faker(locale)
            fake.seed_instance(seed + index)
            self.fakers[locale] = fake
        self.vocabulary = Vocabulary()

    # --- values --------------------------------------------------------------------------

    def person(self) -> Person:
        locale = self.rng.choice(sources.NAME_LOCALES + sources.ROMANISED_LOCALES)
        fake = self.fakers[locale]
        while True:
            if locale in sources.ROMANISED_LOCALES:
                first, last = fake.first_romanized_name(), fake.last_romanized_name()
            else:
                first, last = fake.first_name(), fake.last_name()
            # One word each, letters only: the set tests names, not Faker's oddities.
            if all(w.isalpha() and len(w) >= 2 for w in (first, last)):
                break
        self.vocabulary.person_words.update(w.lower() for w in (first, last))
        return Person(first, last, locale)

    def email(self, person: Person) -> str:
        local = self.rng.choice(
            [f"{person.first}.{person.last}", f"{person.first[0]}{person.last}", person.last]
        )
        local = ascii_fold(local).lower()
        domain = self.rng.choice(
            [
                "mail.example.com.tr",
                "posta.example.hu",
                "example.co.ke",
                "inbox.example.vn",
                "example.ng",
                "seznam.example.cz",
                "example.co.jp",
                "example.com.br",
            ]
        )
        return f"{local}{self.rng.choice(['', str(self.rng.randrange(10, 99))])}@{domain}"

    def address(self) -> Address:
        shape = self.rng.choice(("faker",) * 5 + sources.COMPOSED_ADDRESS_SHAPES)
        if shape == "turkish":
            fake = self.fakers["tr_TR"]
            name = fake.last_name()
            street = self.rng.choice(
                [
                    f"{name} Cad. No:{self.rng.randrange(1, 300)}",
                    f"{name} Sok. No:{self.rng.randrange(1, 90)}/{self.rng.randrange(1, 20)}",
                    f"{fake.last_name()} Mah. {name} Sk. No: {self.rng.randrange(1, 99)} D:"
                    f"{self.rng.randrange(1, 12)}",
                ]
            )
            address = Address(
                street,
                f"{self.rng.randrange(1, 81):02d}{self.rng.randrange(1000):03d}",
                fake.city(),
                shape,
            )
        elif shape == "japanese":
            town = self.rng.choice(sources.JAPANESE_TOWNS)
            ward = self.rng.choice(sources.JAPANESE_WARDS)
            block = "-".join(str(self.rng.randrange(1, top)) for top in (9, 30, 20))
            street = self.rng.choice([f"{block} {town}, {ward}-ku", f"{town} {block}, {ward}-ku"])
            address = Address(
                street,
                f"{self.rng.randrange(100, 999)}-{self.rng.randrange(10000):04d}",
                self.rng.choice(["Tokyo", "Osaka", "Fukuoka", "Sendai"]),
                shape,
            )
        elif shape == "east_african":
            name = self.fakers["sw"].last_name()
            plot = self.rng.randrange(1, 400)
            street = self.rng.choice(
                [
                    f"Plot {plot}, {name} Road",
                    f"Plot {plot} {name} Street",
                    f"Plot {plot}, {name} Close",
                ]
            )
            address = Address(
                street,
                f"P.O. Box {self.rng.randrange(100, 99999)}",
                self.rng.choice(sources.EAST_AFRICAN_TOWNS),
                shape,
            )
        else:
            locale = self.rng.choice(sources.ADDRESS_LOCALES)
            fake = self.fakers[locale]
            while True:
                street = fake.street_address().replace("\n", ", ")
                if any(c.isdigit() for c in street):
                    break
            address = Address(street, fake.postcode(), fake.city(), locale)
        for word in _words(address.street):
            folded = word.lower()
            if folded in sources.STREET_TYPE_WORDS:
                self.vocabulary.street_type_words.add(folded)
            elif word.islower():  # `de`, `del`, `da`: grammar inside a name
                self.vocabulary.street_grammar_words.add(folded)
            elif len(word) > 1 and not word.isupper():
                self.vocabulary.street_name_words.add(folded)
        return address

    def date_of_birth(self) -> tuple[str, str]:
        """(ISO date, the date as written: ISO, US, European)."""
        day = self.rng.randrange(1, 29)
        month = self.rng.randrange(1, 13)
        year = self.rng.randrange(1935, 2006)
        iso = f"{year}-{month:02d}-{day:02d}"
        written = self.rng.choice(
            [iso, f"{month:02d}/{day:02d}/{year}", f"{day:02d}.{month:02d}.{year}"]
        )
        return iso, written

    def name_style(self) -> str:
        return self.rng.choice(
            ["first_last"] * 4 + ["last_comma_first", "upper_last_comma_first", "upper", "lower"]
        )

    def key(self, *keys: str) -> str:
        key = self.rng.choice(keys)
        self.vocabulary.keys.add(key)
        return key

    def cue(self, phrase: str) -> None:
        if phrase:
            self.vocabulary.cue_phrases.add(phrase)

    def timestamp(self, line: LineBuilder) -> None:
        second = self.rng.randrange(86400)
        value = (
            f"2026-{self.rng.randrange(1, 13):02d}-{self.rng.randrange(1, 29):02d}T"
            f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
        )
        line.keep("timestamp", value).text(" ")

    def token(self) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(alphabet) for _ in range(10))

    # --- line shapes ---------------------------------------------------------------------

    def mail_header(self) -> list[Sample]:
        line = LineBuilder()
        line.text(f"postfix/smtp[{self.rng.randrange(1000, 9999)}]: {self.token().upper()}: ")
        person = self.person()
        header = self.rng.choice(["From", "To", "Reply-To", "Cc", "Bcc"])
        style = self.rng.choice(["first_last", "first_last", "last_comma_first"])
        line.text(f"{header}: ")
        if self.rng.random() < 0.6:
            line.text('"').personal("PERSON", person.written(style)).text('" <')
        else:
            line.personal("PERSON", person.written("first_last")).text(" <")
        line.personal("EMAIL_ADDRESS", self.email(person)).text(">")
        return [line.build("mail_header")]

    def csv_export(self) -> list[Sample]:
        prefix = f"import batch {self.rng.randrange(100, 999)} row "
        header = self.rng.choice(
            [
                ("salutation", "given", "family", "street", "postal", "city", "born"),
                ("title", "first", "surname", "address", "zip", "town", "birthdate"),
                ("anrede", "vorname", "nachname", "strasse", "plz", "ort", "geburtsdatum"),
            ]
        )
        self.vocabulary.keys.update(header)
        separator = self.rng.choice([";", ","])
        samples = [LineBuilder().text(f"{prefix}0: {separator.join(header)}").build("csv")]
        for number in range(1, self.rng.randrange(2, 5)):
            person, address = self.person(), self.address()
            _, born = self.date_of_birth()
            line = LineBuilder().text(f"{prefix}{number}: ")
            line.text(self.rng.choice(sources.TITLES)).text(separator)
            line.personal("PERSON", person.first).text(separator)
            line.personal("PERSON", person.last).text(separator + '"')
            line.personal("LOCATION", address.street).text('"' + separator)
            line.text(f"{address.postcode}{separator}{address.city}{separator}")
            line.personal("DATE_TIME", born)
            samples.append(line.build("csv"))
        # A row of a headerless export: a title and a name, nothing else says what it holds.
        person = self.person()
        line = LineBuilder().text(
            f"export part {self.rng.randrange(2, 9)}: {self.rng.randrange(10**5)};"
        )
        line.text(self.rng.choice(sources.TITLES) + " ").personal(
            "PERSON", person.written(self.name_style())
        )
        line.text(
            f";{self.rng.randrange(10, 500)}.00;{self.rng.choice(['EUR', 'TRY', 'KES', 'VND'])}"
        )
        samples.append(line.build("csv"))
        return samples

    def sql(self) -> list[Sample]:
        person, address = self.person(), self.address()
        iso, _ = self.date_of_birth()
        line = LineBuilder()
        line.text(
            f"LOG:  duration: {self.rng.randrange(1, 90)}.{self.rng.randrange(1000):03d} ms"
            "  statement: "
        )
        shape = self.rng.randrange(4)
        name_col = self.key(
            "full_name",
            "beneficiary_name",
            "payee",
            "consignee",
            "holder",
            "contact_person",
            "recipient_name",
            "nome_completo",
            "titular",
        )
        if shape == 0:
            dob_col = self.key("date_of_birth", "birth_dt", "dob", "birthdate")
            street_col = self.key("street", "addr_line", "address1", "street_line")
            line.text(
                f"INSERT INTO parties (id, {name_col}, {dob_col}, {street_col}, country)"
                f" VALUES ({self.rng.randrange(10**6)}, '"
            )
            line.personal("PERSON", person.written(self.name_style()).replace("'", "''")).text(
                "', '"
            )
            line.personal("DATE_TIME", iso).text("', '")
            line.personal("LOCATION", address.street.replace("'", "''")).text("', 'XX')")
        elif shape == 1:
            line.text(f"UPDATE accounts SET {name_col} = '")
            line.personal("PERSON", person.written(self.name_style())).text(
                f"' WHERE id = {self.rng.randrange(10**6)}"
            )
        elif shape == 2:
            line.text(f"SELECT id FROM parties WHERE lower({name_col}) = '")
            line.personal("PERSON", person.written("lower")).text("' LIMIT 1")
        else:
            line = LineBuilder().text(
                'ERROR:  duplicate key value violates unique constraint "parties_email_key"'
                "  DETAIL:  Key (email)=("
            )
            line.personal("EMAIL_ADDRESS", self.email(person)).text(") already exists.")
        return [line.build("sql")]

    def graphql(self) -> list[Sample]:
        person, address = self.person(), self.address()
        line = LineBuilder()
        if self.rng.random() < 0.5:
            key = self.key(
                "payeeName", "beneficiary", "consigneeName", "accountHolder", "recipient"
            )
            line.text('{"errors":[{"message":"Variable \\"$input\\" got invalid value { ')
            line.text(f'{key}: \\"').personal("PERSON", person.written(self.name_style()))
            street_key = self.key("street", "streetAddress", "addressLine", "addr1")
            line.text(f'\\", {street_key}: \\"').personal("LOCATION", address.street)
            line.text('\\" }; Field \\"iban\\" of required type \\"String!\\" was not provided.",')
            line.text(f'"locations":[{{"line":1,"column":{self.rng.randrange(5, 40)}}}]}}]}}')
        else:
            key = self.key("consignee", "beneficiary", "payee", "holder")
            line.text(
                '{"errors":[{"message":"Cannot return null for non-nullable field Shipment.eta.",'
            )
            line.text(f'"path":["shipment","eta"]}}],"data":{{"shipment":{{"{key}":"')
            line.personal("PERSON", person.written(self.name_style())).text('","addr":"')
            line.personal("LOCATION", address.street).text(f'","city":"{address.city}"}}}}}}')
        return [line.build("graphql")]

    def kubernetes(self) -> list[Sample]:
        pod = f"payout-worker-{self.token()[:9]}-{self.token()[:5]}"
        line = LineBuilder().text(f"{self.rng.randrange(1, 59)}m  Warning  BackOff  pod/")
        line.keep("pod", pod)
        if self.rng.random() < 0.5:
            person = self.person()
            key = self.key("beneficiary", "payee", "acct_holder", "consignee_name")
            line.text(f"  job failed: {key}=")
            line.personal(
                "PERSON", person.written(self.rng.choice(["first_last", "upper", "lower"]))
            )
            line.text(" reason=IBAN_REJECTED")
        else:
            line.text("  Back-off restarting failed container worker in ")
            line.keep("hard_negative", self.rng.choice(sources.HARD_NEGATIVES))
            line.text(" rollout")
        return [line.build("kubernetes")]

    def java_trace(self) -> list[Sample]:
        person = self.person()
        samples = []
        line = LineBuilder().text("com.northpay.payout.InvalidPayeeException: payee '")
        line.personal("PERSON", person.written(self.name_style())).text(
            f"' does not match account {self.rng.randrange(1000, 9999)}"
        )
        samples.append(line.build("java"))
        line = LineBuilder().text("\tat ")
        line.keep("class", "com.northpay.payout.PayeeValidator.check")
        line.text(f"(PayeeValidator.java:{self.rng.randrange(20, 400)})")
        samples.append(line.build("java"))
        if self.rng.random() < 0.5:
            address = self.address()
            line = LineBuilder().text(
                'Caused by: java.lang.IllegalArgumentException: delivery address "'
            )
            line.personal("LOCATION", address.street).text('" incomplete')
            samples.append(line.build("java"))
        return samples

    def python_trace(self) -> list[Sample]:
        person = self.person()
        line = LineBuilder().text(
            f'  File "/srv/billing/refunds.py", line {self.rng.randrange(10, 500)}, in '
        )
        line.keep("function", "issue_refund")
        samples = [line.build("python")]
        line = LineBuilder().text("LookupError: no account matches '")
        line.personal("PERSON", person.written(self.name_style())).text("'")
        self.cue("no account matches")
        samples.append(line.build("python"))
        return samples

    def url_query(self) -> list[Sample]:
        person = self.person()
        line = LineBuilder()
        line.text(
            ".".join(
                str(self.rng.randrange(*bounds)) for bounds in ((11, 220), (256,), (256,), (1, 255))
            )
        )
        line.text(' - - "GET /v2/orders/search?page=2&')
        key = self.key("beneficiary", "name", "holder", "payee", "q")
        line.text(f"{key}=").personal(
            "PERSON", urllib.parse.quote_plus(person.written("first_last"))
        )
        line.text("&mail=").personal(
            "EMAIL_ADDRESS", urllib.parse.quote(self.email(person), safe="")
        )
        if self.rng.random() < 0.5:
            iso, _ = self.date_of_birth()
            line.text(f"&{self.key('dob', 'birth')}=").personal("DATE_TIME", iso)
        line.text(f' HTTP/1.1" 200 {self.rng.randrange(100, 9000)}')
        sample = line.build("url_query")
        # The client address is personal too; not what this shape is about, so not scored.
        return [sample]

    def key_value(self) -> list[Sample]:
        person = self.person()
        line = LineBuilder()
        self.timestamp(line)
        form = self.rng.randrange(4)
        key = self.key(
            "beneficiary",
            "consignee_name",
            "payee",
            "recipient",
            "acct_holder",
            "ACCOUNT_HOLDER",
            "Beneficiary-Name",
            "contact_person",
            "destinatario",
        )
        if form == 0:
            line.text(f'payout queued {key}="').personal(
                "PERSON", person.written(self.name_style())
            )
            line.text(f'" amount={self.rng.randrange(100, 90000)} currency=EUR')
        elif form == 1:
            line.text(f"shipment booked {key}=").personal("PERSON", person.written("first_last"))
            line.text(f" parcels={self.rng.randrange(1, 9)}")
        elif form == 2:
            address = self.address()
            line.text(f'{{"event":"kyc.submitted","{key}":"').personal(
                "PERSON", person.written(self.name_style())
            )
            street_key = self.key("street", "residence", "addr", "streetAddress", "domicilio")
            line.text(f'","{street_key}":"').personal("LOCATION", address.street)
            _, written = self.date_of_birth()
            line.text(f'","{self.key("dateOfBirth", "birthDate", "dob")}":"').personal(
                "DATE_TIME", written
            )
            line.text('"}')
        else:
            _, written = self.date_of_birth()
            line.text(f"kyc check {self.key('birthDt', 'dob', 'birth_date', 'DOB')}=").personal(
                "DATE_TIME", written
            )
            line.text(f" {key}='").personal("PERSON", person.written(self.name_style())).text("'")
        return [line.build("key_value")]

    def free_text(self) -> list[Sample]:
        line = LineBuilder()
        self.timestamp(line)
        if self.rng.random() < 0.65:
            before, after, cue = self.rng.choice(sources.PERSON_NOTES)
            person = self.person()
            line.text('note="' + before).personal(
                "PERSON",
                person.written(self.rng.choice(["first_last", "first_last", "last_comma_first"])),
            )
            line.text(after + '"')
        else:
            before, after, cue = self.rng.choice(sources.ADDRESS_NOTES)
            address = self.address()
            line.text(before).personal("LOCATION", address.street)
            line.text(f"{after}, {address.postcode} {address.city}")
        self.cue(cue)
        return [line.build("free_text")]

    def negatives(self) -> list[Sample]:
        line = LineBuilder()
        self.timestamp(line)
        form = self.rng.randrange(3)
        if form == 0:
            line.text("release train ").keep(
                "hard_negative", self.rng.choice(sources.HARD_NEGATIVES)
            )
            line.text(" frozen; next window ").keep(
                "hard_negative", self.rng.choice(sources.HARD_NEGATIVES)
            )
        elif form == 1:
            line.text("Normal  Scheduled  pod/").keep("pod", f"invoice-api-{self.token()[:9]}")
            line.text("  Successfully assigned billing/invoice-api to ").keep(
                "node", f"node-{self.rng.randrange(1, 40)}"
            )
        else:
            line.text('msg="plan changed" plan="').keep(
                "hard_negative", self.rng.choice(sources.HARD_NEGATIVES)
            )
            line.text('" request_id=').keep("hex_id", f"{self.rng.getrandbits(96):024x}")
        return [line.build("negative")]

    def generate(self, size: int) -> list[Sample]:
        shapes: list[tuple[Callable[[], list[Sample]], int]] = [
            (self.mail_header, 3),
            (self.csv_export, 2),
            (self.sql, 3),
            (self.graphql, 2),
            (self.kubernetes, 2),
            (self.java_trace, 2),
            (self.python_trace, 2),
            (self.url_query, 2),
            (self.key_value, 4),
            (self.free_text, 4),
            (self.negatives, 4),
        ]
        makers = [maker for maker, weight in shapes for _ in range(weight)]
        samples: list[Sample] = []
        while len(samples) < size:
            samples.extend(self.rng.choice(makers)())
        return samples[:size]


def serialise(samples: list[Sample]) -> str:
    lines = []
    for sample in samples:
        record = {
            "text": sample.text,
            "shape": sample.context,
            "pii": [[s.kind, s.start, s.end] for s in sample.pii],
            "protected": [[s.kind, s.start, s.end] for s in sample.protected],
        }
        lines.append(json.dumps(record, ensure_ascii=False, sort_keys=True))
    return "\n".join(lines) + "\n"


def build(seed: int = SEED, size: int = SIZE) -> tuple[str, dict[str, list[str]]]:
    generator = Generator(seed)
    text = serialise(generator.generate(size))
    vocabulary = {
        name: sorted(getattr(generator.vocabulary, name))
        for name in (
            "person_words",
            "street_name_words",
            "street_type_words",
            "street_grammar_words",
            "cue_phrases",
            "keys",
        )
    }
    return text, vocabulary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify, do not write")
    args = parser.parse_args()
    text, vocabulary = build()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    vocabulary_text = json.dumps(vocabulary, ensure_ascii=False, indent=1) + "\n"
    if args.check:
        same = (
            SET_PATH.read_text(encoding="utf-8") == text
            and CHECKSUM_PATH.read_text(encoding="utf-8").split()[0] == digest
            and VOCABULARY_PATH.read_text(encoding="utf-8") == vocabulary_text
        )
        print("reproduces" if same else "DIFFERS")
        sys.exit(0 if same else 1)
    SET_PATH.write_text(text, encoding="utf-8")
    CHECKSUM_PATH.write_text(f"{digest}  heldout.jsonl\n", encoding="utf-8")
    VOCABULARY_PATH.write_text(vocabulary_text, encoding="utf-8")
    print(f"{text.count(chr(10))} lines, sha256 {digest}")


if __name__ == "__main__":
    main()
