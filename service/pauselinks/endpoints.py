"""HTTP endpoints of pause links (API.md, "Subscriber pause links"), and the pages' router."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.access.policy import Policy
from service.app.context import get_clock, get_db, get_policy, get_settings
from service.app.routing import AuditedRoute, current_audit, current_caller, operation
from service.core.clock import Clock
from service.core.config import Settings
from service.core.timeparse import format_api_time
from service.pauselinks import operations, pages
from service.pauselinks.routing import STATIC_PATH
from service.pauselinks.schemas import PauseLinkCreate, PauseLinkRead, PauseLinkRevokedRead

router = APIRouter(route_class=AuditedRoute, tags=["pause links"])

Db = Annotated[Session, Depends(get_db)]
Now = Annotated[Clock, Depends(get_clock)]
CurrentPolicy = Annotated[Policy, Depends(get_policy)]
CurrentSettings = Annotated[Settings, Depends(get_settings)]

page_router = pages.router
STATIC_DIR = Path(__file__).parent / "static"


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC_DIR)


@router.post(
    "/v1/subscriptions/{subscription_id}/pause-links",
    status_code=201,
    summary="Create a subscriber pause link",
    description=(
        "A link the subscriber opens (no key: its token is the credential, stored only as a "
        "hash) to see the plan, the next charges and, for each pause length the policy "
        "(`subscriber_pause`) allows, when billing resumes and what the next charge will be "
        "— computed by the same engine as `/upcoming` — and to confirm the pause, or resume "
        "a running one. The link works until `expires_at`, its revocation, or its first "
        "confirmation. The token appears only in this response's `url`; the operation takes "
        "no `Idempotency-Key`, so that no stored response keeps it."
    ),
    **operation(Action.PAUSE_LINK_CREATE),
)
def create_pause_link(
    request: Request,
    subscription_id: str,
    body: PauseLinkCreate,
    db: Db,
    clock: Now,
    policy: CurrentPolicy,
    settings: CurrentSettings,
) -> PauseLinkRead:
    link, token = operations.create_link(
        db,
        subscription_id,
        body,
        policy.subscriber_pause,
        current_caller(request).name,
        clock.now(),
    )
    current_audit(request).add_target(link.id)
    base = settings.public_base_url or str(request.base_url)
    return PauseLinkRead(
        id=link.id,
        url=f"{base.rstrip('/')}/p/{token}",
        expires_at=format_api_time(link.expires_at),
    )


@router.delete(
    "/v1/pause-links/{link_id}",
    summary="Revoke a subscriber pause link",
    description="The link's page says it is no longer valid; a used link cannot be revoked (409).",
    **operation(Action.PAUSE_LINK_REVOKE),
)
def revoke_pause_link(link_id: str, db: Db, clock: Now) -> PauseLinkRevokedRead:
    link = operations.revoke_link(db, link_id, clock.now())
    return PauseLinkRevokedRead(id=link.id, revoked=True)


__all__ = ["STATIC_PATH", "page_router", "router", "static_files"]
