"""Existence checks for the tokens in a path, so that 404 is answered before 403.

Each domain registers how to tell whether one of its tokens names something; the route class
runs them before refusing a caller, so a 403 never confirms that a resource exists.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

TokenExists = Callable[[Session, str], bool]

_resolvers: dict[str, TokenExists] = {}


def register_token(prefix: str, exists: TokenExists) -> None:
    _resolvers[prefix] = exists


def token_exists(session: Session, token: str) -> bool:
    for prefix, exists in _resolvers.items():
        if token.startswith(prefix):
            return exists(session, token)
    return False
