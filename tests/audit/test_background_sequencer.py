"""With the production default (a sequencing delay, no inline sequencing) a running server's
background sequencer integrates events within the delay — over real HTTP, real uvicorn."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from service.access.principals import create_principal
from service.app.bootstrap import build_context
from service.app.main import create_app
from service.core.config import Settings
from service.core.db import transaction
from tests.audit.trail import verify


def test_a_served_app_sequences_within_the_delay(
    sqlite_url: str, key_service: Any, processor: Any, tmp_path: Path
) -> None:
    import threading

    import uvicorn

    from service.devstack import free_port

    anchor_file = tmp_path / "anchors.jsonl"
    settings = Settings(
        database_url=sqlite_url,
        scheduler_enabled=False,
        audit_sequence_delay_ms=200,
        audit_anchor_file=anchor_file,
    )
    ctx = build_context(settings, key_service=key_service, processor=processor)
    from datetime import UTC, datetime

    with transaction(ctx.session_factory) as session:
        key = create_principal(session, "auditor", "compliance", datetime.now(UTC)).key
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, headers=headers) as client:
            for _ in range(5):
                assert client.get("/v1/audit/events").status_code == 200
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                sth = client.get("/v1/audit/sth")
                if sth.status_code == 200 and sth.json()["tree_size"] >= 6:
                    break
                time.sleep(0.05)
            assert sth.status_code == 200 and sth.json()["tree_size"] >= 6, sth.text
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    lines = anchor_file.read_text().splitlines()
    assert lines, "the anchor file holds the tree heads"
    result = verify(sqlite_url, key_service, anchor_file)
    assert result["ok"], result
    ctx.engine.dispose()
