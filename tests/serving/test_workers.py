"""``serve --workers N``: several processes behind one socket, one of them running the
replica's scheduler and sequencer, none of them outliving the supervisor."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from service.app.request_id import choose_request_id
from service.devstack.localstripe import LocalStripeServer
from service.devstack.openbao import OpenBaoDevServer
from tests.fixtures.live_server import LiveServer

LEADER_MESSAGE = "this worker runs the replica's scheduler and sequencer"


def worker_pids(supervisor: int) -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == supervisor and b"spawn_main" in cmdline:
            pids.add(int(entry.name))
    return pids


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def leaders(server: LiveServer) -> list[int]:
    found = []
    for line in server.log_text().splitlines():
        if LEADER_MESSAGE in line:
            found.append(json.loads(line)["pid"])
    return found


def wait_for(condition: Callable[[], object], timeout: float) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the condition did not hold in time")


def two_workers(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    tmp_path: Path,
) -> LiveServer:
    server = make_live_server(
        db_url=f"sqlite:///{tmp_path / 'workers.db'}",
        vault_addr=openbao.addr,
        vault_token=openbao.token,
        stripe_api_base=localstripe.url,
        workers=2,
    )
    wait_for(lambda: len(worker_pids(server.pid)) == 2 and leaders(server), timeout=60)
    return server


def test_one_worker_runs_the_background_work_and_a_standby_takes_over_when_it_dies(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    tmp_path: Path,
) -> None:
    server = two_workers(make_live_server, openbao, localstripe, tmp_path)
    time.sleep(2 * 1.0 + 0.5)  # a standby polls the lock every second: it must not take it
    first = leaders(server)
    assert len(first) == 1, first
    assert first[0] in worker_pids(server.pid)

    os.kill(first[0], signal.SIGKILL)
    wait_for(lambda: len(leaders(server)) == 2, timeout=15)
    second = leaders(server)[1]
    assert second != first[0] and alive(second)

    # The new leader sequences: an event written now gets its place in the tree.
    with server.client("compliance") as http:
        http.get("/v1/audit/events", params={"limit": 1}).raise_for_status()

        def sequenced() -> bool:
            events = http.get("/v1/audit/events", params={"limit": 500}).json()["data"]
            return bool(events) and all(e["seq"] is not None for e in events)

        wait_for(sequenced, timeout=10)


def test_workers_do_not_outlive_their_supervisor(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    tmp_path: Path,
) -> None:
    server = two_workers(make_live_server, openbao, localstripe, tmp_path)
    workers = worker_pids(server.pid)
    assert httpx.get(f"{server.base_url}/healthz", timeout=5).status_code == 200

    server.kill()  # SIGKILL: the supervisor runs no shutdown code

    wait_for(lambda: not any(alive(pid) for pid in workers), timeout=10)
    try:
        httpx.get(f"{server.base_url}/healthz", timeout=2)
    except httpx.TransportError:
        return
    raise AssertionError("something still answers on the port after every process died")


def test_each_worker_writes_the_apps_access_line_and_never_uvicorns(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    tmp_path: Path,
) -> None:
    """A worker configures logging after uvicorn has: uvicorn's own access line (client
    address, raw path and query, through the detector) must stay off there too."""
    server = two_workers(make_live_server, openbao, localstripe, tmp_path)
    marker = choose_request_id(None)  # a fresh service-shaped id the line shows
    with server.client("service") as http:
        for _ in range(6):
            http.get("/v1/subscriptions/sub_nothing_here", headers={"X-Request-Id": marker})
    server.stop()
    entries = [json.loads(line) for line in server.log_text().splitlines() if line.strip()]
    ours = [e for e in entries if marker in e["message"]]
    assert len(ours) == 6
    assert {e["logger"] for e in ours} == {"strongroom.access"}
    assert all(
        re.fullmatch(
            rf"GET /v1/subscriptions/\{{subscription_id\}} 404 [\d.]+ms {marker}"
            r" aud_[0-9a-f]{24}",
            e["message"],
        )
        for e in ours
    ), [e["message"] for e in ours]
    assert not [e for e in entries if e["logger"] == "uvicorn.access"]
    assert "sub_nothing_here" not in server.log_text()


def test_a_kept_alive_connection_answers_without_waiting_for_delayed_acks(
    make_live_server: Callable[..., LiveServer],
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    tmp_path: Path,
) -> None:
    """uvicorn writes a response's head and body separately; with Nagle on, every answer on a
    kept-alive connection after the first waits for the client's delayed ACK (40 ms on
    Linux), so reusing a connection would be many times slower than opening a new one for
    each request. Compared in the same run: no absolute time is assumed."""
    server = two_workers(make_live_server, openbao, localstripe, tmp_path)
    port = int(server.base_url.rsplit(":", 1)[1])

    def timed(connection: http.client.HTTPConnection) -> float:
        started = time.perf_counter()
        connection.request("GET", "/healthz")
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
        return time.perf_counter() - started

    fresh = []
    for _ in range(15):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        fresh.append(timed(connection))
        connection.close()
    kept = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    timed(kept)
    reused = [timed(kept) for _ in range(15)]
    kept.close()
    assert sorted(reused)[7] < 3 * sorted(fresh)[7], (sorted(reused), sorted(fresh))


def frozen_objects(base_url: str) -> float:
    """The answering process's ``strongroom_gc_frozen_objects``, on a new connection (so
    that, with several workers, any of them may answer)."""
    text = httpx.get(f"{base_url}/metrics", timeout=5).text
    (line,) = [x for x in text.splitlines() if x.startswith("strongroom_gc_frozen_objects ")]
    return float(line.split()[1])


def test_every_served_process_freezes_its_start_up_heap(
    make_live_server: Callable[..., LiveServer],
    live_server: LiveServer,
    openbao: OpenBaoDevServer,
    localstripe: LocalStripeServer,
    tmp_path: Path,
) -> None:
    """Left to the collector, each full collection walks the whole start-up heap again (a
    pause of 140-220 ms per worker under load here): ``serve`` freezes it in one worker
    and in each of many."""
    assert frozen_objects(live_server.base_url) > 50_000
    server = two_workers(make_live_server, openbao, localstripe, tmp_path)
    assert min(frozen_objects(server.base_url) for _ in range(12)) > 50_000
