"""Query strings are held to what an operation declares: an unknown parameter is a 422, as an
unknown body field is, so a misspelt filter (``?stauts=``) never silently lists everything."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from service.core.errors import ValidationFailed


def only_query(*names: str) -> Any:
    """A route dependency refusing every query parameter but ``names``."""
    allowed = frozenset(names)

    def check(request: Request) -> None:
        if any(name not in allowed for name in request.query_params):
            raise ValidationFailed("The query string has a parameter this operation does not take.")

    return Depends(check)
