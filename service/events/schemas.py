"""Request bodies (every one rejects unknown fields) and responses of the events domain."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.core.schemas import ReadModel
from service.events.types import EventType


class WebhookEndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=8, max_length=2048)]
    events: Annotated[list[EventType], Field(min_length=1, max_length=len(EventType))]


# -- responses (published in /openapi.json) -----------------------------------------------------


class WebhookEndpointRead(ReadModel):
    id: str
    url: str
    events: list[str]
    created_at: str
    # Only in the answer to the creation (shown once), never null.
    secret: str = Field(None, description="Shown once, when the endpoint is created")  # type: ignore[assignment]


class WebhookEndpointPage(ReadModel):
    data: list[WebhookEndpointRead]
    next_cursor: str | None


class WebhookEndpointDeletedRead(ReadModel):
    id: str
    deleted: bool


class DeliveryRead(ReadModel):
    event: str
    endpoint: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: str | None = Field(description="Set while the delivery is pending")
    last_status: int | None
    last_error: str | None


class DeliveryPage(ReadModel):
    data: list[DeliveryRead]
    next_cursor: str | None


class EventRead(ReadModel):
    id: str
    type: str
    created_at: str
    data: dict[str, Any] = Field(description="Tokens only, never personal data")


class EventPage(ReadModel):
    data: list[EventRead]
    next_cursor: str | None
