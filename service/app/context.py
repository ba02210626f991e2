"""Everything a request needs from outside, assembled once per app and handed out by
dependencies (which tests replace with ``app.dependency_overrides``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.access.auth import PrincipalCache
from service.access.policy import Policy
from service.access.ratelimit import RateLimiter
from service.audit.group_commit import GroupAppender
from service.audit.log import AuditLog
from service.audit.seal import factory_sealer
from service.audit.sequencer import Sequencer
from service.core.clock import Clock
from service.core.config import Settings
from service.core.metrics import Metrics
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.processors.port import PaymentProcessor
from service.redaction import redactor as redaction

T = TypeVar("T")


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    key_service: KeyService
    policy: Policy
    rate_limiter: RateLimiter
    processor: PaymentProcessor
    principals: PrincipalCache = field(default_factory=PrincipalCache)
    sequencer: Sequencer | None = None
    metrics: Metrics = field(default_factory=Metrics)
    data_keys: DataKeyCache = field(default_factory=DataKeyCache)
    extras: dict[str, Any] = field(default_factory=dict)
    # sessions of requests that only read (GET, HEAD): on SQLite they take no write lock
    read_session_factory: sessionmaker[Session] | None = None
    # writes the events of requests that changed nothing many at a time (PostgreSQL)
    audit_appender: GroupAppender | None = None
    # the one audit writer, on the context's own clock
    audit: AuditLog = field(init=False)

    def __post_init__(self) -> None:
        self.audit = AuditLog(
            self.clock,
            sealer=factory_sealer(self.session_factory),
            trusted_proxies=self.settings.trusted_proxies,
            appender=self.audit_appender,
        )


def app_context(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


# The dependencies below are ``async`` although they do no I/O: FastAPI runs a plain ``def``
# dependency in the thread pool, one trip per dependency per request (a read used to take six
# such trips); an ``async def`` one it calls directly on the event loop.


async def get_settings(request: Request) -> Settings:
    return app_context(request).settings


async def get_clock(request: Request) -> Clock:
    return app_context(request).clock


async def get_key_service(request: Request) -> KeyService:
    return app_context(request).key_service


async def get_processor(request: Request) -> PaymentProcessor:
    return app_context(request).processor


async def get_policy(request: Request) -> Policy:
    return app_context(request).policy


async def get_data_key_cache(request: Request) -> DataKeyCache:
    return app_context(request).data_keys


async def get_audit_log(request: Request) -> AuditLog:
    return app_context(request).audit


async def get_redactor(request: Request) -> redaction.Redactor:
    """The process-wide redactor (its NER model is loaded once, on first use)."""
    return redaction.get_redactor()


async def get_db(request: Request) -> Session:
    """The request's session; the route class opens it, commits it and closes it."""
    return request.state.db  # type: ignore[no-any-return]


_DIRECT: dict[Callable[..., Any], Callable[[Request], Any]] = {
    get_settings: lambda request: app_context(request).settings,
    get_clock: lambda request: app_context(request).clock,
    get_key_service: lambda request: app_context(request).key_service,
    get_processor: lambda request: app_context(request).processor,
    get_policy: lambda request: app_context(request).policy,
    get_data_key_cache: lambda request: app_context(request).data_keys,
    get_audit_log: lambda request: app_context(request).audit,
    get_redactor: lambda request: redaction.get_redactor(),
    get_db: lambda request: request.state.db,
}


def resolve(request: Request, dependency: Callable[[Request], Awaitable[T]]) -> T:
    """A dependency's value outside FastAPI's injection (in synchronous code), honouring
    ``app.dependency_overrides`` (tests' overrides are plain functions)."""
    override = request.app.dependency_overrides.get(dependency)
    if override is not None:
        return override(request)  # type: ignore[no-any-return]
    return _DIRECT[dependency](request)  # type: ignore[no-any-return]
