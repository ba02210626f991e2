"""Request bodies of the events domain."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from service.events.types import EventType


class WebhookEndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=8, max_length=2048)]
    events: Annotated[list[EventType], Field(min_length=1, max_length=len(EventType))]
