"""Request bodies (every one rejects unknown fields) and responses of the pauses API. A single
pause answers with the Pause resource, ``service.subscriptions.schemas.PauseRead``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from service.core.money import Currency
from service.core.schemas import ReadModel
from service.core.timeparse import ApiTime
from service.customers.validation import no_control_characters
from service.subscriptions.schedule import ResumeMode
from service.subscriptions.schemas import Plan, Tag

MAX_REASON_LENGTH = 500

Start = Literal["now", "period_end"] | ApiTime
Reason = Annotated[
    str,
    Field(min_length=1, max_length=MAX_REASON_LENGTH),
    AfterValidator(no_control_characters),
]


class PauseWindowRequest(BaseModel):
    """Where a pause starts and how it ends: at most one of ``end``, ``days``, ``cycles``."""

    model_config = ConfigDict(extra="forbid")

    start: Start
    end: ApiTime | None = None
    days: Annotated[StrictInt, Field(ge=1, le=3650)] | None = None
    cycles: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None
    resume_mode: ResumeMode
    reason: Reason | None = None

    @model_validator(mode="after")
    def _one_end_at_most(self) -> PauseWindowRequest:
        given = [name for name in ("end", "days", "cycles") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError("give at most one of end, days and cycles")
        return self


class PauseCreate(PauseWindowRequest):
    pass


class BulkSelector(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: Plan | None = None
    tags: Annotated[list[Tag], Field(min_length=1, max_length=20)] | None = None
    currency: Currency | None = None
    customer: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    all: Literal[True] | None = None

    @model_validator(mode="after")
    def _some_criterion(self) -> BulkSelector:
        if all(
            value is None
            for value in (self.plan, self.tags, self.currency, self.customer, self.all)
        ):
            raise ValueError("the selector needs at least one criterion (all: true for every one)")
        return self


class BulkPauseCreate(PauseWindowRequest):
    selector: BulkSelector
    dry_run: StrictBool


# -- responses (published in /openapi.json) -----------------------------------------------------


class BulkSkipRead(ReadModel):
    subscription: str
    reason: str = Field(description="Why it was not paused (e.g. overlapping)")


class BulkAffectedRead(ReadModel):
    subscriptions: int
    recurring_amount: int = Field(description="One period's amount of each, summed")


class BulkPauseRead(ReadModel):
    id: str | None = Field(description="null for a dry run: nothing was created")
    dry_run: bool
    matched: int
    paused: int
    skipped: list[BulkSkipRead]
    affected: dict[str, BulkAffectedRead] = Field(description="By currency")


class BulkCancelRead(ReadModel):
    id: str
    canceled: int = Field(description="Pauses of the operation canceled (not yet started)")
