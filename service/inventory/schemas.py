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
