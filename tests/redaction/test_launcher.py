"""`strongroom redact` through the installed executable: quick to start, same behaviour."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

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


def test_a_line_written_to_the_pipe_comes_back_before_the_pipe_is_closed() -> None:
    # `tail -f app.log | strongroom redact`: the process keeps reading; each line must come
    # out once redacted, not when 256 lines have gathered or stdin closes.
    process = subprocess.Popen(
        [str(EXECUTABLE), "redact"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    answers: list[str] = []
    try:
        for line in ("refund for Hodan Warsame\n", "mail jo@example.com\n"):
            process.stdin.write(line)
            process.stdin.flush()
            reader = threading.Thread(target=lambda: answers.append(process.stdout.readline()))
            reader.start()
            reader.join(timeout=90)
            assert not reader.is_alive(), f"no output for {line!r} while stdin stayed open"
    finally:
        process.kill()
        process.wait(timeout=30)
    assert answers == ["refund for <PERSON>\n", "mail <EMAIL_ADDRESS>\n"]


def test_stdin_in_a_legacy_encoding_with_carriage_returns_keeps_one_line_per_line() -> None:
    result = subprocess.run(
        [str(EXECUTABLE), "redact", "-"],
        input=b"paid by Jos\xe9 Garc\xeda\nbar 50%\r75%\r\nmail jo@example.com\n",
        capture_output=True,
        timeout=120,
        env={**os.environ, "LC_ALL": "C", "LANG": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"paid by <PERSON>\nbar 50%\r75%\nmail <EMAIL_ADDRESS>\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-", "a.log"], "cannot be mixed with files"),
        (["missing.log"], "'missing.log' does not exist"),
        (["."], "'.' is a directory"),
    ],
)
def test_bad_file_arguments_are_refused_with_a_clear_message(
    arguments: list[str], message: str, tmp_path: Path
) -> None:
    (tmp_path / "a.log").write_text("x\n")
    result = subprocess.run(
        [str(EXECUTABLE), "redact", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


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
