"""The access policy: which role may do what, reveal which fields, within which limits.

Loaded once at start from ``policies/*.yaml`` and validated; a bad file stops the service
with an error that names the file and the offending key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from service.access.actions import Action, Role

REVEALABLE_FIELDS = ("name", "email", "phone", "address")


class PolicyError(Exception):
    """The policy file cannot be used; the message names the file and the key."""


class RolePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    actions: tuple[str, ...]
    reveal_fields: tuple[str, ...] = ()

    @field_validator("actions")
    @classmethod
    def _known_actions(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        known = {a.value for a in Action}
        domains = {a.split(":", 1)[0] for a in known}
        for pattern in patterns:
            if pattern == "*":
                continue
            if pattern.endswith(":*"):
                if pattern[:-2] not in domains:
                    raise ValueError(f"unknown action domain {pattern!r}")
            elif pattern not in known:
                raise ValueError(f"unknown action {pattern!r}")
        return patterns

    @field_validator("reveal_fields")
    @classmethod
    def _known_fields(cls, fields: tuple[str, ...]) -> tuple[str, ...]:
        for name in fields:
            if name not in REVEALABLE_FIELDS:
                raise ValueError(f"unknown revealable field {name!r}")
        return fields

    def allows(self, action: str) -> bool:
        domain = action.split(":", 1)[0]
        return any(p in ("*", action, f"{domain}:*") for p in self.actions)


PositiveInt = Annotated[int, Field(gt=0)]


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_pause_days: PositiveInt = 90
    allow_open_ended_pauses: bool = True
    max_charge: dict[str, PositiveInt] = Field(default_factory=lambda: {"default": 1_000_000})
    max_bulk_subscriptions: PositiveInt = 100_000
    requests_per_minute: PositiveInt = 60_000
    # Requests that fail authentication, per source address and minute: beyond this an
    # anonymous flood gets 429 before any database work (its requests are still counted).
    failed_auth_per_minute: PositiveInt = 600
    # Email searches per principal and minute: each one answers "is this address a customer?",
    # so they get a budget of their own, far below requests_per_minute.
    email_searches_per_minute: PositiveInt = 30
    charge_retry_hours: tuple[PositiveInt, ...] = (24, 72, 168)
    # Recurring charges sent to the processor at once by one scheduler (renewal day).
    renewal_concurrency: PositiveInt = 8
    # The first send of a charge by whoever recorded it (the renewal job, or the request that
    # created a one-off charge) skips the processor's look-up for an earlier payment. Turn off
    # while a replica of an older release runs: its reconciler (or, before one-off charges
    # counted their re-sends, its retried charge requests) sends without counting, and only
    # the look-up would find that send.
    renewal_first_send_skips_lookup: bool = True
    # Days after an erasure that the processor-erasure job waits for a payment still
    # processing at the processor; then it records the charge failed and deletes the
    # processor's customer anyway (service/customers/jobs.py).
    processor_erasure_max_wait_days: PositiveInt = 7
    upcoming_charge_notice_days: PositiveInt = 3
    pause_ending_notice_days: PositiveInt = 3
    allow_http_loopback_webhooks: bool = False

    @field_validator("max_charge")
    @classmethod
    def _needs_default(cls, caps: dict[str, int]) -> dict[str, int]:
        if "default" not in caps:
            raise ValueError("max_charge needs a 'default' entry")
        return {k if k == "default" else k.upper(): v for k, v in caps.items()}

    def max_charge_for(self, currency: str) -> int:
        return self.max_charge.get(currency.upper(), self.max_charge["default"])


PAUSE_MODES = ("shift", "skip", "credit")


class SubscriberPause(BaseModel):
    """What a subscriber may choose on a pause link's page (API.md, "Subscriber pause links")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_days: PositiveInt = 7
    max_days: PositiveInt = 90
    modes: tuple[str, ...] = ("shift",)
    # When a confirmed pause starts: at once, or at the end of the period being paid for.
    start: str = "now"
    # The lengths offered when a link names none (those outside min..max are left out).
    offered_days: tuple[PositiveInt, ...] = (7, 14, 30, 60, 90)
    requests_per_minute_per_link: PositiveInt = 30
    requests_per_minute_per_address: PositiveInt = 120

    @field_validator("modes")
    @classmethod
    def _known_modes(cls, modes: tuple[str, ...]) -> tuple[str, ...]:
        if not modes:
            raise ValueError("at least one mode")
        for mode in modes:
            if mode not in PAUSE_MODES:
                raise ValueError(f"unknown mode {mode!r} (one of {', '.join(PAUSE_MODES)})")
        return tuple(dict.fromkeys(modes))

    @field_validator("start")
    @classmethod
    def _known_start(cls, start: str) -> str:
        if start not in ("now", "period_end"):
            raise ValueError("start is now or period_end")
        return start

    @model_validator(mode="after")
    def _ordered(self) -> SubscriberPause:
        if self.min_days > self.max_days:
            raise ValueError("min_days must not exceed max_days")
        return self

    def allows_days(self, days: int) -> bool:
        return self.min_days <= days <= self.max_days

    def lengths(self, requested: tuple[int, ...] | None = None) -> tuple[int, ...]:
        """The lengths a page offers: the link's own, else the policy's, within the bounds."""
        chosen = requested if requested else self.offered_days
        return tuple(sorted({days for days in chosen if self.allows_days(days)}))


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    roles: dict[Role, RolePolicy]
    limits: Limits = Limits()
    subscriber_pause: SubscriberPause = SubscriberPause()

    @field_validator("roles")
    @classmethod
    def _every_role(cls, roles: dict[Role, RolePolicy]) -> dict[Role, RolePolicy]:
        missing = [r.value for r in Role if r not in roles]
        if missing:
            raise ValueError(f"roles missing: {', '.join(missing)}")
        return roles

    @model_validator(mode="after")
    def _subscriber_pause_within_limits(self) -> Policy:
        if self.subscriber_pause.max_days > self.limits.max_pause_days:
            raise ValueError("subscriber_pause.max_days must not exceed limits.max_pause_days")
        return self

    def allows(self, role: str, action: str) -> bool:
        try:
            role_policy = self.roles[Role(role)]
        except ValueError:
            return False
        return role_policy.allows(action)

    def reveal_fields(self, role: str) -> tuple[str, ...]:
        try:
            return self.roles[Role(role)].reveal_fields
        except ValueError:
            return ()


def load_policy(path: Path) -> Policy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: the policy must be a mapping")
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise PolicyError(f"{path}: invalid policy: {problems}") from exc
