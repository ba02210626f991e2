"""What a key says its value holds, judged by the key's parts rather than a fixed list.

`beneficiaryName`, `consignee_name`, `ACCOUNT_HOLDER`, `Beneficiary-Name` and `birthDt` are
split into words (`beneficiary name`, `account holder`, `birth dt`); a word that names a kind
of personal data decides the entity, unless the key is about something else (`file_name`,
`ip_address`, `contact_id`: a name of a thing, an IP address, a reference).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Words of a key that name a kind of personal data (English, and the few other languages
# billing systems commonly use in column names).
DATE_OF_BIRTH_PARTS = frozenset(
    {"dob", "birth", "birthday", "birthdate", "born", "geburtsdatum", "geburts", "geboorte",
     "geboortedatum", "naissance", "nacimiento", "nascita", "nascimento"}
)  # fmt: skip
EMAIL_PARTS = frozenset({"email", "mail", "e-mail", "emailaddress"})
# A phone's name in the languages of exports we meet (de, fr, es, it, pt, nl), with the regions
# whose numbers it names: the key words and labels of phone numbers as well
# (`"Mobil":"0619345145"`, `telefono 375687789`).
# Not `handy` nor `gsm`: English words too (`Handy tip: rerun job 12345678`,
# `GSM: 48213377 frames dropped`).
_GERMAN, _FRENCH, _ITALIAN = ("DE", "AT", "CH"), ("FR", "BE", "CH"), ("IT", "CH")
_SPANISH, _PORTUGUESE, _DUTCH = ("ES", "MX", "AR", "CO", "CL"), ("PT", "BR"), ("NL", "BE")
PHONE_WORD_REGIONS: Mapping[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("telefon", "telefonnummer", "rufnummer", "handynummer", "mobil", "mobilnummer"), _GERMAN
    ),
    **dict.fromkeys(("téléphone", "tél"), _FRENCH),
    **dict.fromkeys(("teléfono", "tfno", "tlf", "móvil", "movil"), _SPANISH),
    **dict.fromkeys(("celular", "cel"), _SPANISH + _PORTUGUESE),
    **dict.fromkeys(("telefono", "cellulare", "telefonico"), _ITALIAN),
    "telefónico": _SPANISH,
    **dict.fromkeys(("telefone", "telemóvel", "telemovel"), _PORTUGUESE),
    **dict.fromkeys(("telefoon", "telefoonnummer", "mobiel"), _DUTCH),
}
# Verbs asking for a call right before a number, in the languages whose numbers open with no
# trunk `0` and so need a label (`Llamar al 612 345 678`, `Ligar para 912 345 678`).
CALL_VERB_REGIONS: Mapping[str, tuple[str, ...]] = {
    **dict.fromkeys(("llamar", "llame", "llámenos", "llamenos", "llámame", "llamame"), _SPANISH),
    **dict.fromkeys(("chiamare", "richiamare", "chiamami", "richiamami", "chiamateci"), _ITALIAN),
    **dict.fromkeys(("ligar", "ligue", "liga", "ligue-nos", "liga-me"), _PORTUGUESE),
}
# `tél`, an abbreviation, is a label right before a number only, no key's word.
PHONE_WORDS_ABROAD = frozenset(PHONE_WORD_REGIONS) - {"tél"}
ENGLISH_PHONE_PARTS = frozenset(
    {"phone", "mobile", "telephone", "tel", "msisdn", "fax", "cellphone"}
)  # fmt: skip
# English words that label a phone in a line, not as a key's word (`call 612 345 678`).
ENGLISH_PHONE_LABELS = ENGLISH_PHONE_PARTS | frozenset(("cell", "call", "sms", "whatsapp"))
# The other words a key with a phone's name of another language may have: a number, whose it
# is, which one. Any other word says the key counts or sorts something by phone (an attacker
# review's `mobil_umsatz`, `telefonnummer_anzahl`, `pedidos_movil`, `celular_lote`), and the
# words that say so in those languages are too many to list as `NOT_PERSONAL` does English's.
_WITH_A_PHONE_ABROAD = frozenset(
    {"number", "no", "nr", "num", "numero", "número", "numéro", "nummer", "de", "del", "di",
     "do", "da", "du", "van", "der", "des", "la", "el", "il", "recapito", "contatto",
     "contacto", "contato", "contact", "privat", "privé", "privado", "privato",
     "home", "work", "trabajo", "lavoro", "werk", "fijo", "fisso", "fixo", "fixe",
     "principal", "principale", "alternativo", "secondario", "zweite", "geschäftlich",
     "cliente", "kunde", "klant", "utente", "usuario", "utilisateur", "utilizador"}
)  # fmt: skip
LOCATION_PARTS = frozenset(
    {"street", "addr", "address", "line1", "line2", "streetaddress", "strasse", "straße",
     "adresse", "anschrift", "rue", "calle", "direccion", "dirección", "rua", "endereco",
     "endereço", "indirizzo", "adres", "ulica", "osoite", "adresa"}
)  # fmt: skip
PERSON_PARTS = frozenset(
    {"name", "fullname", "firstname", "lastname", "surname", "forename", "given", "holder",
     "cardholder", "beneficiary", "payee", "payer", "recipient", "consignee", "consignor",
     "addressee", "contact", "signatory", "guarantor", "cosigner", "customer", "client",
     "person", "patient", "employee", "passenger", "traveller", "traveler", "sender",
     "attendee", "owner", "attention", "attn", "signed", "signer", "signature", "assignee",
     "requester", "requestor", "reporter", "approver", "reviewer", "author", "kin",
     "spouse", "nominee", "remitter", "policyholder", "applicant",
     # the same words in the languages of exports we meet: fr, es, it, pt, nl, pl, nordic, fi
     "nom", "prenom", "prénom", "nombre", "apellido", "apellidos", "titular", "cognome",
     "cliente", "kunde", "kundin", "klant", "contacto", "contatto", "contato", "kontakt",
     "nome", "sobrenome", "voornaam", "achternaam", "imie", "imię", "nazwisko", "navn",
     "fornavn", "efternavn", "etternavn", "namn", "förnamn", "efternamn", "nimi", "etunimi",
     "sukunimi"}
)  # fmt: skip
# `<word> to` keys that name a person: `ship_to`, `Bill to`.
ADDRESSED_TO = frozenset({"ship", "bill", "sold", "deliver", "send", "mail", "remit"})
# Keys made of exactly one of these words hold a name part (`first`, `last`, `family`).
PERSON_ALONE = frozenset({"first", "last", "family", "middle", "maiden"})

# `<verb>ed_by` keys that name a cause, an order or a grouping, never who acted.
NOT_DONE_BY_A_PERSON = frozenset(
    {"caused", "powered", "backed", "sorted", "ordered", "grouped", "partitioned", "indexed",
     "filtered", "keyed", "followed", "replaced", "superseded", "determined", "limited",
     "bounded", "driven", "hidden", "blocked", "preceded"}
)  # fmt: skip
# A key that also has one of these words is about something else than a person or place.
NOT_PERSONAL = frozenset(
    {"id", "ids", "uuid", "key", "ref", "type", "kind", "count", "status", "hash", "token",
     "code", "url", "uri", "path", "file", "fichier", "archivo", "arquivo", "datei", "bestand",
     "host", "server", "table", "plan", "product", "produit", "producto", "prodotto",
     "produkt", "produto",
     "bucket", "service", "app", "queue", "topic", "job", "task", "db", "database", "schema",
     "index", "column", "field", "event", "pod", "node", "container", "image", "cluster",
     "namespace", "repo", "branch", "domain", "device", "company", "org", "organization",
     "organisation", "business", "merchant", "brand", "team", "group", "role", "class",
     "module", "function", "method", "secret", "metric", "template", "feature", "country",
     "city", "region", "state", "bank", "ip", "mac", "remote", "local", "version", "length",
     "len", "size", "enabled", "verified", "valid", "hint", "format", "mode", "segment",
     "locale", "lang", "language", "tz", "timezone", "list", "relay", "reason", "library",
     "sdk", "tier", "level", "category", "channel", "setting", "settings", "preference",
     "preferences", "latency", "duration", "retries", "retry", "attempts", "total", "cents",
     "amount"}
)  # fmt: skip
_FUSED_NAME_NOT_PERSON = frozenset(
    {"filename", "hostname", "pathname", "dbname", "classname", "typename", "tablename",
     "servicename", "appname", "keyname", "nickname", "codename", "dirname", "basename"}
)  # fmt: skip


NAME_PART_WORDS = frozenset(
    {"first", "last", "given", "family", "surname", "forename", "middle", "maiden", "fname",
     "lname", "vorname", "nachname", "prenom", "prénom", "nom", "apellido", "apellidos",
     "cognome", "sobrenome", "voornaam", "achternaam", "imie", "imię", "nazwisko", "fornavn",
     "efternavn", "etternavn", "förnamn", "efternamn", "etunimi", "sukunimi"}
)  # fmt: skip


def names_a_name_part(key: str) -> bool:
    """`first_name`, `lname`, `surname`: one word is the whole value."""
    return not NAME_PART_WORDS.isdisjoint(key_parts(key))


# Keys made only of these words (and `name`) hold a place (`{"Store Location": "Amsterdam Zuid"}`,
# `region`, `warehouse`): see `values.a_part_of_a_place`.
PLACE_KEY_WORDS = frozenset(
    {"city", "town", "region", "state", "province", "county", "country", "district", "area",
     "zone", "territory", "suburb", "neighbourhood", "neighborhood", "municipality",
     "location", "branch", "store", "shop", "office", "warehouse", "depot", "site", "venue",
     "campus", "facility", "market", "datacenter"}
)  # fmt: skip


def key_names_a_thing(key: str) -> bool:
    """`plan_name`, `productName`, `job_name`, `filename`: the key says its value is the name
    of something other than a person."""
    parts = key_parts(key)
    if any(part in _FUSED_NAME_NOT_PERSON for part in parts):
        return True
    return "name" in parts and not NOT_PERSONAL.isdisjoint(parts)


def key_names_a_place(key: str) -> bool:
    """`region`, `store_location`, `warehouse_name`: the key is made of place words."""
    # `sitename`: a camelCase key reaches here in lower case
    words = {part.removesuffix("name") or part for part in key_parts(key)}
    return bool(words & PLACE_KEY_WORDS) and words <= PLACE_KEY_WORDS | {"name"}


def key_parts(key: str) -> tuple[str, ...]:
    """`customer.beneficiaryName` → (`beneficiary`, `name`): the last path part, in words."""
    last = re.split(r"[./:\[\]]", key.strip("\"'\\ "))
    segment = next((part for part in reversed(last) if part), key)
    return tuple(part.lower() for part in _PARTS.findall(segment))


# What `key_entity` says of a key that is about something else (`plan`, `file_name`).
OTHER = ""


def _judge(parts: tuple[str, ...]) -> str | None:
    if not parts:
        return None
    words = set(parts)
    if words & NOT_PERSONAL:
        return OTHER
    if words & DATE_OF_BIRTH_PARTS:
        return "DATE_TIME"
    if words & EMAIL_PARTS:
        return "EMAIL_ADDRESS"
    if words & ENGLISH_PHONE_PARTS:
        return "PHONE_NUMBER"
    if words & PHONE_WORDS_ABROAD:
        others = words - PHONE_WORDS_ABROAD - _WITH_A_PHONE_ABROAD - PERSON_PARTS
        return "PHONE_NUMBER" if not others else None
    if words & LOCATION_PARTS:
        return "LOCATION"
    if words & PERSON_PARTS or (len(parts) == 1 and parts[0] in PERSON_ALONE):
        return "PERSON"
    if len(parts) == 2 and parts[1] == "to" and parts[0] in ADDRESSED_TO:
        return "PERSON"  # `Ship to`, `Bill to`: who receives it
    if len(parts) >= 2 and parts[-1] == "by" and parts[-2].endswith(("ed", "en")):
        if parts[-2] in NOT_DONE_BY_A_PERSON:
            return OTHER  # `Caused by:`, `sorted_by`, `powered_by`
        return "PERSON"  # `created_by`, `approvedBy`, `written_by`: who did it
    head = parts[-1]
    if head.endswith("name") and len(head) > 4 and head not in _FUSED_NAME_NOT_PERSON:
        return "PERSON"  # `vorname`, `nachname`, `username`, `fname`, `lname`
    return None


def key_entity(key: str, explicit: Mapping[str, str] | None = None) -> str | None:
    """The entity a key's value holds; `OTHER` when the key names something that is not
    personal (`plan`, `file_name`, `contact_id`); None when the key does not say.

    `explicit` maps normalised keys to entities (the policy's `field_keys`); it wins.
    """
    if explicit:
        entity = explicit.get(normalise_key(key))
        if entity is not None:
            return entity
    return _judge_key(key)


@lru_cache(maxsize=8192)
def normalise_key(key: str) -> str:
    """`customer.billing-Name` → `billing_name`: the last path part, lower case, underscores."""
    return key.rsplit(".", 1)[-1].lower().replace("-", "_")


@lru_cache(maxsize=8192)
def _judge_key(key: str) -> str | None:
    return _judge(key_parts(key))
