"""The `strongroom` executable: `strongroom redact` starts without loading the other commands.

Redacting a log is often the first thing run on a fresh shell; importing the whole command
line (the web framework, the database layer, every domain) would cost more than a second
before the first line. Every other command goes to `service.cli` as before.
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "redact":
        import typer

        from service.redaction.cli import redact

        command = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)
        command.command()(redact)
        command(args=sys.argv[2:], prog_name="strongroom redact")
        return
    from service.cli import app

    app()
