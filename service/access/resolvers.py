"""Existence checks for the tokens in a path, so that 404 is answered before 403.

Each domain says how to tell whether one of its tokens names something (service/app/wiring.py
installs the list); the route class runs them before refusing a caller, so a 403 never confirms
that a resource exists.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from service.core.slots import Slot

TokenExists = Callable[[Session, str], bool]

# Each token prefix ("cus_", "sub_", ...) and the check for tokens that carry it.
token_resolvers: Slot[dict[str, TokenExists]] = Slot("the token resolvers")


def token_exists(session: Session, token: str) -> bool:
    for prefix, exists in token_resolvers.get().items():
        if token.startswith(prefix):
            return exists(session, token)
    return False
