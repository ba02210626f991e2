"""Everything a request needs from outside, assembled once per app and handed out by
dependencies (which tests replace with ``app.dependency_overrides``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.access.auth import PrincipalCache
from service.access.policy import Policy
from service.access.ratelimit import RateLimiter
from service.audit.sequencer import Sequencer
from service.core.clock import Clock
from service.core.config import Settings
from service.core.metrics import Metrics
from service.keys.cache import DataKeyCache

T = TypeVar("T")


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    key_service: Any
    policy: Policy
    rate_limiter: RateLimiter
    processor: Any = None
    principals: PrincipalCache = field(default_factory=PrincipalCache)
    sequencer: Sequencer | None = None
    metrics: Metrics = field(default_factory=Metrics)
    data_keys: DataKeyCache = field(default_factory=DataKeyCache)
    extras: dict[str, Any] = field(default_factory=dict)


def app_context(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return app_context(request).settings


def get_clock(request: Request) -> Clock:
    return app_context(request).clock


def get_key_service(request: Request) -> Any:
    return app_context(request).key_service


def get_processor(request: Request) -> Any:
    return app_context(request).processor


def get_policy(request: Request) -> Policy:
    return app_context(request).policy


def get_data_key_cache(request: Request) -> DataKeyCache:
    return app_context(request).data_keys


def get_db(request: Request) -> Session:
    """The request's session; the route class opens it, commits it and closes it."""
    return request.state.db  # type: ignore[no-any-return]


def resolve(request: Request, dependency: Callable[[Request], T]) -> T:
    """Call a dependency the way FastAPI would, honouring ``app.dependency_overrides``."""
    override = request.app.dependency_overrides.get(dependency, dependency)
    return override(request)  # type: ignore[no-any-return]
