"""Request bodies (every one rejects unknown fields) and responses of the subscriptions API:
the Subscription, the Pause it lists, and its upcoming charges."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from service.core.money import Amount, Currency
from service.core.schemas import ReadModel
from service.core.timeparse import ApiTime
from service.subscriptions.calendar import Interval

LABEL_PATTERN = r"^[A-Za-z0-9._:-]+$"
MAX_TAGS = 20
MAX_METADATA_ENTRIES = 50
MAX_METADATA_KEY_LENGTH = 40
MAX_METADATA_VALUE_LENGTH = 500

Plan = Annotated[str, Field(min_length=1, max_length=100, pattern=LABEL_PATTERN)]
Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=LABEL_PATTERN)]


def _metadata(value: dict[str, str]) -> dict[str, str]:
    if len(value) > MAX_METADATA_ENTRIES:
        raise ValueError(f"metadata has at most {MAX_METADATA_ENTRIES} entries")
    for key, item in value.items():
        if not 1 <= len(key) <= MAX_METADATA_KEY_LENGTH:
            raise ValueError(f"metadata keys have 1 to {MAX_METADATA_KEY_LENGTH} characters")
        if len(item) > MAX_METADATA_VALUE_LENGTH:
            raise ValueError(f"metadata values have at most {MAX_METADATA_VALUE_LENGTH} characters")
    return value


def _distinct(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


Metadata = Annotated[dict[str, str], AfterValidator(_metadata)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_distinct)]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: Annotated[str, Field(min_length=1, max_length=80)]
    plan: Plan
    amount: Amount
    currency: Currency
    interval: Interval
    interval_count: Annotated[StrictInt, Field(ge=1, le=365)] = 1
    start_at: ApiTime | None = None
    tags: Tags = Field(default_factory=list)
    metadata: Metadata | None = None


class SubscriptionCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: Literal["now", "period_end"]


# -- responses (published in /openapi.json) -----------------------------------------------------

SubscriptionState = Literal["active", "paused", "past_due", "canceled"]
PauseState = Literal["scheduled", "active", "completed", "canceled"]
Mode = Literal["shift", "skip", "credit"]


class PauseRead(ReadModel):
    id: str
    subscription: str
    status: PauseState
    starts_at: str
    ends_at: str | None
    resume_mode: Mode
    reason: str | None
    credit_amount: int = Field(description="0 unless resume_mode is credit")
    bulk: str | None
    created_by: str
    created_at: str


class SubscriptionRead(ReadModel):
    id: str
    customer: str
    status: SubscriptionState
    plan: str
    amount: int
    currency: str
    interval: Interval
    interval_count: int
    tags: list[str]
    metadata: dict[str, str]
    start_at: str
    current_period_start: str | None
    current_period_end: str | None
    next_charge_at: str | None
    cancel_at: str | None
    canceled_at: str | None
    pauses: list[PauseRead] = Field(description="Every pause, newest first")
    created_at: str


class SubscriptionPage(ReadModel):
    data: list[SubscriptionRead]
    next_cursor: str | None


class UpcomingChargeRead(ReadModel):
    due_at: str
    amount: int
    credit_applied: int
    amount_due: int
    currency: str
    status: Literal["scheduled", "skipped"]
    pause: str | None


class UpcomingRead(ReadModel):
    data: list[UpcomingChargeRead]
