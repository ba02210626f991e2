"""Loading and validating `policies/redaction.yaml`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.core.shipped import shipped_path

DEFAULT_POLICY_PATH = shipped_path("policies", "redaction.yaml")

KNOWN_ENTITIES = frozenset(
    {
        "CREDIT_CARD",
        "IBAN_CODE",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "US_SSN",
        "IP_ADDRESS",
        "LOCATION",
        "PERSON",
        "DATE_TIME",
    }
)


class RedactionPolicyError(ValueError):
    """The redaction policy file is missing, unreadable or invalid; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NlpSettings(_Strict):
    model: str = Field(min_length=1)
    batch_size: int = Field(default=64, ge=1, le=4096)


class ContextSettings(_Strict):
    window_words: int = Field(default=5, ge=0, le=50)
    boost: float = Field(default=0.35, ge=0.0, le=1.0)


class EntitySettings(_Strict):
    enabled: bool = True
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)


class ReplacementSettings(_Strict):
    style: Literal["entity_tag"] = "entity_tag"
    card_keep_last: int = Field(default=4, ge=0, le=4)


class RedactionPolicy(_Strict):
    version: Literal[1]
    nlp: NlpSettings
    score_threshold: float = Field(ge=0.0, le=1.0)
    context: ContextSettings = ContextSettings()
    entities: dict[str, EntitySettings]
    phone_regions: tuple[str, ...] = ("US",)
    field_keys: dict[str, tuple[str, ...]] = {}
    free_text_keys: tuple[str, ...] = ()
    person_cues: tuple[str, ...] = ()
    name_slot_words: tuple[str, ...] = ()
    allow_list: dict[str, str] = {}
    replacement: ReplacementSettings = ReplacementSettings()

    @field_validator("entities", "field_keys")
    @classmethod
    def _entity_names_are_known(cls, value: dict[str, object]) -> dict[str, object]:
        unknown = sorted(set(value) - KNOWN_ENTITIES)
        if unknown:
            raise ValueError(f"unknown entity {unknown[0]!r}; known: {sorted(KNOWN_ENTITIES)}")
        return value

    @field_validator("phone_regions")
    @classmethod
    def _regions_are_iso_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for region in value:
            if not re.fullmatch(r"[A-Z]{2}", region):
                raise ValueError(f"{region!r} is not a two-letter upper-case region code")
        return value

    @field_validator("allow_list")
    @classmethod
    def _patterns_compile(cls, value: dict[str, str]) -> dict[str, str]:
        for name, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {name!r} does not compile: {exc}") from None
        return value

    def enabled_entities(self) -> frozenset[str]:
        return frozenset(name for name, entity in self.entities.items() if entity.enabled)

    def threshold_for(self, entity: str) -> float:
        settings = self.entities.get(entity)
        if settings is None or settings.threshold is None:
            return self.score_threshold
        return settings.threshold


def _key_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(top level)"


def parse_policy(document: object, source: str) -> RedactionPolicy:
    """Validate an already-parsed YAML document; errors name `source` and the offending key."""
    if not isinstance(document, dict):
        raise RedactionPolicyError(f"{source}: the policy must be a mapping at the top level")
    try:
        return RedactionPolicy.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RedactionPolicyError(
            f"{source}: key {_key_path(first['loc'])!r}: {first['msg']}"
        ) from None


def load_policy(path: Path | str = DEFAULT_POLICY_PATH) -> RedactionPolicy:
    """Read and validate a redaction policy file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RedactionPolicyError(f"{path}: cannot read the policy: {exc.strerror}") from None
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise RedactionPolicyError(f"{path}: not valid YAML: {exc}") from None
    return parse_policy(document, str(path))
