"""Request bodies of the charges API. Every body rejects unknown fields."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from service.core.money import Amount, Currency
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
