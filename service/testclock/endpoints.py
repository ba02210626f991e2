"""``/v1/test/clock``: only when the test clock is enabled; 404 otherwise."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from service.access.actions import Action
from service.app.context import app_context, get_clock
from service.app.routing import AuditedRoute, operation
from service.core.clock import Clock, FrozenClock
from service.core.errors import NotFound, ValidationFailed
from service.core.timeparse import format_api_time
from service.testclock.schemas import ClockMove, ClockRead

router = APIRouter(prefix="/v1/test", route_class=AuditedRoute, tags=["test clock"])


async def test_clock(request: Request, clock: Annotated[Clock, Depends(get_clock)]) -> FrozenClock:
    if not app_context(request).settings.test_clock or not isinstance(clock, FrozenClock):
        raise NotFound("The test clock is not enabled.")
    return clock


@router.get("/clock", **operation(Action.TEST_CLOCK_READ))
def read_clock(clock: Annotated[FrozenClock, Depends(test_clock)]) -> ClockRead:
    return ClockRead(now=format_api_time(clock.now()))


@router.post("/clock", **operation(Action.TEST_CLOCK_MOVE))
async def move_clock(
    request: Request, body: ClockMove, clock: Annotated[FrozenClock, Depends(test_clock)]
) -> ClockRead:
    from service.jobs.scheduler import run_due_jobs

    if body.now < clock.now():
        raise ValidationFailed("The test clock never moves backwards.")
    clock.set(body.now)
    await run_in_threadpool(run_due_jobs, app_context(request), clock.now())
    return ClockRead(now=format_api_time(clock.now()))
