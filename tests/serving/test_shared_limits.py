"""Two worker processes on PostgreSQL behave as one service: a principal's rate limit is
counted once across them, and a revoked key stops working on every worker within a second."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml

from service.access.principals import revoke_principal
from service.core.db import make_engine, transaction
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from tests.fixtures.live_server import PROJECT_ROOT, LiveServer
from tests.serving.test_workers import wait_for, worker_pids

PER_MINUTE = 40


def two_workers_on_postgres(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    pg_url: str,
    tmp_path: Path,
) -> LiveServer:
    policy = yaml.safe_load((PROJECT_ROOT / "policies" / "default.yaml").read_text())
    policy["limits"]["requests_per_minute"] = PER_MINUTE
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(yaml.safe_dump(policy))
    server = make_live_server(
        db_url=pg_url,
        vault_addr=openbao.addr,
        vault_token=openbao.token,
        stripe_api_base=localstripe.url,
        workers=2,
        env={"STRONGROOM_POLICY_FILE": str(policy_file)},
    )
    wait_for(lambda: len(worker_pids(server.pid)) == 2, timeout=60)
    return server


def served_by_both_workers(server: LiveServer, send: Callable[[httpx.Client], int]) -> list[int]:
    """Statuses of requests sent on fresh connections, many at once, so that the kernel spreads
    them over both workers' accept loops."""

    def one(_: int) -> int:
        with server.client("compliance") as http:
            return send(http)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, range(2 * PER_MINUTE)))


def test_a_principal_rate_limit_holds_across_two_workers(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    pg_url: str,
    tmp_path: Path,
) -> None:
    server = two_workers_on_postgres(make_live_server, openbao, localstripe, pg_url, tmp_path)
    if time.time() % 60 > 45:  # keep the burst inside one counting minute
        time.sleep(61 - time.time() % 60)
    statuses = served_by_both_workers(
        server, lambda http: http.get("/v1/audit/events", params={"limit": 1}).status_code
    )
    allowed = statuses.count(200)
    assert statuses.count(429) + allowed == len(statuses), statuses
    # One process each counting alone would let twice PER_MINUTE through.
    assert allowed == PER_MINUTE, statuses


def test_a_revoked_key_fails_on_every_worker_within_a_second(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    pg_url: str,
    tmp_path: Path,
) -> None:
    server = two_workers_on_postgres(make_live_server, openbao, localstripe, pg_url, tmp_path)
    # Warm both workers' caches with the key.
    warm = served_by_both_workers(
        server, lambda http: http.get("/v1/audit/events", params={"limit": 1}).status_code
    )
    assert warm.count(200) >= PER_MINUTE // 2, warm

    engine = make_engine(pg_url)
    with transaction(server.writer_factory(engine)) as session:
        revoke_principal(session, "live-compliance", datetime.now(UTC))
    engine.dispose()
    time.sleep(1.0)

    after = served_by_both_workers(
        server, lambda http: http.get("/v1/audit/events", params={"limit": 1}).status_code
    )
    assert set(after) == {401}, after
