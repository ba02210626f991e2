"""Several worker processes behind one listening socket (``serve --workers N``).

The supervising process migrates and prepares once, then hands the socket to uvicorn's
supervisor, which starts N workers (and restarts one that dies). Each worker builds its own
context from the environment the supervisor passes on; the leader lock decides which of them
runs the scheduler and the sequencer (see ``service.app.background``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from service.app.background import LEADER_LOCK_ENV
from service.app.context import AppContext
from service.app.heap import freeze_startup_heap
from service.app.http_protocol import ServiceHttpProtocol
from service.core.config import Settings

PR_SET_PDEATHSIG = 1
WORKER_HEALTHCHECK_SECONDS = 60


def worker_app() -> FastAPI:
    """uvicorn's factory in each worker process."""
    from service.app.bootstrap import build_context
    from service.app.logging import configure_logging

    _die_with_parent()
    settings = Settings()
    configure_logging(settings.log_level)
    return served_app(build_context(settings))


def served_app(ctx: AppContext) -> FastAPI:
    """The app a served process runs (one worker or each of many), its start-up heap frozen."""
    from service.app.main import create_app

    app = create_app(ctx, run_scheduler=ctx.settings.scheduler_enabled, access_log=True)
    freeze_startup_heap()
    return app


# How uvicorn serves Strongroom, with one worker or many.
SERVING_OPTIONS: dict[str, Any] = {
    "log_config": None,
    "access_log": False,  # the app's own line: service/app/access_log.py
    "http": ServiceHttpProtocol,  # see service/app/http_protocol.py
    "loop": "uvloop",
    "server_header": False,
    "date_header": False,
    "proxy_headers": False,  # X-Forwarded-For: service/core/client_address.py decides
}


def run_workers(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve with ``workers`` processes; blocks until the supervisor stops."""
    os.environ.update(settings_environment(settings))
    with tempfile.TemporaryDirectory(prefix="strongroom-workers-") as scratch:
        os.environ[LEADER_LOCK_ENV] = str(Path(scratch) / "leader.lock")
        uvicorn.run(
            "service.app.workers:worker_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            **SERVING_OPTIONS,
            # A worker answers the supervisor's pings from a thread; loading the redaction
            # models on a busy machine can hold it off for longer than uvicorn's 5 s default,
            # and a worker killed while starting is started again, and killed again.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as ``STRONGROOM_*`` variables, so that a worker reads what the supervisor
    resolved (``dev`` fills in its children's addresses and token at run time)."""
    environment: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        environment[f"STRONGROOM_{name.upper()}"] = str(value)
    return environment


def _die_with_parent() -> None:
    """A worker whose supervisor is SIGKILLed gets SIGTERM instead of serving on, orphaned,
    from the inherited socket (Linux; elsewhere the supervisor's pipe is the only link)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the supervisor died before the call above took effect
        os.kill(os.getpid(), signal.SIGTERM)
