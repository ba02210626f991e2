"""The base of every response model (``XRead``) the API publishes.

A route declares its ``XRead`` as its return type, so ``/openapi.json`` shows the real schema,
and builds it with ``XRead.model_validate(view)`` from the dict its domain already computes:
one validation, in pydantic's core, after which FastAPI serialises the instance without
validating it again (an instance is not revalidated). Routes serialise with ``exclude_unset``
(``service.app.routing.operation``), so a key the view leaves out stays out of the answer; such
keys are declared ``key: T = Field(None, ...)``, which keeps ``T`` (not ``T | null``) in the
schema. A view with a key the model lacks fails rather than losing the key.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ReadModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
