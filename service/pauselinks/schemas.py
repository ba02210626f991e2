"""Request body of ``POST /v1/subscriptions/{id}/pause-links`` (unknown fields are refused) and
the responses of the pause-link API."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from service.core.schemas import ReadModel

MAX_EXPIRES_IN_HOURS = 168
MAX_RETURN_URL_LENGTH = 2000


def _https_url(value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError("return_url must be an https URL") from None
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise ValueError("return_url must be an https URL without credentials")
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in value):
        raise ValueError("return_url must not contain spaces or control characters")
    return value


Days = Annotated[StrictInt, Field(ge=1, le=3650)]
ReturnUrl = Annotated[
    str, Field(min_length=1, max_length=MAX_RETURN_URL_LENGTH), AfterValidator(_https_url)
]


class PauseLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in_hours: Annotated[StrictInt, Field(ge=1, le=MAX_EXPIRES_IN_HOURS)] = 72
    lengths: Annotated[list[Days], Field(min_length=1, max_length=10)] | None = None
    return_url: ReturnUrl | None = None


# -- responses (published in /openapi.json) -----------------------------------------------------


class PauseLinkRead(ReadModel):
    id: str
    url: str = Field(description="The page's address; the only place the link's token appears")
    expires_at: str


class PauseLinkRevokedRead(ReadModel):
    id: str
    revoked: bool
