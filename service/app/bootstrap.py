"""Assembling the application's collaborators from settings."""

from __future__ import annotations

from datetime import UTC, datetime

from service.access.policy import load_policy
from service.access.ratelimit import RateLimiter, counter_engine
from service.app.context import AppContext
from service.audit.group_commit import GroupAppender
from service.audit.log import build_sequencer
from service.audit.seal import EventSealer
from service.audit.sequencer import install_inline_sequencing
from service.core.clock import Clock, FrozenClock, SystemClock
from service.core.config import Settings
from service.core.db import make_engine, make_request_read_session_factory, make_session_factory
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.processors.port import PaymentProcessor


def build_key_service(settings: Settings) -> KeyService:
    from service.keys.approle import approle_credentials
    from service.keys.transit import TransitKeyService, build_vault_client, login_with_approle

    role_id, secret_id = approle_credentials(settings)
    client = build_vault_client(
        settings.vault_addr,
        token=settings.vault_token.get_secret_value() if settings.vault_token else None,
        role_id=role_id,
        secret_id=secret_id,
        timeout=settings.vault_timeout_seconds,
        ca_cert=str(settings.vault_ca_cert) if settings.vault_ca_cert else None,
    )
    reauthenticate = None
    if role_id and secret_id and not settings.vault_token:

        def reauthenticate() -> None:  # an AppRole token expires: log in again
            login_with_approle(client, role_id=role_id, secret_id=secret_id)

    return TransitKeyService(
        client,
        mount_point=settings.vault_transit_mount,
        reauthenticate=reauthenticate,
        anchor_path=settings.audit_anchor_path,
    )


# Only outside ``serve`` (which refuses to start without a key): dev stacks, tests, sandboxes.
SANDBOX_STRIPE_KEY = "sk_test_strongroom"


def build_processor(settings: Settings) -> PaymentProcessor:
    from service.processors.stripe_adapter import StripeProcessor

    key = settings.stripe_api_key
    return StripeProcessor(
        key.get_secret_value() if key is not None else SANDBOX_STRIPE_KEY,
        api_base=settings.stripe_api_base,
        timeout=settings.stripe_timeout_seconds,
    )


def build_clock(settings: Settings) -> Clock:
    if settings.test_clock:
        return FrozenClock(datetime.now(UTC).replace(microsecond=0))
    return SystemClock()


def build_context(
    settings: Settings,
    *,
    clock: Clock | None = None,
    key_service: KeyService | None = None,
    processor: PaymentProcessor | None = None,
) -> AppContext:
    engine = make_engine(settings.resolved_database_url)
    keys = key_service if key_service is not None else build_key_service(settings)
    sealer = EventSealer(keys)
    sealer.prime()
    session_factory = make_session_factory(engine, sealer)
    sequencer = build_sequencer(settings, make_session_factory(engine, sealer), keys)
    inline = settings.audit_sequence_delay_ms == 0
    if inline:
        install_inline_sequencing(session_factory, sequencer)
    appender = None
    if engine.dialect.name == "postgresql":
        appender = GroupAppender(engine, after_write=sequencer.after_append if inline else None)
    return AppContext(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        read_session_factory=make_request_read_session_factory(engine),
        clock=clock or build_clock(settings),
        key_service=keys,
        policy=load_policy(settings.policy_file),
        rate_limiter=RateLimiter(counter_engine(engine)),
        processor=processor if processor is not None else build_processor(settings),
        sequencer=sequencer,
        audit_appender=appender,
        data_keys=DataKeyCache(
            max_entries=settings.data_key_cache_size,
            max_age_seconds=settings.data_key_cache_seconds,
        ),
    )
