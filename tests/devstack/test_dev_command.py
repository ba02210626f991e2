"""`strongroom dev`: the embedded default comes up, survives a restart with its data readable,
and stops its children on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from service.devstack import free_port

ROOT = Path(__file__).resolve().parents[2]
KEY_LINE = re.compile(r"^\s+(service|compliance|admin)\s+\S+\s+(srk_\S+)$", re.M)


def start_dev(data_dir: Path, ports: dict[str, int], log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "dev",
            "--data-dir",
            str(data_dir),
            "--port",
            str(ports["api"]),
            "--vault-port",
            str(ports["vault"]),
            "--vault-cluster-port",
            str(ports["cluster"]),
            "--stripe-port",
            str(ports["stripe"]),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"strongroom dev exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"strongroom dev never became ready:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("strongroom dev did not stop on Ctrl-C")


def port_open(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
        return True
    except httpx.HTTPError:
        return False


def test_dev_survives_a_restart_with_everything_still_readable(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ports = {
        "api": free_port(),
        "vault": free_port(),
        "cluster": free_port(),
        "stripe": free_port(),
    }
    base = f"http://127.0.0.1:{ports['api']}"
    log = tmp_path / "dev.log"

    first = start_dev(data_dir, ports, log)
    try:
        wait_ready(base, first, log)
        keys = dict(KEY_LINE.findall(log.read_text()))
        assert set(keys) == {"service", "compliance", "admin"}, log.read_text()[-2000:]
        admin = {"Authorization": f"Bearer {keys['admin']}"}
        created = httpx.post(
            f"{base}/v1/customers",
            headers=admin,
            timeout=30,
            json={
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "payment_method": "pm_card_visa",
            },
        )
        assert created.status_code == 201, created.text
        token = created.json()["id"]
        assert httpx.get(f"{base}/docs", timeout=10).status_code == 200
        # API.md: under `strongroom dev`, plain-http loopback receivers are allowed
        hook = httpx.post(
            f"{base}/v1/webhook-endpoints",
            headers=admin,
            timeout=30,
            json={"url": f"http://127.0.0.1:{ports['api']}/hook", "events": ["pause.started"]},
        )
        assert hook.status_code == 201, hook.text
        # CLI commands on the same data directory find the running stack by themselves
        env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_")}
        verified = subprocess.run(
            [sys.executable, "-m", "service.cli", "audit", "verify"],
            cwd=ROOT,
            env={**env, "STRONGROOM_DATA_DIR": str(data_dir)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert verified.returncode == 0, verified.stderr
        assert "intact" in verified.stdout
    finally:
        stop(first)
    assert not port_open(ports["vault"]) and not port_open(ports["stripe"])
    init = data_dir / "openbao" / "init.json"
    assert init.stat().st_mode & 0o777 == 0o600

    second = start_dev(data_dir, ports, log)
    try:
        wait_ready(base, second, log)
        assert len(KEY_LINE.findall(log.read_text())) == 3  # keys are printed on first start only
        revealed = httpx.get(
            f"{base}/v1/customers/{token}/reveal?fields=name,email",
            headers={**admin, "X-Purpose": "restart check"},
            timeout=30,
        )
        assert revealed.status_code == 200, revealed.text
        assert revealed.json()["fields"] == {"name": "Ada Lovelace", "email": "ada@example.com"}
        masked = httpx.get(f"{base}/v1/customers/{token}", headers=admin, timeout=30).json()
        assert masked["masked"]["card"] == {"brand": "visa", "last4": "4242"}
        verify = httpx.get(f"{base}/v1/audit/verify", headers=admin, timeout=30).json()
        assert verify["ok"] is True
    finally:
        stop(second)


def test_dev_refuses_a_taken_port_and_an_unwritable_data_dir(tmp_path: Path) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "service.cli",
                "dev",
                "--data-dir",
                str(tmp_path / "d"),
                "--port",
                str(taken),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert str(taken) in result.stderr and "in use" in result.stderr
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:
        locked = Path("/proc/strongroom-not-writable")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "dev",
            "--data-dir",
            str(locked / "d"),
            "--port",
            str(free_port()),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "not writable" in result.stderr


def children_of(pid: int) -> list[int]:
    listed = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(word) for word in listed.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie waiting for init to reap it holds nothing
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[-1][:1] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_sigkill_of_dev_leaves_no_child_behind_and_every_port_is_printed(tmp_path: Path) -> None:
    from service.devstack import PortInUse, ensure_port_free

    ports = {
        "api": free_port(),
        "vault": free_port(),
        "cluster": free_port(),
        "stripe": free_port(),
    }
    log = tmp_path / "dev.log"
    dev = start_dev(tmp_path / "data", ports, log)
    try:
        wait_ready(f"http://127.0.0.1:{ports['api']}", dev, log)
        printed = log.read_text()
        assert (
            f"OpenBao on http://127.0.0.1:{ports['vault']} (cluster port {ports['cluster']})"
            in (printed)
        )
        assert f"localstripe on http://127.0.0.1:{ports['stripe']}" in printed
        children = children_of(dev.pid)
        assert len(children) == 2, children  # bao and localstripe, nothing else
    finally:
        dev.kill()  # SIGKILL: no atexit, no finally, no signal handler runs in dev
        dev.wait(timeout=30)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(pid) for pid in children):
        time.sleep(0.2)
    assert not [pid for pid in children if alive(pid)], "a child of strongroom dev survived it"
    for name, port in ports.items():
        try:
            ensure_port_free("127.0.0.1", port, component=name)  # what the next start checks
        except PortInUse:
            pytest.fail(f"{name} port {port} is still held after SIGKILL of strongroom dev")


def test_dev_refuses_ports_that_collide_before_starting_anything(tmp_path: Path) -> None:
    vault = free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "dev",
            "--data-dir",
            str(tmp_path / "d"),
            "--port",
            str(free_port()),
            "--vault-port",
            str(vault),
            "--stripe-port",
            str(vault + 1),  # OpenBao's cluster port by default
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"both use port {vault + 1}" in result.stderr
    assert "OpenBao's cluster port" in result.stderr and "localstripe" in result.stderr
    assert not (tmp_path / "d" / "openbao").exists()
