"""Where the held-out set's people and places come from, and how it writes them.

People: Faker locales that neither the detector nor the training-style corpus
(`tests/redaction/corpus.py`, which uses en_US, en_GB, de_DE, fr_FR, es_ES, it_IT, nl_NL) uses.
Streets: Faker's street addresses of other locales, plus three address shapes Faker lacks,
composed here (Turkish abbreviations, Japanese block numbers, East African plots) from
Faker surnames and hand-written place words. Every street-type word the set writes is in
`STREET_TYPE_WORDS`, so that a test can tell the name of a street from its type.
"""

from __future__ import annotations

NAME_LOCALES = (
    "yo_NG", "ig_NG", "ha_NG", "tw_GH", "zu_ZA", "en_KE", "en_TH", "uz_UZ", "az_AZ", "tr_TR",
    "vi_VN", "pl_PL", "cs_CZ", "hu_HU", "fi_FI", "ro_RO", "id_ID", "sk_SK", "sl_SI", "hr_HR",
    "lt_LT", "lv_LV", "et_EE", "is_IS", "ga_IE",
)  # fmt: skip
# Japanese names come romanised (Faker's `first_romanized_name`).
ROMANISED_LOCALES = ("ja_JP",)

ADDRESS_LOCALES = (
    "id_ID", "pt_BR", "es_MX", "en_IN", "fil_PH", "pl_PL", "hu_HU", "cs_CZ", "sl_SI", "fi_FI",
    "da_DK", "sv_SE", "no_NO", "vi_VN", "ro_RO", "hr_HR", "sk_SK",
)  # fmt: skip
COMPOSED_ADDRESS_SHAPES = ("turkish", "japanese", "east_african")

# Street-type and address-grammar words as these sources write them (not street names).
STREET_TYPE_WORDS = frozenset(
    """
    ulica aleja al utca tér út köz sor cesta pot trg ulice náměstí vej allé gade gatan stigen
    torget vägen jalan gang gg no setor campo fazenda corredor peatonal circunvalación
    interior edif depto chowk ganj nagar road village estates street avenue drive highway
    số đường hẻm phố ngõ soseaua bulevardul strada nr cad sok mah mahallesi caddesi sokak
    sk cd daire kat plot chome ku shi cho machi flat apt unit suite bulevardi katu tie kuja
    polku kaari rinne kuja kj kylä vei veien gata gaten stien haugen bakken torg avenida
    boulevard calle callejón calzada cerrada circle circuito close cove diagonal drumul eje
    extension floor intrarea jl ladeira largo loteamento lot marg plac pl homes building
    block bl jardim lago lagoa morro chácara estação andador aleea park path pasaje
    periférico place praça privada quadra residences retorno rodovia rua sc steza
    subdivision travessa trecho via viaduto vial viela villa tower phase núcleo námestie ul
    nd th st rd khu ap
    """.split()  # noqa: SIM905
)

# Place words for the composed shapes, written here (not taken from any detector).
JAPANESE_TOWNS = (
    "Nishiazabu", "Higashiikebukuro", "Kamimeguro", "Minamisenba", "Kitahama", "Sakuragaoka",
    "Tenjinbashi", "Nakanoshima", "Honkomagome", "Ebisuminami", "Kotobukicho", "Hakataekimae",
)  # fmt: skip
JAPANESE_WARDS = (
    "Minato", "Toshima", "Meguro", "Chuo", "Kita", "Shibuya", "Bunkyo", "Hakata", "Naka",
    "Sumiyoshi", "Nishi", "Aoba",
)  # fmt: skip
EAST_AFRICAN_TOWNS = ("Kampala", "Jinja", "Mbarara", "Kigali", "Arusha", "Mwanza", "Gulu")

# Sentences around a person that the set writes, and the phrase written just before the name.
# None of these phrases (nor its last word) is a cue of the detector; the test checks it.
PERSON_NOTES = (
    ("support note: ", " phoned re late fee", ""),
    ("escalation opened on behalf of ", "", "on behalf of"),
    ("", " wrote: please stop the renewal", ""),
    ("attn ", ", invoice 3 overdue", "attn"),
    ("courier left parcel c/o ", " at reception", "c/o"),
    ("refund approved per ", " (tier 2)", "per"),
    ("duplicate profile merged into ", "", "merged into"),
    ("kyc mismatch: passport says ", "", "passport says"),
)
ADDRESS_NOTES = (
    ("parcel undeliverable at ", "", "undeliverable at"),
    ("move-out recorded; new residence ", " confirmed", "new residence"),
    ("geocoder: no match on '", "'", "no match on"),
)
TITLES = ("Dr", "Dr.", "Ms.", "Mr", "Mrs.", "Prof.")

# Capitalised values that are not people or places: they must come back untouched.
HARD_NEGATIVES = (
    "Spring 2026", "Gate 5", "Place 2", "Offering 3", "Phase 4", "Sprint 14", "Building 7",
    "Tier 2", "Wave 3", "Cohort 9", "Season 2", "Level 4", "Stage 1", "Track 6", "Round 2",
    "Spring Boot", "Kafka Connect", "Family Bundle", "Pro Yearly", "Cloud Run",
)  # fmt: skip
