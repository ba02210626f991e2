"""``/p/{token}``: the subscriber's page behind a pause link (server-rendered, no script).

GET shows the plan and the next charges; with ``?days=`` (and ``&mode=``) the preview of that
pause, with ``?resume=preview`` the preview of resuming the running pause now. POST (CSRF)
confirms one of them and uses the link up. Every figure comes from the pause engine.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.access.policy import Policy
from service.app.context import (
    get_clock,
    get_data_key_cache,
    get_db,
    get_key_service,
    get_policy,
)
from service.core.clock import Clock
from service.core.errors import PolicyViolation, ValidationFailed
from service.customers import exposure
from service.customers.operations import customer_state, read_customer
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.pauselinks import operations, preview
from service.pauselinks.models import PauseLink, PauseLinkState
from service.pauselinks.routing import (
    SubscriberPageRoute,
    current_link,
    form,
    render,
    subscriber_page,
)
from service.subscriptions.models import Pause, PauseStatus, Subscription, SubscriptionStatus
from service.subscriptions.operations import find_subscription, get_subscription, live_pauses

router = APIRouter(route_class=SubscriberPageRoute, include_in_schema=False)

Db = Annotated[Session, Depends(get_db)]
Now = Annotated[Clock, Depends(get_clock)]
CurrentPolicy = Annotated[Policy, Depends(get_policy)]
Keys = Annotated[KeyService, Depends(get_key_service)]
Cache = Annotated[DataKeyCache, Depends(get_data_key_cache)]

LINK_STATE_PAGES = {
    PauseLinkState.EXPIRED: (
        "This link has expired",
        "Pause links work for a limited time. Ask for a new one if you still want to pause.",
    ),
    PauseLinkState.USED: (
        "This link has already been used",
        "Each pause link can be used once. Your choice was saved when you confirmed it.",
    ),
    PauseLinkState.REVOKED: (
        "This link is no longer valid",
        "It was withdrawn. Ask for a new one if you still want to pause.",
    ),
}


def _closed_page(request: Request, heading: str, text: str) -> HTMLResponse:
    return render(request, "closed.html", status=410, heading=heading, text=text)


def _subject(
    request: Request, db: Session, link: PauseLink, now: Any
) -> tuple[Subscription, list[Pause]] | HTMLResponse:
    """The link's subscription and its live pauses, or the page that says the link is closed."""
    state = link.state(now)
    if state != PauseLinkState.USABLE:
        return _closed_page(request, *LINK_STATE_PAGES[state])
    subscription = find_subscription(db, link.subscription)
    if customer_state(db, subscription.customer) != "active":
        return _closed_page(request, *LINK_STATE_PAGES[PauseLinkState.REVOKED])
    if subscription.status == SubscriptionStatus.CANCELED:
        return _closed_page(
            request, "This subscription has ended", "There is nothing left to pause."
        )
    return subscription, live_pauses(db, subscription.id)


def _chosen(value: str | None, label: str) -> int:
    # isdigit() also takes "²" and other digits int() refuses.
    if value is None or not (value.isascii() and value.isdecimal()) or len(value) > 4:
        raise ValidationFailed(f"Choose one of the {label} offered.")
    return int(value)


def _mode(value: str | None, policy: Policy) -> str:
    mode = value or policy.subscriber_pause.modes[0]
    if mode not in policy.subscriber_pause.modes:
        raise PolicyViolation("Choose one of the ways of pausing offered.")
    return mode


@router.get("/p/{token}", **subscriber_page(Action.PAUSE_LINK_VIEW))
def view(
    request: Request,
    db: Db,
    clock: Now,
    policy: CurrentPolicy,
    keys: Keys,
    cache: Cache,
    days: str | None = None,
    mode: str | None = None,
    resume: str | None = None,
) -> HTMLResponse:
    link = current_link(request)
    now = clock.now()
    found = _subject(request, db, link, now)
    if isinstance(found, HTMLResponse):
        return found
    subscription, pauses = found
    rules = policy.subscriber_pause
    common = _common(request, db, keys, cache, link, subscription)
    running = preview.running_pause(pauses)
    if running is not None:
        if resume == "preview":
            outlook = preview.with_resume(subscription, pauses, now)
            return render(request, "resume_preview.html", outlook=outlook, changed=False, **common)
        return render(
            request,
            "paused.html",
            pause=running,
            outlook=preview.as_it_is(subscription, pauses, now),
            **common,
        )
    scheduled = next((p for p in pauses if p.status == PauseStatus.SCHEDULED), None)
    if scheduled is not None:
        return render(
            request,
            "scheduled.html",
            pause=scheduled,
            outlook=preview.as_it_is(subscription, pauses, now),
            **common,
        )
    lengths = operations.offered_lengths(link, rules)
    if days is None:
        return render(
            request,
            "choose.html",
            lengths=lengths,
            modes=rules.modes,
            outlook=preview.as_it_is(subscription, pauses, now),
            **common,
        )
    chosen = _chosen(days, "lengths")
    if chosen not in lengths:
        raise PolicyViolation("Choose one of the lengths offered.")
    chosen_mode = _mode(mode, policy)
    outlook = preview.with_pause(
        subscription, pauses, chosen, chosen_mode, rules, policy.limits, now
    )
    return _pause_preview(request, common, chosen, chosen_mode, outlook)


def _same(seen: str, promise: str) -> bool:
    return seen.isascii() and hmac.compare_digest(seen, promise)


def _masked_name(
    request: Request, db: Session, keys: KeyService, cache: DataKeyCache, customer: str
) -> str:
    """The customer's masked name for the page, the page's audit event naming whose it is."""
    name = str(read_customer(db, keys, cache, customer)["masked"]["name"])
    exposure.record_returned(request.state.audit, [customer], [exposure.MASKED_CATEGORIES["name"]])
    return name


def _common(
    request: Request,
    db: Session,
    keys: KeyService,
    cache: DataKeyCache,
    link: PauseLink,
    subscription: Subscription,
) -> dict[str, Any]:
    return {
        "subscription": subscription,
        "name": _masked_name(request, db, keys, cache, subscription.customer),
        "return_url": link.return_url,
        "expires_at": link.expires_at,
    }


def _pause_preview(
    request: Request,
    common: dict[str, Any],
    days: int,
    mode: str,
    outlook: preview.Outlook,
    *,
    changed: bool = False,
) -> HTMLResponse:
    return render(
        request,
        "pause_preview.html",
        status=409 if changed else 200,
        days=days,
        mode=mode,
        outlook=outlook,
        changed=changed,
        **common,
    )


@router.post("/p/{token}", **subscriber_page(Action.PAUSE_LINK_CONFIRM))
def confirm(
    request: Request, db: Db, clock: Now, policy: CurrentPolicy, keys: Keys, cache: Cache
) -> HTMLResponse:
    link = current_link(request)
    now = clock.now()
    found = _subject(request, db, link, now)
    if isinstance(found, HTMLResponse):
        return found
    subscription, _ = found
    values = form(request)
    record = request.state.audit
    choice = values.get("action")
    if choice not in ("pause", "resume"):
        raise ValidationFailed("Choose to pause or to resume.")
    record.action = (
        Action.PAUSE_LINK_PAUSE.value if choice == "pause" else Action.PAUSE_LINK_RESUME.value
    )
    # Lock the link and the subscription, then ask the engine again: if its answer is not the
    # one the subscriber saw (time moved, another pause landed), they see the new one first.
    operations.lock_usable(db, link, now)
    subscription = get_subscription(db, subscription.id, for_update=True)
    pauses = live_pauses(db, subscription.id)
    seen = values.get("promise", "")
    if choice == "pause":
        days, mode = _chosen(values.get("days"), "lengths"), _mode(values.get("mode"), policy)
        rules = policy.subscriber_pause
        if days not in operations.offered_lengths(link, rules):
            raise PolicyViolation("Choose one of the lengths offered.")
        outlook = preview.with_pause(subscription, pauses, days, mode, rules, policy.limits, now)
        if not _same(seen, outlook.promise):
            common = _common(request, db, keys, cache, link, subscription)
            return _pause_preview(request, common, days, mode, outlook, changed=True)
        pause = operations.confirm_pause(
            db, link, days, mode, policy.subscriber_pause, policy.limits, now
        )
        template = "paused_done.html"
    else:
        outlook = preview.with_resume(subscription, pauses, now)
        if not _same(seen, outlook.promise):
            common = _common(request, db, keys, cache, link, subscription)
            return render(
                request,
                "resume_preview.html",
                status=409,
                outlook=outlook,
                changed=True,
                **common,
            )
        pause = operations.confirm_resume(db, link, now)
        template = "resumed_done.html"
    record.add_target(pause.id)
    if subscription.status != SubscriptionStatus.CANCELED:
        db.refresh(subscription)
    outlook = preview.as_it_is(subscription, live_pauses(db, subscription.id), now)
    return render(
        request,
        template,
        subscription=subscription,
        name=_masked_name(request, db, keys, cache, subscription.customer),
        pause=pause,
        outlook=outlook,
        return_url=link.return_url,
    )
