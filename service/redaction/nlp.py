"""The NER model: presidio's spaCy engine on the installed model package, tokens and NER only,
loaded in the background so that start-up does not wait for it.

Only the components NER needs are loaded (`tok2vec`, `ner`): the tagger, parser, attribute
ruler and lemmatizer are excluded, which is three times faster to load. Lines that need no
NER are redacted while the model loads; the first line that needs it waits.
"""

from __future__ import annotations

import threading

import spacy
import spacy.util
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpEngine, SpacyNlpEngine

_NOT_NEEDED_FOR_NER = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
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


class _NerOnlySpacyEngine(SpacyNlpEngine):
    """presidio's spaCy engine, loading only what NER needs and never downloading."""

    def load(self) -> None:
        self.nlp = {
            model["lang_code"]: spacy.load(model["model_name"], exclude=_NOT_NEEDED_FOR_NER)
            for model in self.models
        }


def require_model_package(model: str) -> None:
    # presidio would download a missing model; an offline service must refuse to start instead.
    if not spacy.util.is_package(model):
        raise RedactionStartupError(
            f"spaCy model package {model!r} is not installed; install the pinned package "
            "(it is never downloaded at run time)"
        )


def build_nlp_engine(model: str) -> NlpEngine:
    """The engine on the installed model package, reduced to tokens and NER."""
    require_model_package(model)
    engine = _NerOnlySpacyEngine(
        models=[{"lang_code": "en", "model_name": model}],
        ner_model_configuration=NerModelConfiguration.from_dict(_NER_CONFIGURATION),
    )
    engine.load()
    return engine


class BackgroundEngine:
    """An NLP engine that starts loading at once and is handed out when ready."""

    def __init__(self, model: str) -> None:
        require_model_package(model)
        self._model = model
        self._engine: NlpEngine | None = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._load, name="strongroom-ner-load", daemon=True).start()

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
        self._ready.wait()
        if self._engine is None:
            raise RedactionStartupError(f"the NER model failed to load: {self._error!r}")
        return self._engine
