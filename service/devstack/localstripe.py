"""Run localstripe safely: loopback only, state in a file we choose, writes batched.

localstripe's own ``start()`` listens on every interface (``::``) and pickles its whole store
to the fixed path ``/tmp/localstripe.pickle`` on every single write, which two instances share
and which slows down as the store grows. This runner serves localstripe's aiohttp ``app`` on
the given host only, keeps the store in memory, and, when a state file is given, writes it at
most every ``FLUSH_INTERVAL_SECONDS`` (longer when the store is large; temp file + fsync +
rename) and once more on shutdown. A crash (SIGKILL) can lose the writes of that last interval.

    python -m service.devstack.localstripe --host 127.0.0.1 --port 8420 [--state-file PATH]

``LocalStripeServer`` starts that command as a child process for tests and ``strongroom dev``.

One answer is brought in line with Stripe's documentation: listing a customer's payment methods
takes ``type`` as an optional filter (unfiltered: every type), where localstripe refuses any
``type`` but ``card`` (``_list_payment_methods_of_any_type``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import http.client
import os
import pickle
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from service.devstack import DevStackError, PortInUse, dies_with_parent, stop_process

DEFAULT_HOST = "127.0.0.1"
FLUSH_INTERVAL_SECONDS = 0.2
EXIT_ADDRESS_IN_USE = 3
READY_LINE = "strongroom-localstripe-ready"
_STDERR_TAIL_BYTES = 4000


class LocalStripeStartError(DevStackError):
    """The localstripe child process did not come up (crashed, or too slow)."""


class StateFile:
    """The store's on-disk copy: loaded once at start, replaced atomically on each flush."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any]:
        try:
            with self.path.open("rb") as handle:
                # The file is written only by this runner, in a directory the developer chose.
                return pickle.load(handle)  # noqa: S301
        except FileNotFoundError:
            return {}

    def save(self, contents: dict[str, Any]) -> None:
        payload = pickle.dumps(contents, protocol=pickle.HIGHEST_PROTOCOL)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise


class BatchedPersistence:
    """Replaces localstripe's write-through pickling with a dirty flag and a periodic flush."""

    def __init__(self, store: dict[str, Any], state_file: StateFile | None) -> None:
        self._store = store
        self._state_file = state_file
        self._dirty = False

    def mark_dirty(self) -> None:
        self._dirty = True

    def load(self) -> None:
        if self._state_file is None:
            return
        # dict.update bypasses Store.__setitem__, so loading does not re-trigger a write.
        dict.update(self._store, self._state_file.load())
        self._dirty = False

    def flush(self) -> None:
        if self._state_file is None or not self._dirty:
            return
        self._dirty = False
        self._state_file.save(dict(self._store))

    async def flush_periodically(self) -> None:
        # Pickling runs on the event loop and grows with the store, so the pause between
        # flushes grows with it: saving never takes more than a fifth of the server's time.
        pause = FLUSH_INTERVAL_SECONDS
        while True:
            await asyncio.sleep(pause)
            started = time.monotonic()
            self.flush()
            pause = max(FLUSH_INTERVAL_SECONDS, 4 * (time.monotonic() - started))


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=128)


async def _stop_when_orphaned(parent_pid: int) -> None:
    """SIGTERM ourselves (a graceful stop, state flushed) once the parent that started us dies."""
    while os.getppid() == parent_pid:
        await asyncio.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)


def serve(host: str, port: int, state_file: Path | None, *, exit_with_parent: bool = False) -> None:
    """Serve localstripe on ``host:port`` until SIGTERM or SIGINT; flush state on the way out."""
    parent_pid = os.getppid()
    from aiohttp import web
    from localstripe.resources import store
    from localstripe.server import app

    _list_payment_methods_of_any_type()
    persistence = BatchedPersistence(store, StateFile(state_file) if state_file else None)
    # Both the Store's __setitem__/__delitem__ and the server's middleware call this per write.
    store.dump_to_disk = persistence.mark_dirty
    store.try_load_from_disk = persistence.load
    persistence.load()

    try:
        sock = _listening_socket(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"localstripe: {host}:{port} is already in use", file=sys.stderr)
            raise SystemExit(EXIT_ADDRESS_IN_USE) from None
        raise

    async def start_flusher(application: web.Application) -> None:
        application["strongroom_flusher"] = asyncio.ensure_future(persistence.flush_periodically())
        if exit_with_parent:
            application["strongroom_orphan_watch"] = asyncio.ensure_future(
                _stop_when_orphaned(parent_pid)
            )
        # The parent waits for this line: it proves that *this* process holds the socket.
        print(READY_LINE, flush=True)

    async def stop_flusher(application: web.Application) -> None:
        application["strongroom_flusher"].cancel()
        persistence.flush()

    app.on_startup.append(start_flusher)
    app.on_cleanup.append(stop_flusher)
    web.run_app(app, sock=sock, access_log=None, print=None, handle_signals=True)


def _list_payment_methods_of_any_type() -> None:
    """``GET /v1/payment_methods?customer=…`` as Stripe documents it: ``type`` optional (every
    type of the customer's when absent), any type accepted. localstripe 1.15 answers 400 unless
    ``type=card``, so a customer's SEPA debit methods (which it can create and attach) could not
    be listed, nor their detachment at erasure tested (tests/processors/test_stripe_adapter.py).
    The server looks the class method up per request, so replacing it is enough."""
    from localstripe.resources import Customer, List, PaymentMethod, UserError, store

    def list_all(
        cls: type[PaymentMethod],
        url: str,
        customer: object = None,
        limit: object = None,
        starting_after: object = None,
        **filters: object,
    ) -> List:
        wanted = filters.pop("type", None)
        unexpected = sorted(filters)
        if unexpected:
            raise UserError(400, "Unexpected " + ", ".join(unexpected))
        if not (isinstance(customer, str) and customer.startswith("cus_")):
            raise UserError(400, "Bad request")
        if wanted is not None and not isinstance(wanted, str):
            raise UserError(400, "Bad request")
        Customer._api_retrieve(customer)  # 404 for a customer it does not have
        found = List(url, limit=limit, starting_after=starting_after)
        found._list = [
            method
            for key, method in store.items()
            if key.startswith(PaymentMethod.object + ":")
            and method.customer == customer
            and (wanted is None or method.type == wanted)
        ]
        return found

    PaymentMethod._api_list_all = classmethod(list_all)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run localstripe on one address only.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-file", type=Path, default=None)
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop (saving state) when the process that started this one exits",
    )
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.state_file, exit_with_parent=args.exit_with_parent)


class LocalStripeServer:
    """A localstripe child process on ``host:port``; restartable, state kept in ``state_file``."""

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = 8420,
        state_file: Path | None = None,
        *,
        startup_timeout: float = 20.0,
    ) -> None:
        self.host = host
        self.port = port
        self.state_file = state_file
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def pid(self) -> int:
        """The child process's id (benchmarks read its CPU time)."""
        if self._process is None:
            raise LocalStripeStartError("localstripe is not running")
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        command = [
            sys.executable,
            "-m",
            "service.devstack.localstripe",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--exit-with-parent",  # no orphan holding the port if our process is killed
        ]
        if self.state_file is not None:
            # Resolved here: the child runs from the project root, not from our cwd.
            command += ["--state-file", str(self.state_file.resolve())]
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            dies_with_parent(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=Path(__file__).resolve().parents[2],
        )
        self._wait_until_ready()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (SIGTERM lets the runner flush its state file), then kill."""
        process, self._process = self._process, None
        if process is not None:
            stop_process(process, timeout=timeout)
        if process is not None and process.stdout is not None:
            process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> LocalStripeServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        if self._wait_for_announcement(deadline):
            while time.monotonic() < deadline:
                if self._answers():
                    return
                time.sleep(0.05)
        self._fail_to_start()

    def _wait_for_announcement(self, deadline: float) -> bool:
        assert self._process is not None and self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    continue
                line = self._process.stdout.readline()
                if not line:  # the child closed stdout: it is exiting
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self._process.wait(max(0.1, deadline - time.monotonic()))
                    return False
                if line.decode("utf-8", "replace").strip() == READY_LINE:
                    return True
        return False

    def _fail_to_start(self) -> None:
        assert self._process is not None
        exit_code = self._process.poll()
        tail = self._stderr_tail()
        if exit_code == EXIT_ADDRESS_IN_USE:
            self.stop()
            raise PortInUse(
                f"localstripe cannot listen on {self.host}:{self.port}: the port is already in "
                "use (another program, or a previous run still alive). Stop it or choose "
                "another port."
            )
        if exit_code is not None:
            reason = f"it exited with status {exit_code}"
        else:
            reason = f"it did not answer on {self.url} within {self.startup_timeout:.0f} s"
        message = f"localstripe did not start: {reason}.\n{tail}"
        self.stop()
        raise LocalStripeStartError(message)

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=1.0)
        try:
            connection.request("GET", "/v1/balance")
            connection.getresponse().read()
        except OSError:
            return False
        finally:
            connection.close()
        return True

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0, os.SEEK_END)
        size = self._stderr.tell()
        self._stderr.seek(max(0, size - _STDERR_TAIL_BYTES))
        tail = self._stderr.read().decode("utf-8", "replace").strip()
        return f"stderr (last lines):\n{tail}" if tail else "stderr was empty."


if __name__ == "__main__":
    main()
