"""Request bodies of the inventory endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.core.timeparse import ApiTime

ActorName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# Stored in a 32-bit integer column: a larger number could only fail in the database.
MAX_KEY_VERSION = 2_147_483_647
KeyVersion = Annotated[int, Field(ge=1, le=MAX_KEY_VERSION)]


class BreachReportCreate(BaseModel):
    """A window and, optionally, the compromised actors and key versions."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: ApiTime = Field(alias="from")
    to: ApiTime
    actors: Annotated[list[ActorName], Field(max_length=1000)] | None = None
    key_versions: Annotated[list[KeyVersion], Field(max_length=1000)] | None = None

    @model_validator(mode="after")
    def window_is_ordered(self) -> BreachReportCreate:
        if self.from_ > self.to:
            raise ValueError("'from' must not be after 'to'")
        return self


# -- responses (published in /openapi.json) -----------------------------------------------------


class KeyUse(BaseModel):
    name: str
    versions: dict[str, int] = Field(description="Transit key version → records under it")


class CategoryRead(BaseModel):
    category: str
    location: str = Field(description="table.column")
    description: str
    subjects: int
    records: int
    encrypted: bool
    key: KeyUse


class InventoryRead(BaseModel):
    categories: list[CategoryRead]
    generated_at: str


class AccessRead(BaseModel):
    at: str
    actor: str
    action: str
    outcome: str
    fields: list[str] | None
    purpose: str | None


class SubjectRead(BaseModel):
    customer: str
    created_at: str
    categories: list[str]
    subscriptions: list[str]
    accesses: list[AccessRead]
    reads_by_category: dict[str, int] = Field(
        description="Allowed responses that returned each category of this subject's data"
    )


class ExposedSubject(BaseModel):
    customer: str
    categories: list[str]


class BreachCounts(BaseModel):
    subjects: int
    by_category: dict[str, int] = Field(description="Exposed subjects per category")
    reads: int = Field(description="Responses in the window that returned customer data")
    reveals: int = Field(description="Of those, reveals (clear values)")
    reads_by_category: dict[str, int] = Field(
        description="(response, subject) pairs per category returned: masked, clear or metadata"
    )


class ExposingAccess(AccessRead):
    customers: list[str]
    categories: list[str]


class EmailSearches(BaseModel):
    count: int = Field(description="Email searches in the window, whatever their outcome")
    matched: int = Field(description="Searches that found a customer")
    rate_limited: int = Field(description="Searches refused by the email-search limit")
    by_actor: dict[str, int]


class BreachReportRead(BaseModel):
    subjects: list[ExposedSubject]
    counts: BreachCounts
    accesses: list[ExposingAccess]
    email_searches: EmailSearches
