"""The HTTP session hvac talks to Vault/OpenBao through: requests' interface, a lean path.

Every customer created, every search and every reveal makes Transit calls; through requests
each cost ~0.9 ms of the worker's CPU (request preparation, hooks, urllib3's pool and
retry machinery), against ~0.2 ms for the same call on one kept-alive ``http.client``
connection. :class:`VaultSession` is a ``requests.Session`` whose ``request`` sends plain
calls — JSON or no body, no proxy, no client certificate, no redirect — on a connection kept
per thread, and hands everything else to requests. Answers are real ``requests.Response``
objects and failures real ``requests`` exceptions, so hvac and ``service.keys.vault_calls``
read them exactly as before.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import select
import ssl
import threading
import weakref
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_Origin = tuple[str, str, int]


class VaultSession(requests.Session):
    """A requests session with a lean path for Vault's plain JSON calls (see module doc)."""

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()
        # Weak: a connection goes (and its socket closes) with the thread that kept it; the
        # thread pool retires idle threads.
        self._open: weakref.WeakSet[http.client.HTTPConnection] = weakref.WeakSet()
        self._open_lock = threading.Lock()
        self._tls_contexts: dict[str | bool, ssl.SSLContext] = {}

    def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        cookies: Any = None,
        files: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = True,
        proxies: Any = None,
        hooks: Any = None,
        stream: Any = None,
        verify: Any = None,
        cert: Any = None,
        json: Any = None,
    ) -> requests.Response:
        parts = urlsplit(url)
        plain = (
            parts.scheme in ("http", "https")
            and parts.hostname is not None
            and not (data or files or cookies or auth or hooks or stream or parts.fragment)
            and not (cert or self.cert or proxies or self.proxies or self.cookies)
            and isinstance(params, dict | None)
            and isinstance(timeout, int | float | None)
        )
        if plain:
            response = self._send(method, parts, params, headers, timeout, verify, json)
            if response.status_code not in REDIRECTS or not allow_redirects:
                return response
        return super().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            cookies=cookies,
            files=files,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
            proxies=proxies,
            hooks=hooks,
            stream=stream,
            verify=verify,
            cert=cert,
            json=json,
        )

    def close(self) -> None:
        with self._open_lock:
            connections, self._open = list(self._open), weakref.WeakSet()
        for connection in connections:
            connection.close()
        super().close()

    # -- the lean path ----------------------------------------------------------------------

    def _send(
        self,
        method: str,
        parts: Any,
        params: dict[str, Any] | None,
        headers: Any,
        timeout: float | None,
        verify: Any,
        body_json: Any,
    ) -> requests.Response:
        target = parts.path or "/"
        query = "&".join(q for q in (parts.query, urlencode(params or {}, doseq=True)) if q)
        if query:
            target = f"{target}?{query}"
        sent_headers = {str(k): str(v) for k, v in (headers or {}).items()}
        body = None
        if body_json is not None:
            body = jsonlib.dumps(body_json).encode("utf-8")
            sent_headers.setdefault("Content-Type", "application/json")
        origin: _Origin = (parts.scheme, parts.hostname, parts.port or _default_port(parts.scheme))
        connection = self._connection(origin, timeout, self.verify if verify is None else verify)
        try:
            connection.request(method.upper(), target, body=body, headers=sent_headers)
            answer = connection.getresponse()
            content = answer.read()
        except TimeoutError as error:
            self._discard(origin, connection)
            raise requests.exceptions.ReadTimeout(str(error)) from None
        except ssl.SSLError as error:
            self._discard(origin, connection)
            raise requests.exceptions.SSLError(str(error)) from None
        except (OSError, http.client.HTTPException) as error:
            self._discard(origin, connection)
            raise requests.exceptions.ConnectionError(str(error)) from None
        if answer.will_close:
            self._discard(origin, connection)
        response = requests.Response()
        response.status_code = answer.status
        response.reason = answer.reason
        response.headers = CaseInsensitiveDict(answer.getheaders())
        response.encoding = get_encoding_from_headers(response.headers)
        response._content = content
        response._content_consumed = True
        response.url = parts.geturl()
        return response

    def _connection(
        self, origin: _Origin, timeout: float | None, verify: Any
    ) -> http.client.HTTPConnection:
        kept: dict[_Origin, http.client.HTTPConnection] = self._local.__dict__.setdefault(
            "connections", {}
        )
        connection = kept.get(origin)
        if connection is not None and _dropped(connection):
            self._discard(origin, connection)
            connection = None
        if connection is None:
            scheme, host, port = origin
            if scheme == "https":
                connection = http.client.HTTPSConnection(
                    host, port, timeout=timeout, context=self._tls_context(verify)
                )
            else:
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            kept[origin] = connection
            with self._open_lock:
                self._open.add(connection)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _discard(self, origin: _Origin, connection: http.client.HTTPConnection) -> None:
        connection.close()
        kept = self._local.__dict__.get("connections", {})
        if kept.get(origin) is connection:
            del kept[origin]
        with self._open_lock:
            self._open.discard(connection)

    def _tls_context(self, verify: Any) -> ssl.SSLContext:
        """Certificates verified as requests would: against the named bundle, or the system's
        CAs; ``verify=False`` (never set by Strongroom) turns verification off as it does."""
        key: str | bool = verify if isinstance(verify, str) else bool(verify)
        context = self._tls_contexts.get(key)
        if context is None:
            if key is False:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            else:
                context = ssl.create_default_context(cafile=key if isinstance(key, str) else None)
            self._tls_contexts[key] = context
        return context


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """A kept-alive connection the server closed while it idled (a restart, an idle timeout):
    readable with nothing to read. Reused, its next request would fail."""
    sock = connection.sock
    if sock is None:
        return False
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))
