"""``/console``: every console page, none of them in ``/openapi.json``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from service.console import (
    admin_pages,
    auth_pages,
    data_pages,
    keys_pages,
    reveal_pages,
    trail_pages,
)
from service.console.routing import STATIC_PATH

router = APIRouter(include_in_schema=False)
for module in (auth_pages, trail_pages, data_pages, reveal_pages, keys_pages, admin_pages):
    router.include_router(module.router)

STATIC_DIR = Path(__file__).parent / "static"


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC_DIR)


__all__ = ["STATIC_PATH", "router", "static_files"]
