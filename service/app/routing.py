"""The route class that owns each request's transaction, authorization and audit event.

Every API route is built with :class:`AuditedRoute` and declares its action with
:func:`operation`. The route class, not the endpoint, authenticates the caller, applies the
policy (404 before 403), claims idempotency keys, then commits the effect and its audit event
in one transaction — or rolls the effect back and commits the event alone.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Literal

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.access.auth import Caller, authenticate, bearer_token
from service.access.keys import parse_key
from service.access.ratelimit import address_bucket
from service.access.resolvers import token_exists
from service.app.context import (
    AppContext,
    app_context,
    get_clock,
    get_key_service,
    resolve,
)
from service.app.problems import problem, to_service_error
from service.app.request_audit import (
    EndingInThread,
    commit_with_event,
    end_on_the_loop,
    ends_on_the_loop,
    reads_for_the_group,
    record_event_alone,
)
from service.audit.recorder import AuditRecord
from service.core.client_address import client_address
from service.core.errors import (
    Forbidden,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServiceError,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
)
from service.idempotency import claims as idempotency

log = logging.getLogger("strongroom.requests")

TOKEN_PATTERN = re.compile(r"^[a-z]+(_tok)?_[A-Za-z0-9]{8,64}$")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Idempotency = Literal["required", "optional"] | None


def operation(action: str, *, idempotency: Idempotency = None) -> dict[str, Any]:
    """Keyword arguments for a route decorator: the action, published as ``x-action``, and
    the answer serialised from the route's ``XRead`` model leaving out the keys its view
    left out (service/core/schemas.py)."""
    extra: dict[str, Any] = {"x-action": str(action)}
    if idempotency:
        extra["x-idempotency"] = idempotency
    return {"openapi_extra": extra, "response_model_exclude_unset": True}


def current_caller(request: Request) -> Caller:
    return request.state.caller  # type: ignore[no-any-return]


def current_audit(request: Request) -> AuditRecord:
    return request.state.audit  # type: ignore[no-any-return]


class AuditedRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, in_one_trip(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()
        extra = self.openapi_extra or {}
        action = extra.get("x-action")
        if not action:
            raise RuntimeError(f"route {self.path} declares no action")
        mode: Idempotency = extra.get("x-idempotency")
        # Unknown query parameters are refused like unknown body fields, so a misspelt filter
        # (?stauts=) never silently lists everything.
        declared = frozenset(_query_names(self.dependant))

        async def handler(request: Request) -> Response:
            return await _handle(request, original, str(action), mode, declared)

        return handler


def in_one_trip(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A plain ``def`` endpoint as a coroutine that runs it in the thread pool.

    FastAPI sends a synchronous endpoint to the thread pool, then its return value there
    again for validation against the response model (the return annotation): two trips per
    request, each a queue hand-off and a wake-up of the event loop. Seen as a coroutine, the
    endpoint takes one trip and its (small) result is validated on the loop. FastAPI reads
    the parameters and annotations through ``__wrapped__``, so nothing else changes.
    """
    if (
        inspect.iscoroutinefunction(endpoint)
        or inspect.isgeneratorfunction(endpoint)
        or inspect.isasyncgenfunction(endpoint)
        or not inspect.isfunction(endpoint)
    ):
        return endpoint

    def run_and_end(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        ending = _ENDING_IN_THREAD.get()
        if ending is not None:
            ending.after(result)
        return result

    @functools.wraps(endpoint)
    async def endpoint_in_thread(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(run_and_end, *args, **kwargs)

    return endpoint_in_thread


# Set by _handle around the endpoint of a request that ends in its endpoint's thread (the
# thread pool copies the context into the thread).
_ENDING_IN_THREAD: ContextVar[EndingInThread | None] = ContextVar(
    "strongroom_ending_in_thread", default=None
)


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


class PublicRoute(APIRoute):
    """Operations endpoints: no key, no data, no audit; they still declare an action."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        if not (self.openapi_extra or {}).get("x-action"):
            raise RuntimeError(f"route {self.path} declares no action")
        return super().get_route_handler()


async def _handle(
    request: Request,
    original: Callable[[Request], Awaitable[Response]],
    action: str,
    mode: Idempotency,
    declared_query: frozenset[str],
) -> Response:
    ctx = app_context(request)
    record = AuditRecord(action=action)
    request.state.audit = record
    session = _session_for(request, ctx)
    request.state.db = session
    claimed: idempotency.Claim | None = None
    ending: EndingInThread | None = None
    response: Response | None = None
    started = time.perf_counter()
    try:
        try:
            # Authenticate first: an unauthenticated caller's body is never read.
            caller = _admit_from_memory(request, ctx, record, action) or await run_in_threadpool(
                _authorize, request, session, ctx, record, action
            )
            await _read_body(request, ctx.settings.max_body_bytes)
            if any(name not in declared_query for name in request.query_params):
                raise ValidationFailed(
                    "The query string has a parameter this operation does not take."
                )
            _refuse_nul_characters(request, await request.body())
            if mode is not None:
                replay, claimed = await _claim_idempotency(request, ctx, caller, action, mode)
                if replay is not None:
                    response = Response(
                        replay.body, status_code=replay.status, media_type=_media_for(replay.status)
                    )
                    response.headers["idempotent-replayed"] = "true"
                    for token in replay.targets:
                        record.add_target(token)
                    if replay.fields is not None:
                        record.fields = list(replay.fields)
                    await run_in_threadpool(
                        commit_with_event, request, session, record, response.status_code
                    )
                    return response
            ending = _ending_in_thread(request, session, record) if claimed is None else None
            reset = _ENDING_IN_THREAD.set(ending)
            try:
                response = await original(request)
            finally:
                _ENDING_IN_THREAD.reset(reset)
            if ending is not None and ending.answered is not None:
                _check_answer(ending, response)
                return response
        except Exception as exc:  # noqa: BLE001 - every failure becomes a problem response
            response = problem(to_service_error(exc, body_model(request)))
            if ending is not None and ending.answered is not None:
                # The effect and its event are committed; only the answer failed after them.
                log.error("the answer failed after the request was committed: %s", type(exc))
                return response
            await run_in_threadpool(session.rollback)
        if claimed is not None and response.status_code >= 500:
            await run_in_threadpool(idempotency.release, ctx.session_factory, claimed)
            claimed = None
        if claimed is None and ends_on_the_loop(request, session):
            await end_on_the_loop(request, session, record, response.status_code)
            return response
        # The stored response (a query: off the event loop), the audit event, the commit and
        # the session's release, in one trip to the thread pool.
        await run_in_threadpool(_store_finish_close, request, session, record, response, claimed)
        claimed = None
        return response
    except Exception as exc:  # noqa: BLE001 - the commit itself failed (database gone, …)
        await run_in_threadpool(session.rollback)
        response = problem(to_service_error(exc))
        await run_in_threadpool(record_event_alone, request, ctx, record, response.status_code)
        if claimed is not None:
            await run_in_threadpool(_release_quietly, ctx, claimed)
        return response
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()  # nothing to roll back: no I/O
        status = response.status_code if response is not None else 500
        ctx.metrics.observe(action, status, time.perf_counter() - started)


def _ending_in_thread(
    request: Request, session: Session, record: AuditRecord
) -> EndingInThread | None:
    """For a request with no idempotency claim, the end it takes in its endpoint's thread —
    unless it is a read on PostgreSQL (it ends on the loop, see ``ends_on_the_loop``) or its
    endpoint may set its own status (a ``Response`` parameter)."""
    if reads_for_the_group(request, session):
        return None
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or _takes_a_response(route.dependant):
        return None
    return EndingInThread(request, session, record, route.status_code or 200)


def _takes_a_response(dependant: Dependant) -> bool:
    return dependant.response_param_name is not None or any(
        _takes_a_response(sub) for sub in dependant.dependencies
    )


def _check_answer(ending: EndingInThread, response: Response) -> None:
    if response.status_code != ending.answered:  # a route answering otherwise than declared
        log.error(
            "a request was audited with status %s but answered %s",
            ending.answered,
            response.status_code,
        )


def _session_for(request: Request, ctx: AppContext) -> Session:
    """A read-only session for a request that cannot change anything (GET, HEAD): on SQLite it
    reads a snapshot without the write lock, and its event is written after it ends."""
    if request.method not in BODY_METHODS and ctx.read_session_factory is not None:
        return ctx.read_session_factory()
    return ctx.session_factory()


def body_model(request: Request) -> Any:
    """The body type the matched operation declares (None when it takes no body)."""
    field = getattr(request.scope.get("route"), "body_field", None)
    return getattr(getattr(field, "field_info", None), "annotation", None)


def _media_for(status: int) -> str:
    return "application/problem+json" if status >= 400 else "application/json"


async def _read_body(request: Request, limit: int) -> None:
    if request.method not in BODY_METHODS:
        return
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise InvalidRequest("The Content-Length header is not a number.")
        if int(declared) > limit:
            raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette reuses it for request.body()/json()
    if body.strip():
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType("The body must be JSON (Content-Type: application/json).")
        _refuse_deep_nesting(body)


MAX_JSON_BRACKETS_UNCHECKED = 256


def _refuse_deep_nesting(body: bytes) -> None:
    """Python's json parser recurses per level: 100,000 nested arrays raise RecursionError
    (a 500) wherever the body is parsed. Bodies with few brackets cannot nest that deep."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_BRACKETS_UNCHECKED:
        return
    try:
        json.loads(body)
    except RecursionError:
        raise InvalidRequest("The JSON body is nested too deeply.") from None
    except ValueError:
        return  # malformed JSON is reported by the body's own validation


def _refuse_nul_characters(request: Request, body: bytes) -> None:
    """PostgreSQL text cannot hold U+0000: a NUL in a header (X-Purpose, Idempotency-Key), a
    query value or a body string failed the whole request, and its audit event, with a 500
    there. No field of this API needs one."""
    if any("\x00" in value for value in request.headers.values()):
        raise InvalidRequest("A header contains a NUL character.")
    if any("\x00" in k or "\x00" in v for k, v in request.query_params.multi_items()):
        raise ValidationFailed("The query string contains a NUL character.")
    if b"\\u0000" not in body:
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        return  # malformed JSON is reported by the body's own validation
    if _holds_nul(parsed):
        raise ValidationFailed("A text field of the body contains a NUL character.")


def _holds_nul(value: object) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _authorize(
    request: Request, session: Session, ctx: AppContext, record: AuditRecord, action: str
) -> Caller:
    now = resolve(request, get_clock).now()
    caller = _authenticate_limited(request, session, ctx, now)
    # End the read-only authentication transaction (if the key was not cached) before the
    # rate counter writes: on SQLite every transaction holds the write lock.
    if session.in_transaction():
        session.commit()
    record.actor, record.role = caller.name, caller.role
    request.state.caller = caller
    retry_after = ctx.rate_limiter.hit(_rate_bucket(caller), ctx.policy.limits.requests_per_minute)
    if retry_after is not None:
        raise RateLimited(
            "Too many requests for this key; slow down.",
            headers={"Retry-After": str(int(retry_after))},
        )
    tokens = _path_tokens(request)
    if any("\x00" in token for token in tokens):
        raise NotFound("No such resource.")  # no token holds one; PostgreSQL cannot look it up
    _note_targets(record, tokens)
    if not ctx.policy.allows(caller.role, action):
        if any(not token_exists(session, token) for token in tokens):
            raise NotFound("No such resource.")
        raise Forbidden("Your role may not perform this action.")
    return caller


def _admit_from_memory(
    request: Request, ctx: AppContext, record: AuditRecord, action: str
) -> Caller | None:
    """What :func:`_authorize` decides, without its trip to the thread pool, for the common
    case in which it needs no database: the key in this worker's principal cache with no
    revocation check due, a role the policy allows, and a rate-limit token left in this
    worker's lease. None for everything else, which :func:`_authorize` decides in full."""
    token = bearer_token(request)
    now = resolve(request, get_clock).now()
    caller = None if token is None else ctx.principals.cached(token, now)
    if caller is None or not ctx.policy.allows(caller.role, action):
        return None
    tokens = _path_tokens(request)
    if any("\x00" in token for token in tokens):
        return None
    if not ctx.rate_limiter.take_leased(_rate_bucket(caller)):
        return None
    record.actor, record.role = caller.name, caller.role
    request.state.caller = caller
    _note_targets(record, tokens)
    return caller


def _rate_bucket(caller: Caller) -> str:
    return f"key:{caller.key_id}"


def _path_tokens(request: Request) -> list[str]:
    return [v for v in request.path_params.values() if isinstance(v, str)]


def _note_targets(record: AuditRecord, tokens: list[str]) -> None:
    for token in tokens:
        if TOKEN_PATTERN.match(token):
            record.add_target(token)


def _authenticate_limited(
    request: Request, session: Session, ctx: AppContext, now: datetime
) -> Caller:
    """Authenticate, counting failures per source address (across workers and replicas).
    Past the policy's ``failed_auth_per_minute`` an address gets 429 for every request that
    does not carry a valid key — without any lookup when it carries no well-formed key —
    while valid keys from the same address (a shared NAT) keep working."""
    token = bearer_token(request)
    if (token is None or parse_key(token) is None) and ctx.rate_limiter.refusing(
        _failure_bucket(request, ctx)
    ):
        raise _flood()
    try:
        return authenticate(session, token, now, ctx.principals)
    except Unauthenticated:
        session.rollback()  # SQLite: the counter needs the write lock this transaction holds
        limit = ctx.policy.limits.failed_auth_per_minute
        if ctx.rate_limiter.hit(_failure_bucket(request, ctx), limit) is not None:
            raise _flood() from None
        raise


def _failure_bucket(request: Request, ctx: AppContext) -> str:
    address = client_address(request, ctx.settings.trusted_proxies) or "unknown"
    return f"auth-failure:{address_bucket(address)}"


def _flood() -> RateLimited:
    return RateLimited(
        "Too many failed authentications from this address; slow down.",
        headers={"Retry-After": "60"},
    )


async def _claim_idempotency(
    request: Request, ctx: AppContext, caller: Caller, action: str, mode: Idempotency
) -> tuple[idempotency.Replay | None, idempotency.Claim | None]:
    key = idempotency.read_key(request.headers.get("idempotency-key"), required=mode == "required")
    if key is None:
        return None, None
    fingerprint = idempotency.body_fingerprint(action, request.url.path, await request.body())
    now = resolve(request, get_clock).now()
    outcome = await run_in_threadpool(
        idempotency.claim,
        ctx.session_factory,
        resolve(request, get_key_service),
        caller.key_id,
        key,
        action,
        fingerprint,
        now,
    )
    if isinstance(outcome, idempotency.Replay):
        return outcome, None
    return None, outcome


def _store_finish_close(
    request: Request,
    session: Session,
    record: AuditRecord,
    response: Response,
    claimed: idempotency.Claim | None,
) -> None:
    if claimed is not None:
        idempotency.store(
            session,
            claimed,
            response.status_code,
            bytes(response.body),
            record.targets,
            record.fields,
        )
    commit_with_event(request, session, record, response.status_code)
    session.close()


def _release_quietly(ctx: AppContext, claimed: idempotency.Claim) -> None:
    try:
        idempotency.release(ctx.session_factory, claimed)
    except ServiceError:
        log.warning("idempotency key could not be released")
    except Exception:  # noqa: BLE001
        log.warning("idempotency key could not be released")
