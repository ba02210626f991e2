"""`strongroom redact` through the installed executable: quick to start, same behaviour."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXECUTABLE = Path(sys.executable).with_name("strongroom")


def test_strongroom_redact_redacts_stdin_through_the_installed_executable() -> None:
    lines = "GET /v1/charges 200\nrefund for card 4242 4242 4242 4242 from Hodan Warsame\n"
    result = subprocess.run(
        [str(EXECUTABLE), "redact"], input=lines, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "GET /v1/charges 200\nrefund for card <CREDIT_CARD>4242 from <PERSON>\n"
    )


def test_strongroom_redact_does_not_load_the_other_commands() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['strongroom', 'redact', '--help']\n"
        "from service.launcher import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'service.cli') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
