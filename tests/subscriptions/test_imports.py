"""Pauses import subscriptions, never the reverse: the subscription's timeline (its pauses,
credits, next charge and status) is written in one place, which needs nothing from pauses."""

from __future__ import annotations

import ast
from pathlib import Path

import service

SUBSCRIPTIONS = Path(service.__file__).parent / "subscriptions"


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_subscriptions_module_imports_the_pauses_package() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in sorted(SUBSCRIPTIONS.glob("*.py"))
        for name in imported_modules(path)
        if name == "service.pauses" or name.startswith("service.pauses.")
    }
    assert offenders == set()


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from service.pauses import jobs\n", encoding="utf-8")
    assert "service.pauses.jobs" in imported_modules(module)
