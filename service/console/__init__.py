"""The compliance console: server-rendered pages at ``/console`` on the same app and audit."""
