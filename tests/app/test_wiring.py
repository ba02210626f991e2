"""The wiring lists everything the app is made of, and nothing reads a list before it is
installed: an erasure that silently skipped a domain would leave that domain's data behind."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import APIRouter

from service.app import wiring
from service.core.db import Base, all_tables
from service.customers.sensitive import KEY_HOLDERS
from service.jobs.registry import registered_jobs

SERVICE = Path(__file__).resolve().parents[2] / "service"


def test_every_wrapped_key_column_in_the_models_is_a_registered_key_holder() -> None:
    wiring.wire()
    wrapped_columns = {
        (table.name, column.name)
        for table in all_tables().values()
        for column in table.columns
        if column.name.startswith("wrapped")
    }
    holders = {(holder.name, holder.wrapped_column) for holder in KEY_HOLDERS}
    assert wrapped_columns == holders
    for holder in KEY_HOLDERS:
        columns = Base.metadata.tables[holder.name].c
        assert holder.id_column in columns
        assert holder.version_column is None or holder.version_column in columns


def _functions_called_outside_the_wiring() -> set[str]:
    called = set()
    for path in SERVICE.rglob("*.py"):
        if path.name == "wiring.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                function = node.func
                called.add(function.attr if isinstance(function, ast.Attribute) else "")
                called.add(function.id if isinstance(function, ast.Name) else "")
    return called


def test_every_job_function_in_the_code_is_in_the_job_list_or_called_by_one() -> None:
    """A job is a public function ``(context: JobContext, now) -> int``; one that nothing calls
    and the wiring does not list would never run."""
    defined = set()
    for path in SERVICE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                arguments = node.args.args
                if (
                    len(arguments) == 2
                    and ast.unparse(arguments[0].annotation or ast.Constant(None)) == "JobContext"
                    and arguments[1].arg == "now"
                ):
                    defined.add(node.name)
    listed = {job.run.__name__ for job in wiring.JOBS}
    assert listed <= defined
    assert defined - listed - _functions_called_outside_the_wiring() == set()
    assert [job.name for job in registered_jobs()] == [
        job.name for job in sorted(wiring.JOBS, key=lambda job: (job.order, job.name))
    ]


def _included(router: APIRouter) -> list[APIRouter]:
    # FastAPI keeps an included router as a route wrapping the original.
    inner = [getattr(route, "original_router", None) for route in router.routes]
    return [found for found in inner if isinstance(found, APIRouter)]


def test_every_router_a_module_declares_is_in_the_router_list_or_included_by_one() -> None:
    served = list(wiring.ROUTERS)
    for router in wiring.ROUTERS:
        served += _included(router)
    missing = []
    for path in SERVICE.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and ast.unparse(node.value.func) == "APIRouter"
            ):
                module = importlib.import_module(
                    path.relative_to(SERVICE.parent).with_suffix("").as_posix().replace("/", ".")
                )
                for target in node.targets:
                    router = getattr(module, ast.unparse(target))
                    if not any(router is known for known in served):
                        missing.append(f"{module.__name__}.{ast.unparse(target)}")
    assert missing == []


@pytest.mark.parametrize(
    "read",
    [
        "from service.core import hooks; hooks.tokens_owned_by(None, 'cus_x')",
        "from service.core import hooks; hooks.customer_erased(None, 'cus_x', None)",
        "from service.jobs.registry import registered_jobs; registered_jobs()",
        "from service.access.resolvers import token_exists; token_exists(None, 'cus_x')",
        "from service.keys import keystore; keystore.count_by_key_version(None)",
        "from service.core.db import all_tables; all_tables()",
        "from service.idempotency import claims; claims._replayable(None, 'cus_x')",
    ],
)
def test_a_list_read_before_the_wiring_installed_it_fails_loudly(read: str) -> None:
    # A fresh interpreter: this test process has long been wired by the fixtures.
    result = subprocess.run(
        [sys.executable, "-c", read], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert "NotWired" in result.stderr
    assert "used before service.app.wiring.wire() installed it" in result.stderr
