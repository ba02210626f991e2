"""The caller's address, for the audit's ``source_ip`` and per-address limits.

``X-Forwarded-For`` is anyone's to write: it is read only when the connection comes from a
configured trusted proxy (``STRONGROOM_TRUSTED_PROXIES``, comma-separated addresses or CIDR
networks; empty by default, so the header is ignored). Then the header is walked from the
right, past every trusted proxy, and the first address that is not one is the client; a
malformed entry stops the walk at the last trusted hop. uvicorn's own proxy-header handling
is off (``proxy_headers=False``) so that this is the only place that decides.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    """Parses the setting; a bad entry is an error at start, not a silently open door."""
    return tuple(
        ipaddress.ip_network(entry.strip(), strict=False)
        for entry in setting.split(",")
        if entry.strip()
    )


def client_address(connection: HTTPConnection, trusted_proxies: str) -> str | None:
    peer = connection.client.host if connection.client else None
    trusted = trusted_networks(trusted_proxies)
    if peer is None or not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [
        hop.strip()
        for value in connection.headers.getlist("x-forwarded-for")
        for hop in value.split(",")
    ]
    client = peer
    for hop in reversed(hops):
        if _address(hop) is None:
            break
        client = hop
        if not _is_trusted(hop, trusted):
            break
    return client


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(host: str, trusted: tuple[Network, ...]) -> bool:
    address = _address(host)
    return address is not None and any(address in network for network in trusted)
