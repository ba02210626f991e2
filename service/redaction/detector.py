"""The PII detector: pattern recognisers and a spaCy NER model, run only where needed.

Every line goes through cheap pre-screen checks first (`prescreen.py`); a recogniser runs
only on lines its trigger fires on, and the NER model runs only on short windows around
capitalised word runs, all windows of a batch together through `nlp.pipe`.
"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from service.redaction.addresses import (
    extra_addresses,
    ring_or_path_streets,
    town_and_postcode_after,
    unmarked_streets,
    widen,
)
from service.redaction.allowlist import AllowList
from service.redaction.csv_rows import (
    MAX_SHORT_HEADER_LENGTH,
    CsvHeader,
    LineStream,
    name_cells_beside_an_email,
    read_header,
    row_fields,
)
from service.redaction.cued_names import PLACE_SLOTS, SOFTWARE_NAMES, CuedNames
from service.redaction.fields import ADDRESSED_NAME, LOGIN_IN_A_SYSTEM_LOG, Field, find_fields
from service.redaction.keyed_addresses import keyed_address_end
from service.redaction.keys import key_names_a_thing, key_parts, names_a_name_part
from service.redaction.lexicon import Lexicon
from service.redaction.models import Finding
from service.redaction.names import (
    INTERJECTIONS,
    LAST_COMMA_FIRST,
    LOG_VOCABULARY,
    NAME_PARTICLE,
    NOT_A_SURNAME,
    UPPER_LAST_COMMA_FIRST,
    WEAK_ROLE_WORDS,
    capitalised_word_before,
    continued_name_end,
    name_candidates,
    names_in_a_list,
    ner_window,
    second_given_name_end,
    titled_names,
    written_without_case,
)
from service.redaction.nlp import (
    NER_SCORE,
    Entity,
    LazyModel,
    NerModel,
    RedactionStartupError,
    build_ner_model,
)
from service.redaction.patterns import Recognizer, RecognizerResult
from service.redaction.phone import PhoneNumberRecognizer
from service.redaction.policy import RedactionPolicy
from service.redaction.prescreen import TRIGGERS
from service.redaction.recognizers import (
    CardNumberRecognizer,
    EmailSuffixRecognizer,
    IbanChecksumRecognizer,
    IpAddressRecognizer,
    LabelledBirthDateRecognizer,
    SsnRecognizer,
    StreetAddressRecognizer,
    warm_up,
)
from service.redaction.street_types import ADDRESS_WORDS
from service.redaction.values import (
    NOT_A_PERSON,
    a_part_of_a_place,
    after_a_thing_slot,
    name_shaped,
    names_a_group,
    names_a_place,
    names_a_thing,
    ner_form,
    plausible,
)
from service.redaction.words import line_words

__all__ = ["PresidioDetector", "RedactionStartupError", "build_ner_model", "resolve_overlaps"]

# One line for each recogniser: compiles every pattern at start-up.
_WARM_UP_LINES = (
    "card 4242 4242 4242 4242 iban DE89 3704 0044 0532 0130 00 ssn 123-45-6789",
    "mail a.b@example.com from 10.0.0.1 or ::1, call +44 20 7946 0958 or (415) 555-0134",
    "dob=1990-01-02 at 221B Baker Street",
    'msg="spoke with Zhang Wei about the refund"',
)
# Words of any script, so that no fragment of one counts (`téléphone` is no `phone`, and
# Vietnamese `tín` no `tin`); `#` continues a word (`ss#`).
_CONTEXT_WORDS = re.compile(r"[^\W\d_](?:[^\W\d_]|#)*")
_PERSON_NER_SCORE_WITH_CUE = 0.6
# The small model calls many personal names it has not seen (Hodan Warsame, Sokha Chhim)
# an organisation or a nationality. Right after a word that introduces a person ("spoke
# with", "mailed to") such a run is taken as a person; elsewhere ("wallet Apple Pay") not.
_NAME_LIKE_NER_LABELS = frozenset({"ORGANIZATION", "NRP"})
_PERSON_SCORE_FROM_NAME_LIKE_LABEL = 0.6
_FIELD_SCORE = 0.9
# The rest of a phone number written in groups after an unquoted value's first one.
_MORE_DIGIT_GROUPS = re.compile(r"(?: \d{2,4}(?!\d))+(?![.,]\d|[^\W\d])")
_ADDRESS_SHAPE_SCORE = 0.6
_TITLED_NAME_SCORE = 0.85
# A quoted or decoded value with no key that speaks for it, which NER calls a person.
_PERSON_SCORE_FOR_VALUE = 0.8
_MAX_VALUE_WORDS = 4
# Below the PERSON threshold: a phrase of ordinary English words the model calls a person, with
# no cue.
_PERSON_SCORE_ORDINARY_WORDS = 0.4
# A run NER did not call a person, which opens a clause and is followed by a verb in the past.
_PERSON_SCORE_ACTING = 0.6
# What makes a headerless row one about a person, so that capitals in it may be a name.
_A_PERSONS_DATA = frozenset(
    ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "LOCATION", "PERSON")
)
# Bounds the NER work a row of many capital cells can ask for.
_MAX_CAPITAL_CELL_NAMES = 8
_TWO_CAPITALS = re.compile(r"[A-Z]{2}, [A-Z]{2}|[^\x00-\x7f]")
# A name of two or three words listed after or before another: a comma, slash, plus, `&` or
# `and` between them. One word alone is as often a product or a company (`Jane Smith,
# Chargebee`, `Twilio, Vonage and Sinch`).
_LISTED_NAME = r"\p{Lu}\p{Ll}[\p{L}\p{M}'\u2019-]*(?:[ \t]+\p{Lu}\p{Ll}[\p{L}\p{M}'\u2019-]*){1,2}"
_LIST_JOIN = r"(?:[ \t]*[,/+&][ \t]*|[ \t]+and[ \t]+)"
# Cheap first looks at the few characters beside a name: most names are listed with none.
_JOIN_AFTER = re.compile(r"[ \t]*[,/+&]|[ \t]+and[ \t]")
_JOIN_BEFORE = re.compile(r"(?:[,/+&]|[ \t]and)[ \t]*\Z")
_LISTED_AFTER = regex.compile(rf"{_LIST_JOIN}({_LISTED_NAME})(?![\w'\u2019-])")
_LISTED_BEFORE = regex.compile(rf"(?<![\w'\u2019-])({_LISTED_NAME}){_LIST_JOIN}\Z")
# A field set off by a dash or a bar with blanks around it, or the line's start or end.
_FIELD_OPENS = re.compile(r"(?:^|[ \t][-\u2013\u2014|][ \t])\Z")
_FIELD_CLOSES = re.compile(r"[ \t]*$|[ \t][-\u2013\u2014|][ \t]")
_NEXT_WORD = re.compile(r"[ \t]+([a-z]+)\b")
# Bounds on NER work per line, so that a hostile line of capitalised words costs little:
# windows are cut at this length, and runs beyond the last window are redacted unseen
# (a run the model never saw is treated as a name: fail closed).
_MAX_WINDOW_CHARS = 320
_MAX_WINDOWS_PER_LINE = 32
# Only lines with one of these characters can hold a keyed value.
_STRUCTURE_CHARS = frozenset("=:'\"@<-|\u2013\u2014")
_CSV_SEPARATORS = (";", ",", "\t", "|")


def _may_hold_fields(text: str) -> bool:
    """A key, a label or a quote (`=`, `:`, `-`…), or a label set off by `is`/`was` with a
    digit to follow (`customer dob is 03/14/1979`)."""
    if not _STRUCTURE_CHARS.isdisjoint(text):
        return True
    return (" is " in text or " was " in text) and any(char.isdigit() for char in text)


class _Spans:
    """Spans asked whether one of them is, or covers, a given span: in logarithmic time, as a
    line may hold thousands of values (`{"plan":{"name":"Ab Cd"}}, ` repeated took time
    quadratic in their number when every candidate scanned every span)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._exact = set(ordered)
        self._starts = [start for start, _ in ordered]
        self._reach = list(itertools.accumulate((end for _, end in ordered), max))

    def holds_exactly(self, start: int, end: int) -> bool:
        return (start, end) in self._exact

    def cover(self, start: int, end: int) -> bool:
        """Whether a span starting at or before ``start`` reaches ``end``."""
        index = bisect.bisect_right(self._starts, start) - 1
        return index >= 0 and self._reach[index] >= end


@dataclass
class _NerWindow:
    """Text for the NER model: a window of the line, or (`snippet`) a value as NER reads it,
    in which case a person anywhere in it makes the whole of [start, end) a person."""

    line: int
    start: int
    end: int
    runs: list[tuple[int, int]]
    slot_runs: list[tuple[int, int]]
    snippet: str | None = None
    # A second reading of the same words (`Melissa Baum` for `Baum Melissa`) that NER must
    # also call a person, or (`either`) may call one instead.
    also: str | None = None
    either: bool = False


class PresidioDetector:
    """Finds personal data in log lines; implements `PIIDetector`."""

    def __init__(self, policy: RedactionPolicy, *, preload: bool = True) -> None:
        """`preload`: load the NER model in the background and build the lazily built tables
        now (a server, before traffic), rather than when a line first needs them
        (`strongroom redact`, whose lines may never need them)."""
        self.policy = policy
        self.entities = policy.enabled_entities()
        self._model = LazyModel(policy.nlp.model)
        if preload and "PERSON" in self.entities:
            self._model.preload()
        recognizers: list[Recognizer] = [
            CardNumberRecognizer(),
            IbanChecksumRecognizer(),
            EmailSuffixRecognizer(),
            SsnRecognizer(),
            IpAddressRecognizer(),
            LabelledBirthDateRecognizer(),
            StreetAddressRecognizer(),
            PhoneNumberRecognizer(policy.phone_regions),
        ]
        self.recognizers = [
            (recognizer, TRIGGERS[recognizer.name], frozenset(recognizer.context or ()))
            for recognizer in recognizers
            if set(recognizer.supported_entities) & self.entities
        ]
        self.lexicon = Lexicon(policy.nlp.model)
        # A run of ordinary words with no cue is scored below the threshold whatever NER
        # says of it, so it is not sent to NER at all.
        self._ordinary_runs_dropped = policy.threshold_for("PERSON") > _PERSON_SCORE_ORDINARY_WORDS
        self.allow_list = AllowList(policy.allow_list)
        self.explicit_keys = {
            key: entity for entity, keys in policy.field_keys.items() for key in keys
        }
        self.free_text_keys = frozenset(policy.free_text_keys)
        self.person_cues = frozenset(policy.person_cues)
        self.cued_names = CuedNames(self.person_cues, self.lexicon, policy.name_slot_words)
        self.name_slot_words = frozenset(policy.name_slot_words) | self.person_cues
        # Cues that name a role, which may also follow the name they are about.
        self.role_words = self.person_cues - {
            "by", "signed", "dear", "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "named", "name"
        }  # fmt: skip
        self._nlp_lock = threading.Lock()
        if preload:
            warm_up(policy.phone_regions)
            for line in _WARM_UP_LINES:
                self._pattern_findings(line, line_words(line))

    @property
    def ner_model(self) -> NerModel:
        """The NER model; waits for it the first time, while it loads in the background."""
        return self._model.get()

    def detect_many(
        self, texts: Sequence[str], stream: LineStream | None = None
    ) -> list[list[Finding]]:
        found: list[list[Finding]] = []
        # Values under a key that names them (`dob=1990-01-02T00:00:00Z`) are personal even
        # when they look like something the allow-list protects; they skip that check.
        keyed: list[list[Finding]] = []
        windows: list[_NerWindow] = []
        header = stream.csv_header if stream is not None else None
        for index, text in enumerate(texts):
            new_header = (
                read_header(text, self.explicit_keys)
                if any(
                    text.count(separator) >= 2
                    or (separator in text and len(text) <= MAX_SHORT_HEADER_LENGTH)
                    for separator in _CSV_SEPARATORS
                )
                else None
            )
            # A header line is no row of the header before it.
            fields = self._fields(text, None if new_header is not None else header)
            if new_header is None and header is not None and header.short:
                header = header if row_fields(text, header) else None
            header = new_header or header
            words = line_words(text)
            line_findings = self._pattern_findings(text, words)
            by_key, value_windows = self._field_findings(index, text, fields, line_findings)
            keyed.append(by_key)
            found.append(line_findings)
            if "PERSON" in self.entities:
                line_findings.extend(
                    Finding("PERSON", start, end, _TITLED_NAME_SCORE)
                    for start, end in titled_names(text, self.cued_names.software)
                )
                line_findings.extend(
                    Finding("PERSON", start, end, _TITLED_NAME_SCORE)
                    for start, end in self.cued_names.spans(text, words)
                )
                line_findings.extend(
                    self._last_comma_first(index, text, line_findings + by_key, value_windows)
                )
                # Cells NER is to judge still go through the line's windows too: unlike a
                # value's snippet, a cell's does not stand for the text around it.
                cell_windows: list[_NerWindow] = []
                line_findings.extend(
                    self._capital_cells(index, text, line_findings + by_key, cell_windows)
                )
                line_windows, cued = self._ner_windows(
                    index, text, fields, line_findings + by_key, value_windows
                )
                windows.extend(value_windows)
                windows.extend(cell_windows)
                windows.extend(line_windows)
                line_findings.extend(cued)
        if stream is not None:
            stream.csv_header = header
        if windows:
            self._run_ner(texts, windows, found)
        return [
            self._finalise(text, findings, by_key)
            for text, findings, by_key in zip(texts, found, keyed, strict=True)
        ]

    def _fields(self, text: str, header: CsvHeader | None) -> list[Field]:
        fields = find_fields(text, self.explicit_keys) if _may_hold_fields(text) else []
        row = row_fields(text, header) if header is not None else []
        fields.extend(row)
        if not row and "@" in text:
            for start, end in name_cells_beside_an_email(text):
                cell = text[start:end].replace(",", " ")  # `Costa, Ana` is judged word by word
                if "," in text[start:end] and self._known_words_only(cell):
                    continue  # `"Paris, France"`, `"New York, NY"`: no name needs the comma
                if not self._ordinary_phrase(cell) and not names_a_thing(cell):
                    fields.append(Field("name", start, end, True, "PERSON"))
        return fields

    def _pattern_findings(self, text: str, words: frozenset[str]) -> list[Finding]:
        findings: list[Finding] = []
        for recognizer, trigger, context in self.recognizers:
            if not trigger(text, words):
                continue
            for result in recognizer.analyze(text, words):
                score = result.score
                threshold = self.policy.threshold_for(result.entity_type)
                if score < threshold and (
                    (context and self._has_context(text, result, context))
                    or (
                        result.entity_type == "LOCATION"
                        and town_and_postcode_after(text, result.end)
                    )
                ):
                    score = min(1.0, score + self.policy.context.boost)
                findings.append(Finding(result.entity_type, result.start, result.end, score))
        if "LOCATION" in self.entities:
            findings.extend(
                Finding("LOCATION", start, end, _ADDRESS_SHAPE_SCORE)
                for start, end in extra_addresses(text)
            )
            findings.extend(
                Finding("LOCATION", start, end, _ADDRESS_SHAPE_SCORE)
                for start, end, name, marked in unmarked_streets(text)
                if marked or self._foreign_name(name)
            )
            findings.extend(
                Finding("LOCATION", start, end, _ADDRESS_SHAPE_SCORE)
                for start, end, word, stem in ring_or_path_streets(text)
                if self._no_english_compound(word, stem)
                and (
                    town_and_postcode_after(text, end)
                    or self._has_context(
                        text, RecognizerResult("LOCATION", start, end, 0.0), ADDRESS_WORDS
                    )
                )
            )
            findings = [
                Finding(f.entity, *widen(text, f.start, f.end), f.score)
                if f.entity == "LOCATION"
                else f
                for f in findings
            ]
        return findings

    def _has_context(self, text: str, result: RecognizerResult, context: frozenset[str]) -> bool:
        """Whole-word match of a context word among the few words before the value."""
        window = self.policy.context.window_words
        if not window:
            return False
        before = text[max(0, result.start - 80) : result.start].lower()
        if not before.isascii():
            before = unicodedata.normalize("NFC", before)  # `tél` with a combining accent
        return any(word in context for word in _CONTEXT_WORDS.findall(before)[-window:])

    def _field_findings(
        self, index: int, text: str, fields: list[Field], found: list[Finding]
    ) -> tuple[list[Finding], list[_NerWindow]]:
        """Whole values of keys that name an entity, and NER snippets for values whose key
        does not say what they hold (quoted or percent-encoded values shaped like names).

        A quoted value is the entity as a whole. An unquoted one ends at the first space
        (`dob=March 5, 1990`), so there the key only speaks where the recognisers are silent.
        A percent-encoded value is decoded first and redacted whole if anything is found in it.
        """
        findings: list[Finding] = []
        snippets: list[_NerWindow] = []
        for field in fields:
            raw = text[field.start : field.end]
            value = field.decoded if field.decoded is not None else raw
            entity = field.entity
            if field.decoded is not None:
                inner = self._pattern_findings(value, line_words(value))
                if inner:
                    best = max(inner, key=lambda f: f.score)
                    findings.append(Finding(best.entity, field.start, field.end, best.score))
                    continue
            if entity is None or entity not in self.entities:
                end = field.end
                if not field.quoted and field.decoded is None and raw[:1].isupper():
                    end = continued_name_end(text, end)  # `recipient=Anica Peterlik`
                    value = text[field.start : end]
                if entity is None and self._worth_a_person_snippet(field, value):
                    if self._vouched_by_its_cue(field.key, value):
                        findings.append(
                            Finding("PERSON", field.start, end, _PERSON_NER_SCORE_WITH_CUE)
                        )
                    else:
                        self._judge_name(index, field.start, end, value, findings, snippets)
                continue
            # An unquoted address the recognisers or the key found is taken over its
            # comma-separated parts (`address: House 14, Road 27, Block C, Banani, Dhaka 1213`).
            whole_address = (
                keyed_address_end(text, field.start)
                if entity == "LOCATION" and not field.quoted and field.decoded is None
                else None
            )
            overlapping = [f for f in found if f.start < field.end and field.start < f.end]
            if not field.quoted and overlapping and not self._only_below(entity, overlapping):
                if whole_address is not None:
                    findings.append(Finding(entity, field.start, whole_address, _FIELD_SCORE))
                else:
                    findings.extend(self._confirmed_by_the_key(entity, field, overlapping))
                continue
            end = field.end
            if not field.quoted and entity in ("PERSON", "LOCATION"):
                end = continued_name_end(text, end, lower=raw.islower(), upper=raw.isupper())
                value = text[field.start : end]
            elif not field.quoted and entity == "PHONE_NUMBER":
                groups = _MORE_DIGIT_GROUPS.match(text, end)  # `movil_contacto=612 345 678`
                end = groups.end() if groups is not None else end
                value = text[field.start : end]
            single_word_ok = field.quoted or (entity == "PERSON" and names_a_name_part(field.key))
            if not plausible(entity, value, single_word_ok=single_word_ok):
                if entity == "PERSON" and self._login_of_a_name(value, _says_name(field.key)):
                    findings.append(Finding(entity, field.start, end, _FIELD_SCORE))
                continue
            if entity == "PERSON" and field.key == "name" and self._object_slug(value):
                continue
            if entity == "PERSON" and a_part_of_a_place(field.key, value):
                continue  # `store_name: "Utrecht Centraal"`
            if field.key == ADDRESSED_NAME and not self._a_name_by_its_words(value):
                continue  # `"Weekly Digest" <weekly.digest@…>`: left to NER in the line
            if entity == "PERSON" and (
                _a_system_account(value)
                or (field.key == LOGIN_IN_A_SYSTEM_LOG and self._a_service_login(value))
            ):
                continue  # `user_name=root`, `… - deploy [05/Dec/2026:…`
            if entity == "PERSON" and names_a_group(value):
                continue  # `owner: Revenue Ops`, `author: Release Bot`
            findings.append(
                Finding(entity, field.start, max(end, whole_address or 0), _FIELD_SCORE)
            )
        return findings, snippets

    def _vouched_by_its_cue(self, key: str, value: str) -> bool:
        """A value right after a person cue with a word that is no English word nor
        software's (`user "Florian Prager" not authorized`), as a run after a cue in free
        text is: no NER. Values of English words are left to NER: a held-back review found
        teams, tools and roles after cues (`by "Automated Backup"`, `user "Power Users"`,
        `user "Quality Assurance"`), whose words WordNet lists as nouns, as names' are."""
        if key not in self.person_cues or key in WEAK_ROLE_WORDS or value.islower():
            return False
        return self._a_name_by_its_words(value)

    def _a_name_by_its_words(self, value: str) -> bool:
        """Neither a thing nor a group, no software's name, and a word that is no English
        word: where the structure around a value says a person, what its words must add."""
        if names_a_thing(value) or names_a_group(value):
            return False
        words = [word.strip(".,").lower() for word in value.split()]
        return not any(word in SOFTWARE_NAMES for word in words) and any(
            len(word) >= 3 and not self.lexicon.knows(word) for word in words
        )

    def _only_below(self, entity: str, overlapping: list[Finding]) -> bool:
        """Whether the findings over an unquoted value are all below their thresholds and of
        other entities than the key's (`telefonoCliente=612345678`, a weak SSN's shape), so
        the key speaks as where the recognisers are silent."""
        return all(
            f.entity != entity and f.score < self.policy.threshold_for(f.entity)
            for f in overlapping
        )

    def _confirmed_by_the_key(
        self, entity: str, field: Field, overlapping: list[Finding]
    ) -> list[Finding]:
        """A recogniser's finding of the entity a key names that is the key's whole value,
        left below the threshold because its context word is fused into the key
        (`telefono_cliente=0612345678`): the key is that context. Nothing when a finding
        already stands on its own, or when the value holds more than the finding
        (`telefono: 45123987 chiamate totali`, which the recogniser judged a count)."""
        if any(f.score >= self.policy.threshold_for(f.entity) for f in overlapping):
            return []
        return [
            Finding(entity, f.start, f.end, _FIELD_SCORE)
            for f in overlapping
            if f.entity == entity and f.start <= field.start and f.end >= field.end
        ]

    def _a_service_login(self, login: str) -> bool:
        """A login that sudo, cron, PAM, sshd or an access log shows for a service, not a
        person: software (`jenkins`, `postgres`), an English word (`deploy`, `backup`), or a
        joined or numbered name that is no person's (`www-data`, `svc_backup`, `app1`)."""
        login = login.strip()
        if login in SOFTWARE_NAMES or self.lexicon.ordinary(login):
            return True
        if any(char in login for char in "-_.") or any(char.isdigit() for char in login):
            return not self._login_of_a_name(login, True)
        return False

    def _object_slug(self, value: str) -> bool:
        """A bare `name` holding an object's slug, as Kubernetes and API objects do
        (`stripe-keys`, `billing-worker-2`): lower case, joined by hyphens, with a digit or
        only ordinary English words. `jane-doe` stays a name (`doe` is only a noun)."""
        parts = value.split("-")
        if len(parts) < 2 or not all(part.isalnum() and part.islower() for part in parts):
            return False
        if any(char.isdigit() for char in value):
            return True
        lexicon = self.lexicon
        return lexicon.available and all(
            part in LOG_VOCABULARY or lexicon.ordinary(part) for part in parts
        )

    def _login_of_a_name(self, value: str, key_says_name: bool) -> bool:
        """A login made of a name: `dmitri_volkov`, `john.smith` under a key that asks for a
        name, and under any person's key when written in capitals (`Kwame_Mensah`,
        `KWAME_MENSAH`: a reference would not be) or in a script without case; not
        `test_user`, `svc.billing`, `ops-bot`, `Billing_Team` (a part that is an ordinary
        English or log word)."""
        value = value.strip()
        parts = _LOGIN_SEPARATOR.split(value)
        if 2 <= len(parts) <= 4 and all(map(written_without_case, parts)):
            return True  # `display_name=أحمد_منصور`: no script without case writes code
        if value.islower():
            if not key_says_name and not (
                "." in value and self.lexicon.none_known(parts)
            ):  # `oncall=nakamura.haruto`: no English at all, under any person's key
                return False
        elif value.isupper() or all(part[:1].isupper() and part[1:].islower() for part in parts):
            if len(parts) < 2 or (value.isupper() and any(len(part) < 4 for part in parts)):
                return False  # `AWS_IAM`: acronyms
            parts = [part.lower() for part in parts]
        else:
            return False
        if not 2 <= len(parts) <= 3 or not all(len(part) >= 2 and part.isalpha() for part in parts):
            return False
        lexicon = self.lexicon
        return lexicon.available and not any(
            part in LOG_VOCABULARY or part in NOT_A_PERSON or lexicon.ordinary(part)
            for part in parts
        )

    def _judge_name(
        self,
        index: int,
        start: int,
        end: int,
        value: str,
        findings: list[Finding],
        snippets: list[_NerWindow],
    ) -> None:
        """A person if no word is English, or three or more words most of which are not
        (`'Ngo Thi Huong'`: `ngo` is an English word); otherwise a snippet for the NER model
        to decide."""
        form = ner_form(value)
        words = form.split()
        if self._unlike_english(words) or (len(words) >= 3 and self._foreign_name(form)):
            findings.append(Finding("PERSON", start, end, _PERSON_SCORE_FOR_VALUE))
        else:
            snippets.append(_NerWindow(index, start, end, [], [], form))

    def _last_comma_first(
        self, index: int, text: str, taken: list[Finding], snippets: list[_NerWindow]
    ) -> list[Finding]:
        """`Yamada, Taro` in free text, judged in the order NER reads best."""
        findings: list[Finding] = []
        if ", " not in text:
            return findings
        matches = list(LAST_COMMA_FIRST.finditer(text))
        if _TWO_CAPITALS.search(text):
            matches += filter(_upper_name_pair, UPPER_LAST_COMMA_FIRST.finditer(text))
        spans: list[tuple[int, int]] = []
        for match in sorted(matches, key=lambda match: match.start()):
            start, end = match.span()
            if any(f.start < end and start < f.end for f in taken):
                continue
            surname, given = match.group().split(",", 1)
            if surname.lower() in NOT_A_SURNAME:
                continue
            if surname.lower() in INTERJECTIONS:
                if self.cued_names.a_given_name(given.strip().lower()):
                    end = continued_name_end(text, match.end(2))  # `Hmm, Elena Bodoni called`
                    findings.append(Finding("PERSON", match.start(2), end, _PERSON_SCORE_FOR_VALUE))
                continue
            if given.strip().lower() in SOFTWARE_NAMES:
                continue  # `Jenkins, Kibana`; a surname may be one (`Jenkins, Mary`)
            if names_a_thing(given) and capitalised_word_before(text, start):
                continue  # `Mwajuma Said, Pro Annual`: a name, then the next field
            listed = names_in_a_list(text, start, end)
            if listed is not None and self._a_list_of_names(text[slice(*listed)]):
                start, end = listed
            elif listed is not None:
                # Two runs of words listed (`Joy Park, Dawn Price`, `New York, San Francisco`):
                # the words around the comma are what is judged, as before, but the span a
                # person found there stands for is the whole list, or the rest of two names
                # would stay readable.
                judged = text[start:end]
                self._judge_name(index, *listed, judged, findings, snippets)
                continue
            elif capitalised_word_before(text, start):
                continue  # `Mexico City, Buenos Aires, Bogotá and Lima`: a list, not `Aires, B.`
            else:
                end = second_given_name_end(text, end)  # `Nguyen, Thi Hoa`
            if spans and start < spans[-1][1]:  # the next name of the same list
                previous_start, previous_end = spans.pop()
                start, end = previous_start, max(previous_end, end)
            spans.append((start, end))
        for start, end in spans:
            self._judge_name(index, start, end, text[start:end], findings, snippets)
        return findings

    def _capital_cells(
        self, index: int, text: str, taken: list[Finding], snippets: list[_NerWindow]
    ) -> list[Finding]:
        """Names in capitals filling the cells of a headerless row. After a title's cell
        they are a name. Otherwise only in a row that holds a person's data already (an
        e-mail, a phone, a card, an account, an address, a name): capitals that are no
        English word fill rows of other things as often (`RECHNUNG,BEZAHLT`, `HUAWEI,ROUTER`,
        `JUVENTUS,TORINO`). There NER decides on the words in title case, across two cells
        read both ways: a person in either reading when two words are no English word (NER
        reads few such names right in one order: `Ayala Carmen`), in both when one only is
        (`Miele Washer` reads as a person, `Washer Miele` does not)."""
        findings: list[Finding] = []
        candidates = list(self.cued_names.names_in_capital_cells(text))
        if not candidates:
            return findings
        personal_row = any(finding.entity in _A_PERSONS_DATA for finding in taken)
        for cell in candidates[:_MAX_CAPITAL_CELL_NAMES]:
            start, end = cell.start, cell.end
            if any(f.start < end and start < f.end for f in taken):
                continue
            if cell.titled:
                findings.append(Finding("PERSON", start, end, _PERSON_SCORE_FOR_VALUE))
            elif personal_row:
                cells = cell.cells
                written = ner_form(" ".join(cells))
                swapped = ner_form(f"{cells[1]} {cells[0]}") if len(cells) == 2 else None
                either = cell.unknown >= 2
                snippets.append(_NerWindow(index, start, end, [], [], written, swapped, either))
        return findings

    def _english_words_only(self, run: str) -> bool:
        """One to three words, every one an English word: `Victory Lap`, not `Maria Gonzalez`
        nor `Ocean Blue Chen Wei` (a product, then a name WordNet happens to list)."""
        words = run.split()
        lexicon = self.lexicon
        return len(words) <= 3 and lexicon.available and all(map(lexicon.knows, words))

    def _known_words_only(self, run: str) -> bool:
        """Particles and codes in capitals (`NY`) aside, English words only: `Paris France`."""
        words = [w for w in run.split() if not (w.isupper() or NAME_PARTICLE.fullmatch(w))]
        return self._english_words_only(" ".join(words))

    def _ordinary_phrase(self, run: str) -> bool:
        """English words none of which is only ever a noun, or a word for a thing: `Cloud
        Run`, `Gift Card`, `Pro Yearly`; a tool's name counts as the first word, where a
        product's component follows it (`Jenkins Build`, `Kafka Connect`), not as the last,
        where it is a surname (`Mark Jenkins`, `Will Kafka`). Names that are English words
        are nouns only (`David Walker`, `John Smith`: WordNet lists them as people), so they
        stay persons."""
        words = [word.lower() for word in run.split() if len(word) >= 3]
        lexicon = self.lexicon
        return (
            bool(words)
            and lexicon.available
            and all(
                word in NOT_A_PERSON
                or (position == 0 and word in SOFTWARE_NAMES)
                or lexicon.ordinary(word)
                for position, word in enumerate(words)
            )
        )

    def _acting_name(self, text: str, start: int, end: int) -> bool:
        """Two or three capitalised words that open a clause and do something, none of them
        an ordinary English word (only nouns, or no English at all): `Tiffany Johnson signed
        up`, `…, Dustin Reyes notified`. The small model misses such names in short lines."""
        words = text[start:end].split()
        if not 2 <= len(words) <= 3:
            return False
        before = text[:start].rstrip()
        if before and before[-1].isalpha() and not before.rsplit(None, 1)[-1].isupper():
            return False  # inside a sentence (`opened by …` is NER's or a cue's to judge)
        verb = _NEXT_WORD.match(text, end)
        if verb is None or not (
            verb.group(1).endswith("ed") and self.cued_names.verb_form(verb.group(1))
        ):
            return False
        lexicon = self.lexicon
        lowered = [word.lower().strip(".") for word in words]
        return lexicon.available and not any(
            word in NOT_A_PERSON or lexicon.ordinary(word) for word in lowered
        )

    def _no_english_compound(self, word: str, stem: str) -> bool:
        """`Johannesring`, `Adenauerring`, `Bloemenpad`: neither the word nor its stem is English
        (`Keypad`, `Launchpad`), no -string or -spring (`Docstring`), and a word in -ring no
        English verb's -ing form: `-ering`, `-iring`, `-uring` (`Gathering`, `Configuring`), nor
        a verb known before `ing`, with an `e` or with one `r` less (`Declaring`,
        `Recurring`)."""
        lexicon = self.lexicon
        if not lexicon.available:
            return False
        word, stem = word.lower(), stem.lower().rstrip("-")
        if lexicon.knows(word) or lexicon.knows(stem) or word in LOG_VOCABULARY:
            return False
        if not word.endswith("ring"):
            return True
        if word.endswith(("string", "spring", "ering", "iring", "uring")):
            return False
        verb = word[:-3]
        return not any(map(lexicon.knows, (verb, verb + "e", verb[:-1])))

    def _foreign_name(self, name: str) -> bool:
        """No word of log vocabulary, and more words of three letters or more that are no
        English words than that are: `Nguyen Trai`, `Tran Hung Dao`, not `Failed Jobs` nor
        `Jenkins Pipeline`."""
        words = name.split()
        if any(word.lower() in LOG_VOCABULARY for word in words):
            return False
        lexicon = self.lexicon
        known = [lexicon.knows(word) for word in words if len(word) >= 3]
        return lexicon.available and known.count(False) > known.count(True)

    def _a_list_of_names(self, run: str) -> bool:
        """No log word, and every comma-separated name of the run holds a word of three
        letters or more that is no English word: `Aoife Byrne, Cillian Doyle`, not `Jenkins
        Pipeline, Stage Deploy`."""
        names = [name.split() for name in run.split(",")]
        if any(word.lower().strip(".") in LOG_VOCABULARY for name in names for word in name):
            return False
        lexicon = self.lexicon
        return lexicon.available and all(
            any(len(word) >= 3 and not lexicon.knows(word) for word in name) for name in names
        )

    def _a_bracketed_name(self, text: str, start: int, end: int) -> bool:
        """Two or three capitalised words that fill a bracket or a field set off by dashes
        or bars, one of them no English word and none an ordinary, log or group word:
        `mailbox full (Anouk Dekker)`, `refund approved — Ana Lima — order 1234`, where the
        model misses a name whose surname is a noun; not `(Apple Pay)`, `(Kafka Streams)`."""
        bracketed = start > 0 and end < len(text) and text[start - 1] + text[end] in ("()", "[]")
        if not bracketed and not (
            _FIELD_OPENS.search(text, max(0, start - 3), start) is not None
            and _FIELD_CLOSES.match(text, end) is not None
        ):
            return False
        return self._name_with_a_noun(text[start:end])

    def _name_with_a_noun(self, run: str) -> bool:
        """Two or three words, one of them no English word and the others nouns only, none a
        log, thing, group or place word: `Anouk Dekker`, `Hinemoa Walker`; not `Apple Pay`,
        `Kafka Streams`, `Jordan Valley`."""
        if names_a_place(run) or names_a_thing(run):
            return False  # `| Okonkwo Holdings |`
        words = [word.lower().strip(".") for word in run.split()]
        lexicon = self.lexicon
        if not 2 <= len(words) <= 3 or not lexicon.available:
            return False
        if any(
            word in LOG_VOCABULARY or word in NOT_A_PERSON or lexicon.ordinary(word)
            for word in words
        ) or names_a_group(run):
            return False
        return not all(lexicon.knows(word) for word in words)

    def _after_an_opening_word(self, text: str, start: int, end: int) -> int | None:
        """Where the name starts in a run opened by an ordinary English word (a sentence's
        capitalised first word) followed by two or three words that are no English words:
        `Call Zanele Mokoena`, `Ask Thandiwe Ndlovu`."""
        words = text[start:end].split()
        if not 3 <= len(words) <= 4 or not self.lexicon.available:
            return None
        first = words[0].lower()
        if first in LOG_VOCABULARY or not self.lexicon.ordinary(first):
            return None
        if not self._unlike_english(words[1:]) or any(
            word.lower().strip(".,") in LOG_VOCABULARY for word in words[1:]
        ):
            return None
        following = _NEXT_TOKEN.match(text, end)
        if following is not None and following.group(1).lower() not in _AFTER_A_PERSON:
            return None  # `Migrate Postgres Citus shards`: a thing's name before its noun
        return text.index(words[1], start + len(words[0]))

    def _unlike_english(self, words: list[str]) -> bool:
        """Two or more words of three letters or more, none of them English: a name."""
        long_words = [word for word in words if len(word.strip(".,")) >= 3]
        return len(long_words) >= 2 and self.lexicon.none_known(long_words)

    def _worth_a_person_snippet(self, field: Field, value: str) -> bool:
        """A quoted or decoded value of two to four words shaped like a name, outside the
        free-text fields (whose names NER finds in their sentence)."""
        if "PERSON" not in self.entities or field.key in self.free_text_keys:
            return False
        if a_part_of_a_place(field.key, value):
            return False
        if not (2 <= len(value.split()) <= _MAX_VALUE_WORDS and name_shaped(value)):
            return False
        return not value.islower() or self.cued_names.lower_case_value_of_a_name(value)

    def _name_scopes(self, length: int, fields: list[Field]) -> list[tuple[int, int]]:
        """Where to look for names: the whole line, or, when it has free-text values, each
        of them and each stretch outside every value (`reason: 'Created' refund approved by
        X`; an unquoted `msg=refund approved by X`, whose value ends at its first space).
        Within one piece, NER reads a message as its own sentence; the other values are
        judged by their keys."""
        if not any(field.key in self.free_text_keys for field in fields):
            return [(0, length)]
        scopes: list[tuple[int, int]] = []
        position = 0
        for field in sorted(fields, key=lambda field: field.start):
            if field.start < position:
                continue
            if position < field.start:
                scopes.append((position, field.start))
            if field.key in self.free_text_keys:
                scopes.append((field.start, field.end))
            position = field.end
        if position < length:
            scopes.append((position, length))
        return scopes

    def _ner_windows(
        self,
        index: int,
        text: str,
        fields: list[Field],
        taken: list[Finding],
        value_windows: list[_NerWindow],
    ) -> tuple[list[_NerWindow], list[Finding]]:
        """Windows of text for the NER model, and the runs a cue vouches for (no NER needed).

        Runs overlapping a finding already `taken` are skipped.
        """
        cued: list[Finding] = []
        windows: list[_NerWindow] = []
        scopes = self._name_scopes(len(text), fields)
        candidates = [(lo, hi, c) for lo, hi in scopes for c in name_candidates(text, lo, hi)]
        if not candidates:
            return windows, cued
        # The value of a key that names something else (`plan_name = 'Family Bundle'`,
        # `product='Grand Royal'`) is no person as a whole, and its key is no cue for one.
        things = _Spans(
            (field.start, field.end)
            for field in fields
            if key_names_a_thing(field.key)
            or a_part_of_a_place(field.key, text[field.start : field.end])
        )
        covered = bytearray(len(text))
        for finding in taken:
            covered[finding.start : finding.end] = b"\x01" * (finding.end - finding.start)
        for value in value_windows:
            covered[value.start : value.end] = b"\x01" * (value.end - value.start)
        for lo, hi, candidate in candidates:
            if any(covered[candidate.start : candidate.end]):
                continue
            start, end = ner_window(text, candidate, lo, hi)
            run = (candidate.start, candidate.end)
            cue = candidate.word_before
            if things.holds_exactly(candidate.start, candidate.end) or (
                after_a_thing_slot(text, candidate.start)
                and self._english_words_only(text[candidate.start : candidate.end])
            ):
                continue  # `campaign Victory Lap`; not `plan Pro Chen Wei`
            if things.cover(candidate.start, candidate.end):
                cue = ""
            run_text = text[candidate.start : candidate.end]
            if cue in self.name_slot_words and (
                names_a_thing(run_text)
                or names_a_group(run_text)
                or (names_a_place(run_text) and cue not in self.person_cues)
            ):  # `links to Victoria Station`; `customer Nkechi Street` stays a name
                cue = ""  # `customer Fraud Check`, `payee Bank Details`: the cue is not for it
            if (
                not cue
                and candidate.word_after in self.role_words
                and len(text[candidate.start : candidate.end].split()) <= 3
                and not names_a_thing(text[candidate.start : candidate.end])
            ):
                cue = candidate.word_after  # `Rose Hill Contact`, `Rose Hill, customer since`
            if (cue in self.person_cues and cue not in WEAK_ROLE_WORDS) or self._unlike_english(
                run_text.split()
            ):
                # A cue, or words that are no English words, vouch for the run: no NER.
                cued.append(Finding("PERSON", *run, _PERSON_NER_SCORE_WITH_CUE))
                continue
            if self._a_bracketed_name(text, candidate.start, candidate.end) or (
                cue in self.name_slot_words
                and cue not in PLACE_SLOTS
                and self._name_with_a_noun(run_text)
            ):  # `(Anouk Dekker)`, `meeting with Hinemoa Walker`
                cued.append(Finding("PERSON", *run, _PERSON_NER_SCORE_WITH_CUE))
                continue
            after_verb = self._after_an_opening_word(text, candidate.start, candidate.end)
            if after_verb is not None:
                cued.append(
                    Finding("PERSON", after_verb, candidate.end, _PERSON_NER_SCORE_WITH_CUE)
                )
                continue
            if (
                cue not in self.name_slot_words
                and self._ordinary_runs_dropped
                and self._ordinary_phrase(text[candidate.start : candidate.end])
            ):
                continue  # whatever NER said of `Billing Engine`, its score would be dropped
            if (
                not windows
                or windows[-1].end < start
                or end - windows[-1].start > (_MAX_WINDOW_CHARS)
            ):
                if len(windows) >= _MAX_WINDOWS_PER_LINE:
                    cued.append(Finding("PERSON", *run, _PERSON_NER_SCORE_WITH_CUE))
                    continue
                windows.append(_NerWindow(index, start, end, [], []))
            window = windows[-1]
            window.end = max(window.end, end)
            window.runs.append(run)
            if cue in self.name_slot_words:
                window.slot_runs.append(run)
        return windows, cued

    def _run_ner(
        self, texts: Sequence[str], windows: list[_NerWindow], found: list[list[Finding]]
    ) -> None:
        snippets = [
            w.snippet if w.snippet is not None else texts[w.line][w.start : w.end] for w in windows
        ]
        second_readings = [(at, w.also) for at, w in enumerate(windows) if w.also is not None]
        snippets.extend(reading for _, reading in second_readings)
        # spaCy adds every new word of every line to the vocabulary and string store for good:
        # a long-running service grew without bound (about 300 MB per million log lines).
        # A memory zone frees what the batch added once its docs have been read.
        model = self.ner_model
        with self._nlp_lock, model.nlp.memory_zone():
            entities = model.entities(snippets, self.policy.nlp.batch_size)
        for (at, _), seconds in zip(second_readings, entities[len(windows) :], strict=True):
            a_person = any(entity.label == "PERSON" for entity in seconds)
            if windows[at].either and a_person:
                entities[at] = seconds
            elif not windows[at].either and not a_person:
                entities[at] = []
        self._read_ner(texts, windows, entities[: len(windows)], found)

    def _read_ner(
        self,
        texts: Sequence[str],
        windows: list[_NerWindow],
        entities: list[list[Entity]],
        found: list[list[Finding]],
    ) -> None:
        for window, window_entities in zip(windows, entities, strict=True):
            people = [entity for entity in window_entities if entity.label == "PERSON"]
            if window.snippet is not None:
                if people:
                    found[window.line].append(
                        Finding("PERSON", window.start, window.end, _PERSON_SCORE_FOR_VALUE)
                    )
                continue
            text = texts[window.line]
            spans = [
                _widened_to_run(
                    *_without_quotes(text, window.start + p.start, window.start + p.end),
                    NER_SCORE,
                    window.runs,
                )
                for p in people
            ]
            findings = found[window.line]
            for start, end, score in spans:
                if (start, end) not in window.slot_runs and (
                    self._ordinary_phrase(text[start:end])
                    or names_a_group(text[start:end])
                    or names_a_place(text[start:end])
                ):
                    # `Cloud Run`, `Pro Yearly`: ordinary words with no cue before them;
                    # `Envoy Proxy`: a system; `Baker Street`: a place.
                    score = _PERSON_SCORE_ORDINARY_WORDS
                findings.append(Finding("PERSON", start, end, score))
            named = [(start, end) for start, end, _ in spans]
            for run in window.runs:
                if not any(s < run[1] and run[0] < e for s, e in named) and self._acting_name(
                    text, *run
                ):
                    findings.append(Finding("PERSON", *run, _PERSON_SCORE_ACTING))
            for entity in window_entities:
                if entity.label not in _NAME_LIKE_NER_LABELS:
                    continue
                start, end = window.start + entity.start, window.start + entity.end
                for run_start, run_end in window.slot_runs:
                    if run_start < end and start < run_end:
                        score = _PERSON_SCORE_FROM_NAME_LIKE_LABEL
                        findings.append(Finding("PERSON", run_start, run_end, score))

    def _finalise(self, text: str, findings: list[Finding], by_key: list[Finding]) -> list[Finding]:
        kept = [f for f in findings if f.score >= self.policy.threshold_for(f.entity)]
        # A date is found only right after a date-of-birth label, which says more than the
        # timestamp shape the allow-list protects (`dob: 1990-02-03T00:00:00Z`).
        births = [f for f in kept if f.entity == "DATE_TIME"]
        if births:
            kept = [f for f in kept if f.entity != "DATE_TIME"]
        kept = self.allow_list.unprotected(text, kept) if kept else kept
        kept += births
        kept += by_key
        if not kept:
            return []
        resolved = resolve_overlaps(kept)
        beside = self._names_listed_beside(text, resolved)
        return resolve_overlaps(resolved + beside) if beside else resolved

    def _names_listed_beside(self, text: str, findings: list[Finding]) -> list[Finding]:
        """Names listed with a name found (`Noa Peretz, Lior Ashkenazi and Dana Weiss`,
        `Sadia Islam / Farhan Kabir`): two or three capitalised words joined to it by a comma,
        a slash, a plus, `&` or `and`, one of them no English word, that name no thing, group
        or place (`and Family Bundle` stays)."""
        found: list[Finding] = []
        people = [finding for finding in findings if finding.entity == "PERSON"]
        reached = -1  # each list is walked once, however many of its names were found
        for finding in people:
            if finding.end <= reached:
                continue
            end = finding.end
            while (
                _JOIN_AFTER.match(text, end)
                and (following := _LISTED_AFTER.match(text, end)) is not None
            ):
                if not self._a_listed_name(following.group(1)):
                    break
                found.append(Finding("PERSON", *following.span(1), finding.score))
                end = following.end(1)
            reached = end
        reached = len(text) + 1
        for finding in reversed(people):
            if finding.start >= reached:
                continue
            start = finding.start
            while (
                _JOIN_BEFORE.search(text, max(0, start - 6), start)
                and (before := _LISTED_BEFORE.search(text, max(0, start - 80), start)) is not None
            ):
                if not self._a_listed_name(before.group(1)):
                    break
                found.append(Finding("PERSON", *before.span(1), finding.score))
                start = before.start(1)
            reached = start
        return found

    def _a_listed_name(self, run: str) -> bool:
        words = run.split()
        return not (
            names_a_thing(run)
            or names_a_group(run)
            or names_a_place(run)
            or all(map(self.lexicon.knows, words))
            or any(word.lower().strip(".") in LOG_VOCABULARY for word in words)
        )


_LOGIN_SEPARATOR = re.compile(r"[._-]")
# The word after a run (none when punctuation or the line's end follows it).
_NEXT_TOKEN = re.compile(r"[ \t]+([A-Za-z]+)")
# Words that follow a person addressed by an opening verb (`Call X on …`, `Ask X about …`).
_AFTER_A_PERSON = frozenset(
    ("on", "at", "about", "for", "to", "from", "with", "and", "or", "regarding", "re", "back",
     "now", "today", "tomorrow", "asap", "please", "if", "when", "before", "after")
)  # fmt: skip


def _a_system_account(value: str) -> bool:
    """One lower-case log word or word for a system: an account a system runs as (`root`,
    `deploy`, `nobody`), not a person's login. English words are not enough (`grace`)."""
    word = value.strip()
    return word.isalpha() and word.islower() and (word in LOG_VOCABULARY or word in NOT_A_PERSON)


def _says_name(key: str) -> bool:
    """`customer_name`, `full_name`, `surname`: the key asks for a name, not for whoever
    (`customer=` often holds an id)."""
    return names_a_name_part(key) or "name" in key_parts(key) or key.endswith("name")


_QUOTES = "'\"\u2018\u2019\u201c\u201d`"


def _upper_name_pair(match: regex.Match[str]) -> bool:
    """`TAUFA, SIONE`, not log levels, states or codes (`INFO, DEBUG`, `USD, EUR`)."""
    parts = [part.strip().lower() for part in match.group().split(",")]
    if any(part in LOG_VOCABULARY or part in NOT_A_PERSON for part in parts):
        return False
    return not all(len(part) <= 3 for part in parts)


def _without_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """The NER span without the quotes its tokens kept (`Zahra'` of `'Fatima Zahra'`)."""
    while end > start and text[end - 1] in _QUOTES:
        end -= 1
    while start < end and text[start] in _QUOTES:
        start += 1
    return start, end


def _widened_to_run(
    start: int, end: int, score: float, runs: list[tuple[int, int]]
) -> tuple[int, int, float]:
    """The NER span stretched over the capitalised run it overlaps (`Tonia` of `Tonia Zac`)."""
    for run_start, run_end in runs:
        if run_start < end and start < run_end:
            return min(start, run_start), max(end, run_end), score
    return start, end, score


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the strongest of overlapping findings (then the longest), in text order.

    An address is redacted whole: where a weaker address overlaps what was kept (a name the
    model saw inside `Sezer Mah. Türk Sk. No: 31`), the two become one address.
    """
    starts: list[int] = []  # of the chosen findings, which never overlap: sorted together
    chosen: list[Finding] = []
    addresses: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (-f.score, -(f.end - f.start), f.start)):
        position = bisect.bisect_left(starts, finding.start)
        if (position > 0 and chosen[position - 1].end > finding.start) or (
            position < len(chosen) and chosen[position].start < finding.end
        ):
            if finding.entity == "LOCATION":
                addresses.append(finding)
            continue
        starts.insert(position, finding.start)
        chosen.insert(position, finding)
    # The chosen findings never overlap, so their ends are sorted too: the ones an address
    # overlaps are one slice, found by bisection (a line of thousands of addresses stays
    # linear).
    ends = [finding.end for finding in chosen]
    for address in addresses:
        first = bisect.bisect_right(ends, address.start)
        last = bisect.bisect_left(starts, address.end)
        overlapping = chosen[first:last]
        if any(f.start <= address.start and address.end <= f.end for f in overlapping):
            continue
        start = min([address.start, *(f.start for f in overlapping)])
        end = max([address.end, *(f.end for f in overlapping)])
        score = max([address.score, *(f.score for f in overlapping)])
        chosen[first:last] = [Finding("LOCATION", start, end, score)]
        starts[first:last] = [start]
        ends[first:last] = [end]
    return chosen
