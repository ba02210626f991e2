"""Webhook endpoints: created by admins, secret shown once and kept only encrypted."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.app.context import AppContext
from service.core.errors import Gone, NotFound
from service.events.models import WebhookEndpoint
from service.events.urls import validate_webhook_url
from service.keys.envelope import decrypt_field, encrypt_field

TABLE = "webhook_endpoints"
SECRET_COLUMN = "secret_ct"  # noqa: S105 - a column name, not a secret
# the data key of an endpoint is never replaced, so its generation is always 1
DATA_KEY_GENERATION = 1


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str


def loopback_receivers_allowed(ctx: AppContext) -> bool:
    """Plain-http loopback receivers: under ``strongroom dev`` or where the policy allows."""
    return ctx.policy.limits.allow_http_loopback_webhooks or ctx.settings.dev_mode


def new_endpoint_id() -> str:
    return "we_" + secrets.token_hex(12)


def create_endpoint(
    session: Session,
    key_service: Any,
    *,
    url: str,
    events: list[str],
    now: datetime,
    allow_http_loopback: bool,
) -> CreatedEndpoint:
    validate_webhook_url(url, allow_http_loopback=allow_http_loopback)
    endpoint_id = new_endpoint_id()
    secret = "whsec_" + secrets.token_urlsafe(32)
    data_key = key_service.generate_data_key()
    endpoint = WebhookEndpoint(
        id=endpoint_id,
        url=url,
        events=json.dumps(sorted(set(events))),
        wrapped_key=data_key.wrapped,
        key_version=data_key.version,
        secret_ct=encrypt_field(
            data_key.plaintext,
            secret.encode(),
            table=TABLE,
            column=SECRET_COLUMN,
            record_id=endpoint_id,
            key_version=DATA_KEY_GENERATION,
        ),
        created_at=now,
    )
    session.add(endpoint)
    session.flush()
    return CreatedEndpoint(endpoint=endpoint, secret=secret)


def endpoint_secret(key_service: Any, endpoint: WebhookEndpoint) -> str:
    key = key_service.unwrap_data_key(endpoint.wrapped_key)
    return decrypt_field(
        key,
        endpoint.secret_ct,
        table=TABLE,
        column=SECRET_COLUMN,
        record_id=endpoint.id,
        key_version=DATA_KEY_GENERATION,
    ).decode()


def get_endpoint(session: Session, endpoint_id: str) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    if endpoint.deleted_at is not None:
        raise Gone("This webhook endpoint was deleted.")
    return endpoint


def delete_endpoint(session: Session, endpoint_id: str, now: datetime) -> WebhookEndpoint:
    endpoint = get_endpoint(session, endpoint_id)
    endpoint.deleted_at = now
    return endpoint


def endpoint_exists(session: Session, endpoint_id: str) -> bool:
    return (
        session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.id == endpoint_id))
        is not None
    )


def endpoint_view(endpoint: WebhookEndpoint, secret: str | None = None) -> dict[str, Any]:
    from service.core.timeparse import format_api_time

    view: dict[str, Any] = {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": json.loads(endpoint.events),
        "created_at": format_api_time(endpoint.created_at),
    }
    if secret is not None:
        view["secret"] = secret
    return view
