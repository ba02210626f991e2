"""Request bodies of the customers API. Every body rejects unknown fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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
