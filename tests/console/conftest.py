"""Fixtures of the console tests: the real server and a real browser."""

from __future__ import annotations

from tests.console.browser import chrome  # noqa: F401
from tests.fixtures.live_server import live_server, make_live_server  # noqa: F401
