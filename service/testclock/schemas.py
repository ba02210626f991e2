"""Request and response bodies of ``/v1/test/clock``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from service.core.schemas import ReadModel
from service.core.timeparse import ApiTime


class ClockMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    now: ApiTime


class ClockRead(ReadModel):
    now: str
