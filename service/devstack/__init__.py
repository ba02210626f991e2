"""The development stack: real components (OpenBao, localstripe) run as supervised children.

This module holds what every supervised child shares: the errors a developer sees when a
component cannot start, free-port discovery, bounded waiting, and an orderly stop
(terminate, then kill after a timeout).
"""

from __future__ import annotations

import contextlib
import errno
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class DevStackError(RuntimeError):
    """A component of the development stack could not be started or used."""


class PortInUse(DevStackError):
    """The port a component should listen on is already taken by another process."""


class DataDirNotWritable(DevStackError):
    """The data directory cannot be created or written to."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (the caller must still handle a lost race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def ensure_port_free(host: str, port: int, *, component: str) -> None:
    """Raise PortInUse, naming the component and the port, if something listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Without SO_REUSEADDR a port in TIME_WAIT would be reported as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"{component} cannot listen on {host}:{port}: the port is already in use "
                    "(another program, or a previous run still alive). Stop it or choose "
                    "another port."
                ) from exc
            raise DevStackError(f"{component} cannot listen on {host}:{port}: {exc}") from exc


def ensure_writable_dir(path: Path, *, component: str) -> None:
    """Create ``path`` if needed and prove it is writable, or raise DataDirNotWritable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirNotWritable(
            f"{component} needs a writable directory, and {path} is not writable "
            f"({exc.strerror or exc}). Choose another --data-dir or fix its permissions."
        ) from exc


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.05) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """Ask a child to stop (SIGTERM), and kill it if it has not exited within ``timeout``."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(timeout=timeout)


def log_tail(path: Path, *, lines: int = 20, since: int = 0, hide: tuple[str, ...] = ()) -> str:
    """The last lines of a child's log file written after byte offset ``since``, for error
    messages; lines containing any of ``hide`` (secrets a child prints) are left out."""
    try:
        with path.open("rb") as log:
            log.seek(since)
            text = log.read().decode("utf-8", errors="replace")
    except OSError:
        return "(no log output)"
    kept = [line for line in text.strip().splitlines() if not any(word in line for word in hide)]
    return "\n".join(kept[-lines:]) if kept else "(no log output)"
