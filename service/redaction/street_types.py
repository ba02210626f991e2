"""Street-type words: the grammar of addresses in many languages, before or after a street's
name or fused into it (`Hauptstraße`). One home for them: the street patterns
(`recognizers.StreetAddressRecognizer`) are built from these alternations, each gated by its
literal words, and the pre-screen runs those patterns on a line only when it holds one of the
same words (or a word ending in a fused suffix)."""

from __future__ import annotations

import regex

from service.redaction.patterns import WordGate
from service.redaction.words import line_words

STREET_AFTER_NUMBER = (
    r"(?:Street|Avenue|Road|Lane|Boulevard|Drive|Way|Court|Place|Terrace|Close|Crescent|Square"
    r"|Parkway|Highway|Circle|Trail|Row|Mews|Gardens|Grove|Hill|Walk|Alley|Plaza|Marg|Nagar"
    r"|Salai|Path|Chowk|Quay|Wharf|Embankment|Esplanade|Promenade|Rise|Heights|Park|Green"
    r"|Parade|Vale|Meadows?|Yard|Circus|Ridge|Causeway|Arcade|Wynd|Loop|Broadway"
    r"|(?:St|Ave|Rd|Ln|Blvd|Dr|Ct|Pl|Sq|Pkwy|Hwy|Cir|Tce|Cres)\.?)"
)
# The rest of the United States Postal Service's street suffixes (Publication 28, appendix
# C1), and plurals of the types above, after a house number and a name (`527 Mayer Shore`,
# `1236 Davis Locks`). Each is an everyday word too (`3 Data Center`, `2 Cloud Run`, `5 Kafka
# Streams`, after `shipping` or `address` as often as anywhere): an address only before an
# apartment or suite (`Apt. 148`, `Suite 073`) or a town, state and ZIP code (`,
# Lindsaymouth, ND 16862`).
EVERYDAY_STREET_TYPES = (
    r"(?:Annex|Bayou|Beach|Bend|Bluffs?|Bottom|Branch|Bridge|Brooks?|Burgs?|Bypass|Camp|Canyon"
    r"|Cape|Centers?|Circles|Cliffs?|Club|Commons?|Corners?|Course|Courts|Coves?|Creek|Crest"
    r"|Crossing|Crossroads?|Curve|Dale|Dam|Divide|Drives|Estates?|Expressway|Extensions?"
    r"|Falls?|Ferry|Fields?|Flats?|Fords?|Forest|Forges?|Forks?|Fort|Freeway|Garden|Gateway"
    r"|Glens?|Greens|Groves|Harbors?|Haven|Hills|Hollow|Inlet|Islands?|Isle|Junctions?|Keys?"
    r"|Knolls?|Lakes?|Land|Landing|Lanes|Lights?|Loaf|Locks?|Lodge|Mall|Manors?|Mills?"
    r"|Mission|Motorway|Mount|Mountains?|Neck|Orchard|Oval|Overpass|Parks|Parkways|Pass"
    r"|Passage|Pike|Pines?|Plains?|Points?|Ports?|Prairie|Radial|Ramp|Ranch|Rapids?|Rest"
    r"|Ridges|River|Roads|Route|Run|Shoals?|Shores?|Skyway|Springs?|Spurs?|Squares|Station"
    r"|Stravenue|Stream|Streets|Summit|Terraces|Throughway|Trace|Track|Trafficway|Trailer"
    r"|Trails|Tunnel|Turnpike|Underpass|Unions?|Valleys?|Viaduct|Views?|Villages?|Ville|Vista"
    r"|Walks|Wall|Ways|Wells?)"
)
STREET_BEFORE_NAME = (
    r"(?:C/|Rue|Avenue|Boulevard|Bd|Chemin|Allée|Impasse|Place|Quai|Calle|Avenida|Av\.|Avda\.?|Paseo"
    r"|Plaza|Carrer|Camino|Rua|Travessa|Largo|Praça|Via|Viale|Piazza|Corso|Vicolo|Strada|Calea"
    r"|Jalan|Jl\.|Lorong|Soi|Thanon|Đường|Duong|Phố|Pho|ul\.|ulica|al\.|aleja|Odos|Leoforos"
    r"|Ulitsa|Prospekt|Sokak|Cadde|Caddesi|Mahallesi|Shari'?|Sharia|Tariq|Rehov|Derech|Jirón"
    r"|Jr\.|Lalana|Mtaa|Barabara|Khiyaban|Kucha|Calzada|Cerrada|Privada|Callejón|Andador"
    r"|Circuito|Retorno|Prolongación|Periférico|Diagonal|Pasaje|Alameda|Estrada|Rodovia|Viela"
    r"|Ladeira|Vila|Setor|Quadra|Conjunto|Gang|Gg\.|Jl|Strada|Str\.|Bulevardul|Bd\.|Aleea"
    r"|Intrarea|Drumul|Piața|Piata|Soseaua|Șoseaua|Splaiul|Ngõ|Hẻm|Số|Phường|plac|pl\.|os\."
    r"|osiedle|Cesta|Ulica|Ul\.|Trg|Obala|Put|Rambla|Glorieta|Pasadizo|Borgo|Contrada)"
)
# Street types before which Latin America writes the house number with a number sign
# (`Av. Corrientes N° 1234`, `Calle San Martín N.° 455`, `Camino 5 N° 3073`); not `Plaza`,
# `Via`, `Pasaje`, `Circuito` or `Conjunto`, which as often open a seat's, a flight's or a
# circuit's number (`Plaza vacante N° 3`, `Pasaje aéreo Vuelo N° 1234`).
STREET_BEFORE_A_NUMBER_SIGN = (
    r"(?:Calle|Avenida|Av\.|Avda\.?|Camino|Bv\.|Boulevard|Bulevar|Jirón|Jr\.|Calzada|Rua"
    r"|Travessa|Alameda)"
)
# French street types as French writes them, in lower case, after the house number (`5 rue
# de la Paix`, `12 avenue Foch`); the languages that write the number after the name (`via
# Roma 10`, `calle Mayor 5`) are not written so. `chemin` and `impasse` (a path, a deadlock)
# only before a particle: `1 chemin trouvé dans Git`, `1 impasse in Scheduler`.
STREET_BEFORE_NAME_IN_LOWER_CASE = r"(?:rue|avenue|boulevard|bd|allée|quai|chemin|impasse)"
# Addresses written wholly in capitals, as shipping labels and postal standards write them
# (`742 EVERGREEN TER`, `5 RUE DE LA PAIX`, `UL. KWIATOWA 12`). Fewer type words than in
# mixed case: capitals are also how logs write constants and SQL, where `ROW`, `PARK`, `PATH`,
# `LOOP`, `GREEN` or `VIA` are everyday words (`3 PRECEDING AND CURRENT ROW`).
STREET_AFTER_NUMBER_IN_CAPITALS = (
    r"(?:STREET|AVENUE|ROAD|LANE|BOULEVARD|DRIVE|WAY|COURT|PLACE|TERRACE|CLOSE|CRESCENT|SQUARE"
    r"|PARKWAY|HIGHWAY|CIRCLE|TRAIL|MEWS|GARDENS|GROVE|HILL|ALLEY|PLAZA|QUAY|ESPLANADE"
    r"|PROMENADE|PARADE|CAUSEWAY|(?:ST|AVE|RD|LN|BLVD|DR|CT|PL|SQ|PKWY|HWY|CIR|TER|TRL|TCE"
    r"|CRES)\.?)"
)
# Not `BD` (bedrooms in a listing: `3 BD RANCH`), `AV.` (an average), `AL.` (`ET AL.`),
# `CORSO` (an Italian course), nor Turkish types, which follow the name.
STREET_BEFORE_NUMBERED_NAME_IN_CAPITALS = r"(?:RUE|AVENUE|BOULEVARD|ALLÉE|ALLEE|QUAI|CHEMIN)"
STREET_BEFORE_NAME_IN_CAPITALS = (
    r"(?:CALLE|AVENIDA|AVDA\.?|CARRER|RUA|TRAVESSA|PRAÇA|PRACA|VIALE|PIAZZA|JALAN|GLORIETA"
    r"|JL\.|UL\.|ULICA|ALEJA|ULITSA|CALEA|STRADA|RUE|AVENUE|BOULEVARD)"
)
# Type words written after the street's name as a word of their own (`Karl Johans gate 22`,
# `Váci utca 10`, `Bole Road 9`): lower-case ones as those languages write them, English and
# Turkish ones capitalised, so that `Gate 5` or `Place 2` is not a street.
TYPE_WORD_AFTER_NAME = (
    r"(?:gate|pot|put|sor|(?i:gata|gatan|gade|vej|vegen|veien|vägen|straat|gracht|laan|weg"
    r"|utca|út|tér|ulica|iela|gatvė|tänav|cesta|ulice|náměstí|sokak|caddesi|cadde|ulitsa"
    r"|prospekt|pereulok|körút|köz|nábřeží|třída|námestie|trg|obala|cd\.|sk\.|cad\.|sok\."
    r"|mah\.|sokağ\u0131|bulvar\u0131|bulvari|blv\.|gamziri|poghots|dangyly|kucha|vegur|st\u00edgur|marg"
    r"|salai|chowk|nagar)|Street|Road|Avenue|Lane|Boulevard|Way|Quay|Drive|Square|Highway"
    r"|Parkway|Close|Crescent|Terrace|Estate)"
)
# Also fused into the name (`Hauptstraße 5`). Not Hungarian `sor` nor Slovene and Croatian
# `pot`, `put`: those are written apart (`Fő sor 3`, `TYPE_WORD_AFTER_NAME`), and fused they
# are the ends of English words (`Sensor 4`, `Output 2`, `Hotspot 5`).
STREET_AFTER_NAME = (
    r"(?:gate|gata|gatan|gade|vej|vegen|veien|vägen|tie|katu|kuja|straat|gracht|laan|weg|dijk"
    r"|plein|kade|straße|strasse|str\.|gasse|platz|allee|damm|ufer|utca|út|tér|ulica|iela"
    r"|gatvė|tänav|cesta|ulice|náměstí|sokak|sokağ\u0131|caddesi|cd\.|sk\.|ulitsa|prospekt"
    r"|pereulok|vegur|st\u00edgur|gamziri|poghots|dangyly|kucha|street|road|avenue|lane"
    r"|boulevard|way|quay|drive|place|square|highway|parkway|stræde|straede|allé|vænge|plads"
    r"|torv|gränd|stigen|torget|backen|leden|stien|bakken|plassen|polku|kaari|bulevardi"
    r"|raitti|rinne|tori|körút|köz|nábřeží|třída|námestie|trg|cesta|obala"
    r"|cad\.|sok\.|mah\.|bulvar\u0131|bulvari|close|crescent|terrace|estate|estates"
    r"|singel|dreef|steeg)"
)
# Fused types that end everyday German and Dutch nouns too (`Bahnhof 3`, `Kanzlei 3`,
# `Startbaan 2`): an address only with an address word before it or a town and postcode
# after it.
STREET_AFTER_NAME_WITH_CONTEXT = r"(?:hof|lei|baan)"


# Fused types no English word ends in: a street so named counts in lower case too
# (`ackermannstraße 38`, `kerkstraat 4`).
STREET_AFTER_NAME_IN_LOWER_CASE = r"(?:straße|strasse|gasse|straat|gracht|steeg|singel|dreef)"


# Grid addresses (Colombia and neighbours): the street's type and number, then `#` or `No.`
# and the cross street's number, a hyphen and the house's distance (`Calle 26 # 57-41`).
GRID_STREET = (
    r"(?:Calle|Cl\.|Carrera|Cra\.?|Cr\.|Kr\.?|Transversal|Tv\.|Diagonal|Dg\.|Avenida|Av\.?"
    r"|Ak\.?|Ac\.?)"
)


# Words that say an address follows within a few words: what lifts the street shapes that
# everyday words share (`_NEEDS_CONTEXT` in the street recogniser) to an address.
ADDRESS_WORDS = frozenset(
    ("address", "addr", "street", "line1", "adresse", "anschrift", "adres", "dirección",
     "direccion", "indirizzo", "endereço", "endereco", "domicile", "domicilio", "shipping",
     "ship", "delivery", "deliver", "livraison", "envío", "envio", "spedizione", "parcel",
     "geocode", "geocoder", "geocoding", "lives", "resides", "moved", "lieferadresse",
     "rechnungsadresse", "wohnadresse", "postadres", "afleveradres", "factuuradres")
)  # fmt: skip


def literal_words(alternation: str) -> frozenset[str]:
    """The words of an alternation of literal words (`(?:Street|Meadows?|(?:St|Rd)\\.?)`) as
    `line_words` reads an ASCII line: lower case, letters only, a last optional letter both
    ways."""
    text = regex.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), alternation)
    for syntax in ("(?i:", "(?:", "\\.?", "\\.", "(", ")"):
        text = text.replace(syntax, "")
    words: set[str] = set()
    for alternative in text.split("|"):
        optional_last = alternative.endswith("?")
        for variant in (alternative[:-2], alternative[:-1]) if optional_last else (alternative,):
            found = line_words(variant)
            if len(found) != 1 or regex.search(r"[\\\[\]*+?{}]", variant):
                raise ValueError(f"not a literal word: {variant!r}")
            words |= found
    return frozenset(words)


def any_word_of(alternation: str) -> WordGate:
    """A pattern that needs one of these words whole (set off by spaces or punctuation)."""
    words = literal_words(alternation)
    return lambda line: not words.isdisjoint(line)


def any_word_ending_in(alternation: str) -> WordGate:
    """A pattern that needs a word ending in one of these (`ackermannstraße`)."""
    suffixes = tuple(literal_words(alternation))
    return lambda line: any(word.endswith(suffixes) for word in line)


# Type words that are also common lower-case words of logs (`cache put 3 entries`, `prize
# pot 500`, Polish `os.` in every Apple user agent's `OS`): they do not wake the street
# patterns by themselves (a line holding another type word or a fused suffix still runs them).
TOO_COMMON_TO_TRIGGER = frozenset({"put", "pot", "sor", "os"})
# Whole type words: a line without any of them cannot hold a match of the patterns gated by
# them (save those too common to trigger them).
STREET_WORDS = (
    frozenset()
    .union(
        *map(
            literal_words,
            (
                STREET_AFTER_NUMBER,
                STREET_BEFORE_NAME,
                STREET_BEFORE_A_NUMBER_SIGN,
                TYPE_WORD_AFTER_NAME,
                GRID_STREET,
                STREET_AFTER_NUMBER_IN_CAPITALS,
                STREET_BEFORE_NAME_IN_CAPITALS,
            ),
        )
    )
    .difference(TOO_COMMON_TO_TRIGGER)
)
# Type words that are everyday words too: they wake the street patterns, but unlike
# `STREET_WORDS` they say nothing of an address's parts (`keyed_addresses`).
EVERYDAY_STREET_WORDS = literal_words(EVERYDAY_STREET_TYPES)
# Fused type words (`Storgatan`, `Hauptstraße`) that let the pattern for a name with a street
# suffix run: the common ones of `STREET_AFTER_NAME`, not all of them (`put`, `sor` and `way`
# end too many words of logs: `output`, `processor`, `gateway`).
STREET_SUFFIXES = (
    "gatan", "gade", "vegen", "veien", "vägen", "vegur", "tie", "katu", "kuja", "straat",
    "gracht", "laan", "weg", "dijk", "plein", "kade", "straße", "strasse", "str", "gasse",
    "platz", "allee", "damm", "ufer", "soka\u011f\u0131", "stígur", "stræde", "straede",
    "vænge", "plads", "torv", "gränd", "stigen", "torget", "backen", "leden", "stien", "bakken",
    "plassen", "polku", "kaari", "bulevardi", "raitti", "rinne", "bulvar\u0131", "vej", "gata",
    "allé", "singel", "dreef", "steeg", "baan", "hof", "lei",
)  # fmt: skip
