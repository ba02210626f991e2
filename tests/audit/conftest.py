from tests.fixtures.live_server import live_server, make_live_server  # noqa: F401
