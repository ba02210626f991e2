"""The data key's versions and how many stored data keys each wraps (``strongroom keys
status`` in a page)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from service.access.actions import Action
from service.app.context import get_key_service, resolve
from service.console.routing import ConsoleRoute, console_page, render
from service.keys import keystore

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


@router.get("/keys", **console_page(Action.KEYS_STATUS))
def keys(request: Request) -> Response:
    key = resolve(request, get_key_service).key_status()
    counts = keystore.count_by_key_version(request.state.db)
    every = set(range(1, key.latest_version + 1)) | set(key.versions) | set(counts)
    rows = []
    for version in sorted(every, reverse=True):
        if version < key.min_decryption_version:
            state = "retired"
        elif version == key.latest_version:
            state = "latest"
        else:
            state = "decrypt only"
        rows.append({"version": version, "data_keys": counts.get(version, 0), "state": state})
    return render(request, "keys.html", title="Key status", key=key, rows=rows)
