"""Request bodies of the subscriptions API. Every body rejects unknown fields."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from service.core.money import Amount, Currency
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
