"""The NER model: presidio's spaCy engine on the installed model package, NER only, loaded
when a line first needs it (or in the background, for the long-running service).

Only the `ner` component is loaded: the tagger, parser, attribute ruler and lemmatizer are
excluded, and so is the shared `tok2vec`, which only they listen to (the small English
model's NER has a tok2vec of its own): a third less CPU per NER call, the same entities.
spaCy and presidio are imported here only when the model loads, so that `strongroom redact`
on lines that need no NER never pays for them.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpEngine

_NOT_NEEDED_FOR_NER = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
_NER_CONFIGURATION = {
    "model_to_presidio_entity_mapping": {
        "PERSON": "PERSON",
        "PER": "PERSON",
        "ORG": "ORGANIZATION",
        "NORP": "NRP",
        "GPE": "LOCATION",
        "LOC": "LOCATION",
        "FAC": "LOCATION",
    },
    "labels_to_ignore": [
        "CARDINAL",
        "DATE",
        "TIME",
        "MONEY",
        "QUANTITY",
        "ORDINAL",
        "PERCENT",
        "EVENT",
        "LANGUAGE",
        "LAW",
        "PRODUCT",
        "WORK_OF_ART",
    ],
    "low_score_entity_names": [],
}
_WARM_UP_TEXT = "spoke with Zhang Wei about the refund"


class RedactionStartupError(RuntimeError):
    """The detector cannot start (for example, the spaCy model package is not installed)."""


def require_model_package(model: str) -> None:
    # presidio would download a missing model; an offline service must refuse to start instead.
    from importlib.util import find_spec

    if find_spec(model) is None:
        raise RedactionStartupError(
            f"spaCy model package {model!r} is not installed; install the pinned package "
            "(it is never downloaded at run time)"
        )


def build_nlp_engine(model: str) -> NlpEngine:
    """The engine on the installed model package, reduced to tokens and NER."""
    require_model_package(model)
    import spacy
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    class NerOnlySpacyEngine(SpacyNlpEngine):
        """presidio's spaCy engine, loading only what NER needs and never downloading."""

        def load(self) -> None:
            self.nlp = {
                model["lang_code"]: spacy.load(model["model_name"], exclude=_NOT_NEEDED_FOR_NER)
                for model in self.models
            }

    engine = NerOnlySpacyEngine(
        models=[{"lang_code": "en", "model_name": model}],
        ner_model_configuration=NerModelConfiguration.from_dict(_NER_CONFIGURATION),
    )
    engine.load()
    return engine


class LazyEngine:
    """An NLP engine loaded on first use, or from `preload()` on in a background thread."""

    def __init__(self, model: str) -> None:
        require_model_package(model)
        self._model = model
        self._engine: NlpEngine | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._started = False

    def preload(self) -> None:
        """Start loading now, in the background: a server wants the model before traffic."""
        if self._claim():
            threading.Thread(target=self._load, name="strongroom-ner-load", daemon=True).start()

    def _claim(self) -> bool:
        with self._lock:
            if self._started:
                return False
            self._started = True
            return True

    def _load(self) -> None:
        try:
            engine = build_nlp_engine(self._model)
            engine.nlp["en"](_WARM_UP_TEXT)
            self._engine = engine
        except BaseException as exc:  # noqa: BLE001 - re-raised in the thread that needs it
            self._error = exc
        finally:
            self._ready.set()

    def get(self) -> NlpEngine:
        if self._claim():
            self._load()
        self._ready.wait()
        if self._engine is None:
            raise RedactionStartupError(f"the NER model failed to load: {self._error!r}")
        return self._engine
