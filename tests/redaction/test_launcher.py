"""`strongroom redact` through the installed executable: quick to start, same behaviour."""

from __future__ import annotations

import ast
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


# What `strongroom redact` must not import for lines that need no NER: the web app, the
# database layer, the other commands, and the NER stack (presidio, spaCy, thinc), which loads
# only once a line needs the model.
HEAVY_MODULES = (
    "fastapi",
    "sqlalchemy",
    "service.cli",
    "service.app.main",
    "presidio_analyzer",
    "spacy",
    "spacy.cli",
    "weasel",
    "httpx",
    "thinc",
)


def _modules_after_redacting(line: str) -> tuple[str, list[str]]:
    probe = (
        "import io, sys\n"
        "sys.argv = ['strongroom', 'redact']\n"
        f"sys.stdin = io.StringIO({line!r})\n"
        "from service.launcher import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    *redacted, loaded = result.stdout.strip().splitlines()
    return "\n".join(redacted), ast.literal_eval(loaded)


def test_strongroom_redact_of_lines_needing_no_ner_imports_no_heavy_module() -> None:
    redacted, loaded = _modules_after_redacting(
        "GET /v1/charges 200 card 4242 4242 4242 4242 mail jo@example.com ip 10.0.0.7\n"
    )
    assert redacted == (
        "GET /v1/charges 200 card <CREDIT_CARD>4242 mail <EMAIL_ADDRESS> ip <IP_ADDRESS>"
    )
    assert loaded == []


def test_strongroom_redact_loads_the_ner_model_once_a_line_needs_it() -> None:
    redacted, loaded = _modules_after_redacting("refund approved after a call with Rose Marsh\n")
    assert redacted == "refund approved after a call with <PERSON>"
    assert "spacy" in loaded
    # The model is driven through spaCy alone: importing presidio would compile every one of
    # its predefined recognisers' patterns, a third of the start-up.
    assert not {
        "presidio_analyzer",
        "fastapi",
        "sqlalchemy",
        "service.cli",
        "service.app.main",
        # spaCy's command-line package (weasel, requests, httpx): a quarter of a second.
        "spacy.cli",
        "weasel",
        "httpx",
    } & set(loaded)
