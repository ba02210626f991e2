"""The development stack: real components (OpenBao, localstripe) run as supervised children.

This module holds what every supervised child shares: the errors a developer sees when a
component cannot start, free-port discovery, bounded waiting, and ``SupervisedChild``, which
starts a process with its output in a log file and stops it in order (terminate, then kill
after a timeout) — on ``stop()``, on leaving a ``with`` block, or when Python exits.

And when Python does not get to run any of that (SIGKILL, a crash), ``dies_with_parent`` has
the kernel send the child SIGTERM as its parent dies (Linux ``PR_SET_PDEATHSIG``), so no
orphan keeps a port for the next start.
"""

from __future__ import annotations

import abc
import atexit
import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import NoReturn, Self


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


# Run before the child's program: ask the kernel for SIGTERM when the parent dies, make sure
# the parent did not die already (then the request would never fire), then become the
# program. The setting survives execve. Python's -I -S: no site, no environment, fast.
_PDEATHSIG_LAUNCHER = (
    "import ctypes,os,signal,sys\n"
    "libc=ctypes.CDLL(None,use_errno=True)\n"
    "if libc.prctl(1,int(signal.SIGTERM),0,0,0)!=0:\n"  # 1 = PR_SET_PDEATHSIG
    " sys.stderr.write('warning: PR_SET_PDEATHSIG failed; the child may outlive us\\n')\n"
    "if os.getppid()!=int(sys.argv[1]):os._exit(70)\n"
    "os.execvp(sys.argv[2],sys.argv[2:])\n"
)


def dies_with_parent(command: list[str]) -> list[str]:
    """``command`` wrapped so that the process dies (SIGTERM) when this process dies, however
    it dies. On systems without ``prctl`` the command is returned unchanged."""
    if not sys.platform.startswith("linux"):
        return command
    return [sys.executable, "-I", "-S", "-c", _PDEATHSIG_LAUNCHER, str(os.getpid()), *command]


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


_RUNNING: set[SupervisedChild] = set()
_RUNNING_LOCK = threading.Lock()


@atexit.register
def _stop_every_running_child() -> None:
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for child in running:
        child.stop()


class SupervisedChild(abc.ABC):
    """A child process with its output in a log file, never left running behind us."""

    component = "child process"
    # Words marking log lines that hold secrets: never copied into an error message.
    log_secrets: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self._log_offset = 0

    @abc.abstractmethod
    def start(self) -> Self:
        """Start the child and return once it is ready to use."""

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _spawn(self, command: list[str], *, log_path: Path, env: dict[str, str]) -> None:
        self._log_path = log_path
        self._log_offset = log_path.stat().st_size if log_path.exists() else 0
        with log_path.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed binary, no shell
                dies_with_parent(command),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                # Terminal signals (Ctrl-C) reach only the supervisor, which stops us in order.
                start_new_session=True,
            )
        with _RUNNING_LOCK:
            _RUNNING.add(self)

    def _raise_exited(self, where: str) -> NoReturn:
        """Report a child that exited while starting, with this run's log lines."""
        code = self._process.returncode if self._process is not None else None
        tail = self._tail()
        self._forget_process()
        if "address already in use" in tail:
            raise PortInUse(
                f"{self.component} cannot listen on {where}: the port is already in use. "
                f"Stop the other program or choose another port.\n{tail}"
            )
        raise DevStackError(
            f"{self.component} exited while starting (exit code {code}). "
            f"Last lines of its log:\n{tail}"
        )

    def _tail(self) -> str:
        if self._log_path is None:
            return "(no log output)"
        return log_tail(self._log_path, since=self._log_offset, hide=self.log_secrets)

    def _forget_process(self) -> None:
        self._process = None
        with _RUNNING_LOCK:
            _RUNNING.discard(self)

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the child: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if self._process is not None:
            stop_process(self._process, timeout=timeout)
        self._forget_process()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
