"""Fixtures of the pause link tests: the real server and a real browser (as the console's)."""

from __future__ import annotations

from tests.console.browser import chrome  # noqa: F401
from tests.fixtures.live_server import live_server, make_live_server  # noqa: F401
