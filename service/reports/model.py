"""A report as the renderers see it: a verification stamp, then sections of figures, a table
and at most one chart each."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Cell = str | int | float | bool | None


@dataclass(frozen=True)
class Stamp:
    """Evidence that the record behind the report is intact, taken when it was generated."""

    chain_ok: bool
    checked: int
    tree_size: int
    root_hash: str
    first_bad_seq: int | None
    tree_heads: int
    tree_heads_verified: int
    generated_at: str


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Chart:
    """``bars``: one value per label. ``daily``: for each series (an actor), a value per day."""

    kind: Literal["bars", "daily"]
    title: str
    bars: list[tuple[str, int]] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    series: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class SectionResult:
    id: str
    title: str
    description: str
    figures: dict[str, Cell]
    table: Table
    chart: Chart | None = None
    note: str | None = None
    events: Table | None = None


@dataclass
class Report:
    name: str
    title: str
    description: str
    window_from: str
    window_to: str
    stamp: Stamp
    sections: list[SectionResult]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
