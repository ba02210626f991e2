"""Whether a keyed value has the shape of what its key says, and how NER should see it."""

from __future__ import annotations

import regex

from service.redaction.keys import key_names_a_place
from service.redaction.names import LOG_VOCABULARY, written_without_case

NOT_A_VALUE = frozenset(
    {"", "null", "none", "nil", "-", "n/a", "true", "false", "redacted", "unknown", "anonymous"}
)
# Nouns for things, groups and systems, never a person: `customer SUPPORT TEAM`, `user admin`,
# `created_by="system"`.
NOT_A_PERSON = frozenset(
    """
    id ids number num ref account accounts team teams support record records profile email
    mail phone admin admins administrator root system systems service services group groups
    department dept desk bot bots staff ops operations portal session sessions data details
    detail info information settings setting preferences preference list lists address
    addresses domain name names role roles tier tiers segment segments balance balances guest
    guests agent agents secret secrets password passwords login logins logout api app apps
    form forms page pages side count limit limits quota quotas tax taxes default defaults
    source sources search lookup cache key keys level levels access permission permissions
    type types class classes base database db table row rows object objects entity entities
    model models metadata option options flag flags config library sdk lib version versions
    certificate certificates cert certs credential credentials identity identities policy
    policies pool pools channel channels queue queues tool tools code codes center centre care
    success experience relations relationship helpdesk inbox mailbox notification
    notifications message messages sms text texts chat note notes history log logs report
    reports export exports import imports file files document documents upload uploads
    download downloads sales journey churn reputation story home interface activity ip
    automation scheduler cron daemon robot noreply anonymous nobody everyone trial trials
    risk fraud discount coupon referral bonus device devices country bank label labels offer
    offers score check checks contract enterprise starter basic premium pro free annual
    monthly yearly web hook hooks ssl tls handshake timezone locale mobile desktop browser
    period cost value acquisition retention lifetime mfa otp vat gdpr marketing consent
    server servers build builds sso saml oauth oidc ldap jwt kubectl sudo ssh pam exec cli
    """.split()  # noqa: SIM905
)
# A run ending in one of these names a group or a system, not a person (`Revenue Ops`,
# `Release Bot`, `Code Owners`, `Build Pipeline`, `Envoy Proxy`, `Redis Sentinel`); no common
# surname is one of them.
GROUP_WORDS = frozenset(
    """
    team teams ops devops sre operations bot bots staff department dept desk admin admins
    administrators system systems service services group groups squad guild owners maintainers
    reviewers approvers platform pipeline pipelines engineering crew committee board council
    office unit division workflow automation proxy storage gateway cluster engine console
    server servers sentinel ingress broker registry worker workers runner runners monitor
    dashboard vault bucket stream streams connector adapter controller balancer replica node
    nodes pod pods container containers daemon scheduler renderer exporter collector
    """.split()  # noqa: SIM905
)
# A run with one of these after its first word names a place (`Victoria Station`, `Baker
# Street`, `Jordan Valley`), not a person; surnames that are place words too (`Park`, `Hill`,
# `Church`, `Lake`, `Bay`, `Plaza`) are left out.
PLACE_WORDS = frozenset(
    """
    station street avenue boulevard square bridge airport terminal harbour harbor cathedral
    stadium campus mall university hospital museum college school valley island river
    mountain beach county district province falls springs
    """.split()  # noqa: SIM905
)
# Words naming a part of a town (`Amsterdam Zuid`, `Berlin Mitte`, `Utrecht Centraal`): under a
# place key (`a_part_of_a_place`) only, as surnames are among them (`Nord`, `Ost`, `Center`).
TOWN_PART_WORDS = frozenset(
    {"north", "south", "east", "west", "central", "centre", "center", "downtown", "uptown",
     "midtown", "nord", "süd", "sud", "ost", "mitte", "zentrum", "noord", "zuid", "oost",
     "centrum", "centraal", "est", "ouest", "este", "oeste", "centro",
     "airport", "flughafen", "aeroporto", "aeropuerto", "aéroport", "luchthaven", "hbf",
     "station", "bahnhof", "gare", "stazione", "estación"}
)  # fmt: skip
# A run opened by one of these names a place too (`Santa Clara`, `St Petersburg`, `Cape Town`,
# `Fort Worth`, `Los Angeles`); `San` is left out: it opens Burmese and Korean names.
PLACE_OPENERS = frozenset(
    "santa santo são sao st saint sainte fort port mount mt cape new los las".split()  # noqa: SIM905
)
# A value ending in one of these names a company: `ACME LTD`, `Kowhai Holdings Inc.`,
# `TELEFONICA MOVILES ESPANA SAU`. Not the forms that are words or surnames too (`SA`, `SL`,
# `SPA`, `AS`, `SE`, `EG`).
COMPANY_SUFFIXES = frozenset(
    """
    ltd llc inc gmbh corp plc pty bv ag sarl oy ab kk limited holdings company sau srl sas nv
    kg lda ltda bvba sprl ohg
    """.split()  # noqa: SIM905
)
# "Bank" in the languages of Europe's issuers: a run of capitals after one is the bank's
# name (`BANCO BILBAO VIZCAYA ARGENTARIA`, `KREISSPARKASSE KOELN`), not a person's.
BANK_WORDS = frozenset(
    "bank banco banque banca sparkasse kreissparkasse stadtsparkasse volksbank".split()  # noqa: SIM905
)
_NAME_WORD = r"[\p{L}\p{M}][\p{L}\p{M}'\u2019.-]*"
# One to six words of letters (initials, apostrophes, hyphens), `Last, First` allowed.
# `Tanaka, Hiroshi` and, as unquoted values write it, `Tanaka,Hiroshi`.
_NAME_SHAPED = regex.compile(rf"{_NAME_WORD}(?:(?:,[ \t]*|[ \t]+){_NAME_WORD}){{0,5}}")
_LAST_COMMA_FIRST = regex.compile(rf"({_NAME_WORD}),[ \t]+({_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)")
_WORDS = regex.compile(r"[\p{L}\p{M}'\u2019.-]+")


def names_a_thing(run: str) -> bool:
    """Whether a run holds a word for a thing, group or system (`Fraud Check`, `Support
    Team`): no name, whatever cue comes before it. Function words do not count here:
    capitalised, they are names (`Lydia May`, `Will Long`)."""
    return any(
        word.lower().strip(".,") in NOT_A_PERSON or word.lower().strip(".,") in COMPANY_SUFFIXES
        for word in run.split()
    )


# Words written right before a run that say it may name a product, plan or feature rather
# than a person: `campaign Victory Lap`, `SKU Diamond Rewards`, `upgraded to Ocean Blue`,
# `coupon: Happy Hour`. Nouns only: words that are verbs too (`offer`, `flag`, `switched to`,
# `subscribed to`, `migrated to`) come before people as well (`flag Jane Doe for review`,
# `subscribed to Casey Newton`), so `flag` counts only as `feature flag` or before `:` or
# `=`. One space or a `:`/`=` between: a tab or a run of spaces is a column gap
# (`4411   bundle   Maria Gonzalez`), not a phrase.
_THING_SLOT = regex.compile(
    r"(?<![\w-])(?i:(?:up|down)graded[ ]to"
    r"|(?:plan|product|sku|feature(?:[ ]flag)?|tier|bundle|edition|package|promo|promotion"
    r"|campaign|coupon|voucher|add-?on|template)|flag(?=[ ]?[:=]))"
    r"(?:[ ]?[:=][ ]?|[ ])[\"'\u201c]?\Z"
)


def after_a_thing_slot(text: str, start: int) -> bool:
    """Whether the words just before ``start`` say that what follows may name a thing (the
    caller still asks whether its words could be a name)."""
    return _THING_SLOT.search(text, max(0, start - 32), start) is not None


def names_a_group(run: str) -> bool:
    """Whether a run of two or more words ends in a word for a group or a system."""
    words = run.split()
    return len(words) >= 2 and words[-1].lower().strip(".,") in GROUP_WORDS


def names_a_place(run: str) -> bool:
    """Whether a run has a word for a place after its first (`Victoria Station PoP`) or opens
    with one (`Santa Clara`). Only
    where no key vouches for a person: `cardholder_name="Teodora Street"` stays a name."""
    words = [word.lower().strip(".,") for word in run.split()]
    return len(words) >= 2 and (words[0] in PLACE_OPENERS or not PLACE_WORDS.isdisjoint(words[1:]))


def a_part_of_a_place(key: str, value: str) -> bool:
    """A value under a key of place words (`keys.PLACE_KEY_WORDS`) that names a place NER
    reads as a person's name (`region: "Amsterdam Zuid"`, `office: "Sao Paulo"`). Not every
    value there is a place: an attacker review found names under such keys (`{"location":
    "Anna Weber"}`, a parcel left with a neighbour), which NER still judges."""
    if not key_names_a_place(key):
        return False
    return names_a_place(value) or not TOWN_PART_WORDS.isdisjoint(
        word.lower() for word in value.split()
    )


def is_placeholder(value: str) -> bool:
    stripped = value.strip()
    return stripped.lower() in NOT_A_VALUE or "***" in stripped or stripped.startswith("<")


def name_shaped(value: str) -> bool:
    """Letters in one to six words, not all of them the words of log messages."""
    value = value.strip()
    if not _NAME_SHAPED.fullmatch(value):
        return False
    words = [word.lower().strip(".") for word in _WORDS.findall(value)]
    if words and words[-1] in COMPANY_SUFFIXES:
        return False
    return not all(word in LOG_VOCABULARY or word in NOT_A_PERSON for word in words)


_LETTERS_WITH_A_PHONE = 4


def plausible(entity: str, value: str, *, single_word_ok: bool = False) -> bool:
    """Whether `value`, found under a key that says `entity`, has that entity's shape."""
    if is_placeholder(value):
        return False
    if entity == "PERSON":
        if not name_shaped(value):
            return False
        # A name in a script without case is as sure as a capitalised one (`name=王秀英`).
        return (
            " " in value.strip()
            or value[:1].isupper()
            or single_word_ok
            or written_without_case(value)
        )
    if entity == "LOCATION":
        has_letter = any(char.isalpha() for char in value)
        return has_letter and len(value) <= 200 and (" " in value.strip() or value[:1].isdigit())
    if entity == "DATE_TIME":
        return sum(char.isdigit() for char in value) >= 4 and len(value) <= 40
    if entity == "EMAIL_ADDRESS":
        return "@" in value
    if entity == "PHONE_NUMBER":
        # Digits, and at most a short word (`ext. 12`, `x12`): a phone key's value in words
        # holds something else with its number (`Telefon: Paket 040/12345678 zugestellt`),
        # which the phone recogniser judges on its own.
        return (
            sum(char.isdigit() for char in value) >= 7
            and sum(char.isalpha() for char in value) <= _LETTERS_WITH_A_PHONE
        )
    return True


def ner_form(value: str) -> str:
    """The value as NER reads names best: `DOE, JANE` → `Jane Doe`."""
    value = value.strip()
    match = _LAST_COMMA_FIRST.fullmatch(value)
    if match is not None:
        value = f"{match.group(2)} {match.group(1)}"
    if value.isupper() or value.islower():
        value = " ".join(word[:1].upper() + word[1:].lower() for word in value.split())
    return value
