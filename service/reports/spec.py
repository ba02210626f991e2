"""The schema of a named audit (``audits/NAME.yaml``), validated on load with clear errors.

An audit is a title, a description and sections. Each section has a ``kind``:

- ``events``: audit events in the report window matching ``where`` (all lists are OR-ed within
  a key and AND-ed across keys), counted and grouped by ``group_by`` dimensions, optionally
  charted (``bars`` of the first dimension, or ``daily`` volume per actor per day) and listed.
- ``key_versions``: each version of the data-wrapping key, its state and how many stored data
  keys it wraps, flagging retired versions still in use.
- ``records``: rows of another domain's table (pauses, charges…) created in the window, grouped
  by columns with an optional sum (amounts).
- ``retention``: events older than ``retention_months``, and whether the last
  ``queryable_months`` are immediately queryable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

Dimension = Literal["actor", "role", "action", "outcome", "day", "purpose", "field", "target"]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
Column = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]{0,63}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventMatch(Strict):
    actions: list[str] = []
    action_prefixes: list[str] = []
    outcomes: list[Literal["allowed", "denied", "error"]] = []
    roles: list[str] = []
    actors: list[str] = []


class SectionBase(Strict):
    id: Identifier
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""


class EventsSection(SectionBase):
    kind: Literal["events"]
    where: EventMatch = EventMatch()
    group_by: list[Dimension] = []
    chart: Literal["bars", "daily"] | None = None
    list_events: Annotated[int, Field(ge=0, le=1000)] = 0

    @model_validator(mode="after")
    def bars_need_a_dimension(self) -> EventsSection:
        if self.chart == "bars" and not self.group_by:
            raise ValueError("a 'bars' chart needs at least one group_by dimension")
        if len(set(self.group_by)) != len(self.group_by):
            raise ValueError("group_by names a dimension twice")
        return self


class KeyVersionsSection(SectionBase):
    kind: Literal["key_versions"]


class RecordsSection(SectionBase):
    kind: Literal["records"]
    table: Column
    time_column: Column = "created_at"
    group_by: list[Column] = []
    sum: Column | None = None


class RetentionSection(SectionBase):
    kind: Literal["retention"]
    retention_months: Annotated[int, Field(ge=1, le=120)] = 12
    queryable_months: Annotated[int, Field(ge=3, le=120)] = 3

    @model_validator(mode="after")
    def queryable_within_retention(self) -> RetentionSection:
        if self.queryable_months > self.retention_months:
            raise ValueError("queryable_months cannot exceed retention_months")
        return self


Section = Annotated[
    EventsSection | KeyVersionsSection | RecordsSection | RetentionSection,
    Field(discriminator="kind"),
]


class AuditSpec(Strict):
    name: str = ""
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    sections: Annotated[list[Section], Field(min_length=1)]

    @model_validator(mode="after")
    def section_ids_are_unique(self) -> AuditSpec:
        ids = [section.id for section in self.sections]
        if len(set(ids)) != len(ids):
            raise ValueError("two sections share an id")
        return self


class AuditSpecError(ValueError):
    """An audit that cannot be loaded; the message names the file and each bad field."""


def available_audits(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml") if NAME_PATTERN.match(p.stem))


def load_audit(directory: Path, name: str) -> AuditSpec:
    if not NAME_PATTERN.match(name):
        raise AuditSpecError("audit names are lower-case letters, digits and dashes")
    path = directory / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(available_audits(directory)) or "none"
        raise AuditSpecError(f"no audit named {name!r} (available: {known})")
    return parse_audit(path.read_text(encoding="utf-8"), name=name, source=path.name)


def parse_audit(text: str, *, name: str, source: str) -> AuditSpec:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise AuditSpecError(f"{source}: not valid YAML ({error})") from None
    if not isinstance(raw, dict):
        raise AuditSpecError(f"{source}: the top level must be a mapping")
    try:
        return AuditSpec.model_validate({**raw, "name": name})
    except ValidationError as error:
        problems = "; ".join(
            f"{_location(e['loc'])}: {e['msg']}" for e in error.errors(include_input=False)
        )
        raise AuditSpecError(f"{source}: {problems}") from None


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("events", "key_versions", "records", "retention") and text.endswith("]"):
            continue  # the discriminated union adds the kind to the path: noise to a reader
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"
