"""Outbound connections to webhook receivers: only to public addresses, checked on the address
actually connected to.

A URL's host is resolved once per connection; every address it resolves to is checked (any
non-public one refuses the whole name), and the connection goes to a checked address, never to
a name the socket layer would resolve again. TLS still verifies the certificate for the name
(SNI) and the Host header still carries it: only the address is pinned. So numeric spellings
(``127.1``, ``2130706433``, ``0x7f.1``), names that resolve to private addresses
(``localtest.me``), IPv6 forms that embed an IPv4 address (IPv4-mapped, NAT64, 6to4) and DNS
rebinding between a check and the connect all fail.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

log = logging.getLogger("strongroom.webhooks")

CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")


class EgressRefused(httpcore.ConnectError):
    """The receiver's name resolves to nothing, or to an address that is not public.

    A ``ConnectError`` so that the HTTP client treats it like any connection failure; callers
    see only the coarse class, operators the reason in the log.
    """


class NameDoesNotResolve(EgressRefused):
    """The resolver gave no address for the name (yet)."""


def refusal(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why a connection to this address is refused, or None when it is public."""
    if allow_loopback and address.is_loopback:
        return None
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        reason = refusal(embedded, allow_loopback=allow_loopback)
        return f"embeds {embedded}: {reason}" if reason else None
    if isinstance(address, ipaddress.IPv6Address) and address in NAT64_LOCAL_USE:
        return "NAT64 (local use)"
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (isinstance(address, ipaddress.IPv4Address) and address in CARRIER_GRADE_NAT, "CGNAT"),
        (isinstance(address, ipaddress.IPv6Address) and address.is_site_local, "site-local"),
        (not address.is_global, "not global"),
    )
    return next((why for refused, why in checks if refused), None)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (numeric spellings included)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(
    host: str, port: int, *, allow_loopback: bool, resolver: Resolver = system_resolver
) -> list[str]:
    """The addresses to connect to for ``host``; refuses when any of them is not public."""
    bare = host.strip("[]").lower().rstrip(".")
    if not allow_loopback and (bare in LOOPBACK_NAMES or bare.endswith(PRIVATE_SUFFIXES)):
        raise EgressRefused(f"{bare}: a local name")
    try:
        resolved = resolver(bare, port)
    except (OSError, UnicodeError) as exc:
        raise NameDoesNotResolve(f"{bare}: does not resolve") from exc
    if not resolved:
        raise NameDoesNotResolve(f"{bare}: does not resolve")
    for text in resolved:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        reason = refusal(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise EgressRefused(f"{bare}: resolves to {address} ({reason})")
    return resolved


class PinnedBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses; TLS and Host still use the URL's name."""

    def __init__(self, *, allow_loopback: bool, resolver: Resolver = system_resolver) -> None:
        self._inner = httpcore.SyncBackend()
        self._allow_loopback = allow_loopback
        self._resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(
            host, port, allow_loopback=self._allow_loopback, resolver=self._resolver
        )
        failure: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # addresses is never empty here
        raise failure

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise EgressRefused("unix sockets are not receivers")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through :class:`PinnedBackend`.
    ``ssl_context``: the system's trust store unless given (tests bring their own CA)."""

    def __init__(
        self,
        *,
        allow_loopback: bool,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=0,
            network_backend=PinnedBackend(allow_loopback=allow_loopback, resolver=resolver),
        )


def webhook_client(
    *,
    timeout: float,
    allow_loopback: bool,
    resolver: Resolver = system_resolver,
    ssl_context: ssl.SSLContext | None = None,
) -> httpx.Client:
    """The only client that talks to webhook receivers: no proxies, no redirects, pinned."""
    return httpx.Client(
        transport=PinnedTransport(
            allow_loopback=allow_loopback, resolver=resolver, ssl_context=ssl_context
        ),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
