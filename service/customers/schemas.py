"""Request bodies (every one rejects unknown fields) and responses of the customers API."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.core.schemas import ReadModel
from service.customers import validation

Name = Annotated[str, AfterValidator(validation.person_name)]
Email = Annotated[str, AfterValidator(validation.email_address)]
Phone = Annotated[str, Field(max_length=40), AfterValidator(validation.phone_number)]
Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(validation.country_code)]
AddressLine = Annotated[
    str, Field(min_length=1, max_length=200), AfterValidator(validation.no_control_characters)
]
PaymentMethod = Annotated[str, Field(pattern=validation.PAYMENT_METHOD.pattern)]
Metadata = Annotated[dict[str, str], AfterValidator(validation.metadata)]


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: AddressLine
    line2: AddressLine | None = None
    city: AddressLine
    postal_code: Annotated[
        str, Field(min_length=1, max_length=20), AfterValidator(validation.no_control_characters)
    ]
    country: Country


class CustomerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: Email
    phone: Phone | None = None
    address: AddressIn | None = None
    payment_method: PaymentMethod | None = None
    metadata: Metadata | None = None


class CustomerSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(min_length=1, max_length=validation.MAX_EMAIL_LENGTH + 64)]


# -- responses (published in /openapi.json) -----------------------------------------------------


class AddressMask(ReadModel):
    country: str


class CardMask(ReadModel):
    brand: str
    last4: str


class MaskedRead(ReadModel):
    name: str = Field(examples=["J*** S***"])
    email: str = Field(examples=["j***@example.com"])
    # Omitted (never null) when the customer has none.
    phone: str = Field(None, examples=["+1 ***0134"])  # type: ignore[assignment]
    address: AddressMask = Field(None)  # type: ignore[assignment]
    card: CardMask = Field(None)  # type: ignore[assignment]


class CustomerRead(ReadModel):
    id: str
    masked: MaskedRead
    metadata: dict[str, str]
    created_at: str


class CustomerRevealRead(ReadModel):
    id: str
    fields: dict[str, Any] = Field(
        description="The clear value of each requested field; address is the stored object"
    )


class CustomerRef(ReadModel):
    id: str


class CustomerSearchRead(ReadModel):
    data: list[CustomerRef]


class CustomerErasedRead(ReadModel):
    id: str
    erased: bool
    erased_at: str
