"""Request bodies (every one rejects unknown fields) and responses of the charges API."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from service.core.money import Amount, Currency
from service.core.schemas import ReadModel
from service.customers.validation import no_control_characters

MAX_DESCRIPTION_LENGTH = 1000

Token = Annotated[str, Field(min_length=1, max_length=80)]
ChargeStatusFilter = Literal["pending", "succeeded", "failed"]


class ChargeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscription: Token | None = None
    customer: Token | None = None
    amount: Amount
    currency: Currency
    description: (
        Annotated[
            str,
            Field(max_length=MAX_DESCRIPTION_LENGTH),
            AfterValidator(no_control_characters),
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _exactly_one_payer(self) -> ChargeCreate:
        if (self.subscription is None) == (self.customer is None):
            raise ValueError("exactly one of subscription and customer is required")
        return self

    def fingerprint(self) -> str:
        """Equal requests (after normalisation) give equal fingerprints."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


# -- responses (published in /openapi.json) -----------------------------------------------------


class ChargeRead(ReadModel):
    id: str
    status: Literal["succeeded", "failed", "pending"]
    amount: int = Field(description="What was collected, in minor units")
    currency: str
    subscription: str | None
    customer: str
    failure_code: str | None
    processor: str
    description: str | None
    due_at: str | None = Field(description="The due date a recurring charge paid for")
    credit_applied: int = Field(description="Pause credit used by a recurring charge")
    created_at: str


class ChargePage(ReadModel):
    data: list[ChargeRead]
    next_cursor: str | None
