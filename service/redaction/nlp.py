"""The NER model: the installed spaCy model package, NER only, loaded when a line first needs
it (or in the background, for the long-running service).

Only the `ner` component is loaded: the tagger, parser, attribute ruler and lemmatizer are
excluded, and so is the shared `tok2vec`, which only they listen to (the small English
model's NER has a tok2vec of its own): a third less CPU per NER call, the same entities.

The model is driven through spaCy directly (`nlp.pipe`, `doc.ents`), with the label mapping
and score presidio's spaCy engine and `SpacyRecognizer` would give (PERSON 0.85; ORG and
NORP kept as name-like labels; every other label dropped). Going through presidio cost a
third of `strongroom redact`'s start-up (importing `presidio_analyzer` compiles every one of
its predefined recognisers' patterns) and a results object, a lemma list and an explanation
per window; presidio remains the baseline the benchmark measures against. spaCy is imported
here only when the model loads, so that `strongroom redact` on lines that need no NER never
pays for it.
"""

from __future__ import annotations

import re
import sys
import threading
import types
from collections.abc import Sequence
from hashlib import blake2b
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from spacy.language import Language

_NOT_NEEDED_FOR_NER = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
# The model's labels as presidio names them; labels not listed here are never personal data
# in a log (DATE, MONEY, CARDINAL, PRODUCT...) and are dropped.
_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "ORG": "ORGANIZATION",
    "NORP": "NRP",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
}
# presidio's default NER score (`NerModelConfiguration.default_score`).
NER_SCORE = 0.85
_WARM_UP_TEXT = "spoke with Zhang Wei about the refund"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """The text with each lone surrogate (an undecodable byte kept by `surrogateescape`) as
    U+FFFD: spaCy cannot hash it, and one code point for one keeps every offset in place."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub("\ufffd", text)


class Entity(NamedTuple):
    """An entity the model found: presidio's name for its label, offsets into the text."""

    label: str
    start: int
    end: int


class RedactionStartupError(RuntimeError):
    """The detector cannot start (for example, the spaCy model package is not installed)."""


def require_model_package(model: str) -> None:
    # spaCy would look for a missing model elsewhere; an offline service must refuse instead.
    from importlib.util import find_spec

    if find_spec(model) is None:
        raise RedactionStartupError(
            f"spaCy model package {model!r} is not installed; install the pinned package "
            "(it is never downloaded at run time)"
        )


class NerModel:
    """The spaCy pipeline reduced to tokens and NER, with the entities of recent texts kept.

    Logs repeat their lines, and so the windows sent here (`wallet Apple Pay enabled for`:
    170 distinct among 875 windows of the benchmark corpus): a text seen recently is
    answered from a bounded cache instead of the model. The cache is keyed by a 128-bit
    BLAKE2b digest of the text, so it keeps no log text (no name) in memory, only offsets.
    """

    CACHE_SIZE = 8192

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._cache: dict[bytes, list[Entity]] = {}
        self._cache_lock = threading.Lock()

    def clear_cache(self) -> None:
        """Forget the entities of recent texts (benchmarks time the model on first sight)."""
        with self._cache_lock:
            self._cache.clear()

    def entities(self, texts: Sequence[str], batch_size: int) -> list[list[Entity]]:
        """Each text's entities with a label worth keeping, in order; the texts not in the
        cache go through the model in one `nlp.pipe` call."""
        keys = [
            blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            for text in texts
        ]
        with self._cache_lock:
            results: list[list[Entity] | None] = [self._cache.get(key) for key in keys]
        missing = [index for index, result in enumerate(results) if result is None]
        if missing:
            labels = _LABELS
            docs = self.nlp.pipe(
                [_encodable(texts[index]) for index in missing], batch_size=batch_size
            )
            for index, doc in zip(missing, docs, strict=True):
                results[index] = [
                    Entity(labels[ent.label_], ent.start_char, ent.end_char)
                    for ent in doc.ents
                    if ent.label_ in labels
                ]
            with self._cache_lock:
                for index in missing:
                    if len(self._cache) >= self.CACHE_SIZE:
                        del self._cache[next(iter(self._cache))]
                    self._cache[keys[index]] = results[index]  # type: ignore[assignment]
        return results  # type: ignore[return-value]


def build_ner_model(model: str) -> NerModel:
    """The installed model package, reduced to tokens and NER; never downloaded."""
    require_model_package(model)
    spacy = _import_spacy()

    # Every `Language` spaCy builds first imports each package that registers a pipeline
    # factory through an entry point; presidio registers one (a Hugging Face pipe this model
    # does not use), so loading the model imported all of presidio. The model's components
    # are spaCy's own: entry points are not consulted while it loads.
    factories = spacy.util.registry._entry_point_factories
    with _ENTRY_POINTS_LOCK:
        consulted, factories.entry_points = factories.entry_points, False
        try:
            nlp = spacy.load(model, exclude=_NOT_NEEDED_FOR_NER)
        finally:
            factories.entry_points = consulted
    _split_cells(nlp, spacy)
    return NerModel(nlp)


# Separators of export rows and packed values that spaCy's English tokenizer keeps inside a
# token: a comma between a digit and a letter (`5531,Linda Pike` is read as the token
# `5531,Linda`), a semicolon or a pipe between any two characters of words
# (`Pike;Springfield`). The model then sees no name; split there, it reads
# `5531 , Linda Pike , Springfield` as it reads prose. Offsets are unchanged: only where
# tokens end moves.
_CELL_SEPARATORS = (
    r"(?<=[0-9]),(?=[^\W\d_])",
    r"(?<=[^\W\d_]),(?=[0-9])",
    r"(?<=\w)[;|](?=\w)",
)


def _split_cells(nlp: Language, spacy: types.ModuleType) -> None:
    infixes = [*nlp.Defaults.infixes, *_CELL_SEPARATORS]
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    # A row's first and last bar or semicolon (`|Linda Pike|5|`) is a token of its own too.
    prefixes = [*nlp.Defaults.prefixes, r"\|", ";"]
    suffixes = [*nlp.Defaults.suffixes, r"\|", ";"]
    nlp.tokenizer.prefix_search = spacy.util.compile_prefix_regex(prefixes).search
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search


_ENTRY_POINTS_LOCK = threading.Lock()


def _import_spacy() -> types.ModuleType:
    """`spacy`, without the command-line package its `__init__` imports for `spacy.info`.

    `spacy.cli` pulls in weasel, requests and httpx (a quarter of a second, measured with
    `-X importtime`) and nothing that loads or runs a model uses it. While spaCy imports, a
    stand-in `spacy.cli.info` answers that import; it is removed afterwards, so a later
    `import spacy.cli` loads the real package, and the stand-in's `info` defers to it.
    """
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    stand_ins = {name: types.ModuleType(name) for name in ("spacy.cli", "spacy.cli.info")}

    def info(*args: object, **kwargs: object) -> object:
        from spacy.cli.info import info as real_info

        return real_info(*args, **kwargs)

    stand_ins["spacy.cli.info"].info = info  # type: ignore[attr-defined]
    if any(name in sys.modules for name in stand_ins):
        import spacy

        return spacy
    sys.modules.update(stand_ins)
    try:
        import spacy
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
        if getattr(sys.modules.get("spacy"), "cli", None) is stand_ins["spacy.cli"]:
            delattr(sys.modules["spacy"], "cli")
    return spacy


class LazyModel:
    """A NER model loaded on first use, or from `preload()` on in a background thread."""

    def __init__(self, model: str) -> None:
        require_model_package(model)
        self._model = model
        self._loaded: NerModel | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._started = False

    def preload(self) -> None:
        """Start loading now, in the background: a server wants the model before traffic."""
        if self._claim():
            threading.Thread(
                target=self._load,
                kwargs={"warm_up": True},
                name="strongroom-ner-load",
                daemon=True,
            ).start()

    def _claim(self) -> bool:
        with self._lock:
            if self._started:
                return False
            self._started = True
            return True

    def _load(self, *, warm_up: bool) -> None:
        try:
            loaded = build_ner_model(self._model)
            if warm_up:
                loaded.nlp(_WARM_UP_TEXT)
            self._loaded = loaded
        except BaseException as exc:  # noqa: BLE001 - re-raised in the thread that needs it
            self._error = exc
        finally:
            self._ready.set()

    def get(self) -> NerModel:
        if self._claim():
            # Loaded for a line that needs it now: that line is the warm-up.
            self._load(warm_up=False)
        self._ready.wait()
        if self._loaded is None:
            raise RedactionStartupError(f"the NER model failed to load: {self._error!r}")
        return self._loaded
