"""Webhook SSRF, attacked as an admin key holder would: numeric spellings of internal
addresses, names that resolve inside, IPv6 forms embedding IPv4, DNS rebinding, and delivery
errors used as a port scanner.

Names that must resolve to an attacker's chosen address (``localtest.me``, a rebinding name)
are answered by a fake resolver installed as ``socket.getaddrinfo``: this machine has no DNS,
and a real rebinding server cannot run here. It sits under both the service's own resolution
and the HTTP client's, so it fakes exactly what a hostile DNS server would answer, nothing
else; numeric hosts go to the real ``getaddrinfo``. The receivers are real sockets.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.core.test_app import assert_problem
from tests.events.test_webhooks import advance, emit_now, register

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "policies" / "default.yaml"
PUBLIC = "93.184.216.34"  # a global address; unreachable offline, which is fine here


class Listener:
    """A loopback TCP port that counts every connection made to it (the internal service an
    attacker wants to reach)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    target = Listener()
    yield target
    target.socket.close()


@pytest.fixture
def hostile_dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Callable[[], str]], None]:
    """``hostile_dns(name, answer)``: every lookup of ``name`` answers ``answer()``."""
    real = socket.getaddrinfo
    names: dict[str, Callable[[], str]] = {}

    def getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> list:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.lower().rstrip(".") in names:
            return real(names[name.lower().rstrip(".")](), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lambda name, answer: names.__setitem__(name, answer)


def _api(make_api, db_url, test_clock, tmp_path, *, loopback: bool):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        DEFAULT_POLICY.read_text().replace(
            "allow_http_loopback_webhooks: false",
            f"allow_http_loopback_webhooks: {str(loopback).lower()}",
        )
    )
    return make_api(
        db_url,
        clock=test_clock,
        settings_overrides={
            "test_clock": True,
            "policy_file": policy,
            "webhook_timeout_seconds": 0.5,
        },
    )


@pytest.fixture
def strict_api(make_api, sqlite_url, test_clock, tmp_path):
    """The production policy: https to public receivers only."""
    return _api(make_api, sqlite_url, test_clock, tmp_path, loopback=False)


@pytest.fixture
def loopback_api(make_api, sqlite_url, test_clock, tmp_path):
    """The development switch on: plain-http loopback receivers allowed."""
    return _api(make_api, sqlite_url, test_clock, tmp_path, loopback=True)


@pytest.mark.parametrize(
    "host",
    [
        "127.1",
        "2130706433",
        "0x7f.1",
        "017700000001",
        "10.1",
        "[64:ff9b::a9fe:a9fe]",  # NAT64 of the cloud metadata address
        "[::ffff:7f00:1]",
        "[2002:a9fe:a9fe::1]",  # 6to4 of the metadata address
        "100.64.0.1",
        "224.0.0.1",
        "0.0.0.0",
    ],
)
def test_internal_addresses_in_any_spelling_are_refused(strict_api, host) -> None:
    url = f"https://{host}/hook"
    response = strict_api.call(
        "POST", "/v1/webhook-endpoints", json={"url": url, "events": ["pause.started"]}
    )
    assert_problem(response, 422, "invalid_request")


def test_a_name_resolving_inside_is_refused_at_creation(strict_api, hostile_dns) -> None:
    hostile_dns("localtest.me", lambda: "127.0.0.1")  # what public DNS answers for it
    response = strict_api.call(
        "POST",
        "/v1/webhook-endpoints",
        json={"url": "https://localtest.me/hook", "events": ["pause.started"]},
    )
    assert_problem(response, 422, "invalid_request")


def test_a_name_that_resolves_inside_later_is_never_connected(
    strict_api, hostile_dns, listener
) -> None:
    """Registered while the name did not resolve; by delivery it points at an internal port."""
    answer = {"now": "does-not-resolve.invalid"}
    hostile_dns("later.attacker.test", lambda: answer["now"])
    created = register(strict_api, f"https://later.attacker.test:{listener.port}/hook")
    answer["now"] = "127.0.0.1"
    emit_now(strict_api)
    for _ in range(3):
        advance(strict_api, 7 * 3600)
    assert listener.connections == 0
    deliveries = strict_api.call("GET", f"/v1/webhook-endpoints/{created['id']}/deliveries").json()[
        "data"
    ]
    assert deliveries[0]["attempts"] >= 3 and deliveries[0]["last_error"] == "no_response"


def test_dns_rebinding_never_reaches_the_internal_address(
    strict_api, hostile_dns, listener
) -> None:
    """A TTL-0 name that alternates between a public address and loopback: whichever answer a
    connection's single lookup gets, only a checked address is connected to."""
    lookups = {"count": 0}

    def rebinding() -> str:
        lookups["count"] += 1
        return PUBLIC if lookups["count"] % 2 else "127.0.0.1"

    hostile_dns("rebind.attacker.test", rebinding)
    register(strict_api, f"https://rebind.attacker.test:{listener.port}/hook")
    emit_now(strict_api)
    for _ in range(4):
        advance(strict_api, 7 * 3600)
    assert lookups["count"] >= 4  # both answers were given out
    assert listener.connections == 0


def test_delivery_errors_do_not_tell_closed_from_silent_from_refused(
    loopback_api, receiver, listener
) -> None:
    """A closed port, a port that accepts and never answers, and an address the service
    refuses all read the same to the caller."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    receiver.hang_seconds = 1.0  # longer than the app's 0.5 s timeout
    endpoints = [
        register(loopback_api, f"http://127.0.0.1:{closed_port}/hook"),
        register(loopback_api, receiver.url),
        register(loopback_api, f"http://127.0.0.1:{listener.port}/hook"),
    ]
    emit_now(loopback_api)
    advance(loopback_api, 1)
    errors = {
        loopback_api.call("GET", f"/v1/webhook-endpoints/{e['id']}/deliveries").json()["data"][0][
            "last_error"
        ]
        for e in endpoints
    }
    assert errors == {"no_response"}


def test_the_dev_switch_allows_loopback_only(loopback_api) -> None:
    for url in ("http://127.0.0.1:9/x", "http://localhost:9/x", "https://[::1]:9/x"):
        response = loopback_api.call(
            "POST", "/v1/webhook-endpoints", json={"url": url, "events": ["pause.started"]}
        )
        assert response.status_code == 201, (url, response.text)
    for url in ("http://10.0.0.1/x", "https://10.1/x", "https://169.254.169.254/x"):
        response = loopback_api.call(
            "POST", "/v1/webhook-endpoints", json={"url": url, "events": ["pause.started"]}
        )
        assert_problem(response, 422, "invalid_request")


def _self_signed(name: str, directory: Path) -> tuple[Path, Path]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_the_pinned_connection_keeps_the_name_for_tls_and_host(hostile_dns, tmp_path) -> None:
    """Connected to the checked address, yet TLS is verified for the URL's name (SNI) and the
    Host header carries it: a real TLS receiver on loopback, with the development switch on."""
    import ssl
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from service.events.egress import webhook_client

    name = "hooks.receiver.test"
    cert_file, key_file = _self_signed(name, tmp_path)
    seen: dict[str, str | None] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen["host"] = self.headers.get("Host")
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_file, key_file)
    server_context.sni_callback = lambda sock, sni, ctx: seen.__setitem__("sni", sni)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hostile_dns(name, lambda: "127.0.0.1")
    trust = ssl.create_default_context(cafile=str(cert_file))
    try:
        with webhook_client(timeout=5, allow_loopback=True, ssl_context=trust) as client:
            response = client.post(f"https://{name}:{port}/hooks", content=b"{}")
        assert response.status_code == 204
        assert seen == {"sni": name, "host": f"{name}:{port}"}
        strict = webhook_client(timeout=5, allow_loopback=False, ssl_context=trust)
        with strict, pytest.raises(httpx.ConnectError):
            strict.post(f"https://{name}:{port}/hooks", content=b"{}")
    finally:
        server.shutdown()
        server.server_close()
