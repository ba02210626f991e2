"""The import graph of ``service/``, read from the source with ``ast``.

Every import counts: module-level, inside functions, under ``TYPE_CHECKING``; relative imports
are resolved. ``from a.b import c`` imports ``a.b.c`` when that is a module, else ``a.b``.

Nodes of the package graph:
- each package directly under ``service/`` (``service.customers``), or a top-level module;
- a package's entry points form a node of their own, ``<package>:entry``: its HTTP endpoints
  and pages (``endpoints.py``, ``pages.py``), its commands (``cli.py``, ``vault_cli.py``), and
  its jobs (``jobs.py`` and every module holding a job that ``service.app.wiring.JOBS``
  lists). They are what the composition root assembles, and they may use the app's route
  class and context;
- the composition root is one node, ``root``: ``service.app.main``, ``service.app.wiring``,
  ``service.app.background``, ``service.app.workers``, ``service.devstack.runner``,
  ``service.cli`` and ``service.launcher``, the modules whose job is to import everything.

There is an edge A → B when a module of A imports a module of B. A package cycle is a
strongly connected component of more than one node. A module cycle is one among modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from service.app.wiring import JOBS

SERVICE = Path(__file__).resolve().parents[2] / "service"

ROOT = "root"
COMPOSITION_ROOT = frozenset(
    {
        "service.app.main",
        "service.app.wiring",
        "service.app.background",
        "service.app.workers",
        "service.devstack.runner",
        "service.cli",
        "service.launcher",
    }
)
ENTRY_MODULE_NAMES = frozenset({"endpoints", "pages", "cli", "vault_cli", "jobs"})

# Package cycles that remain. The list only shrinks: when a cycle is gone, remove it.
KNOWN_PACKAGE_CYCLES: frozenset[frozenset[str]] = frozenset()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SERVICE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def service_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in SERVICE.rglob("*.py")
        if "migrations" not in path.relative_to(SERVICE).parts[:-1] or path.name == "env.py"
    }


def imported_names(module: str, path: Path) -> Iterable[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)


def module_graph() -> dict[str, set[str]]:
    modules = service_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(module, path):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def job_modules() -> set[str]:
    return {job.run.__module__ for job in JOBS}


def node_of(module: str) -> str:
    if module in COMPOSITION_ROOT:
        return ROOT
    parts = module.split(".")
    package = ".".join(parts[:2])
    if len(parts) > 2 and (parts[-1] in ENTRY_MODULE_NAMES or module in job_modules()):
        return f"{package}:entry"
    return package


def package_graph(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, targets in modules.items():
        source = node_of(module)
        graph.setdefault(source, set())
        graph[source] |= {node_of(t) for t in targets} - {source}
    return graph


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.add(frozenset(component))
    return found


def test_the_graph_reader_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    source = tmp_path / "service" / "demo" / "thing.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from . import sibling\n"
        "def f():\n"
        "    from service.core.db import Base\n"
        "    import service.keys.port\n"
    )
    names = set(imported_names("service.demo.thing", source))
    assert {"service.demo.sibling", "service.core.db.Base", "service.keys.port"} <= names


def test_the_cycle_finder_finds_a_cycle_and_only_that() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == {frozenset({"a", "b", "c"})}
    assert cycles({"a": {"b"}, "b": set()}) == set()


def test_core_imports_nothing_from_another_service_package() -> None:
    outside = {
        f"{module} -> {target}"
        for module, targets in module_graph().items()
        if module.startswith("service.core.")
        for target in targets
        if not target.startswith("service.core")
    }
    assert outside == set()


def test_only_the_composition_root_imports_the_composition_root() -> None:
    importers = {
        f"{module} -> {target}"
        for module, targets in module_graph().items()
        if module not in COMPOSITION_ROOT
        for target in targets
        if target in COMPOSITION_ROOT
    }
    assert importers == set()


def test_no_import_cycle_between_packages_but_the_known_ones_which_only_shrink() -> None:
    found = cycles(package_graph(module_graph()))
    assert found - KNOWN_PACKAGE_CYCLES == set(), "a new package import cycle"
    assert KNOWN_PACKAGE_CYCLES - found == set(), "a known cycle is gone: remove it from the list"


def test_no_import_cycle_between_modules_outside_the_known_package_cycles() -> None:
    known_packages: set[str] = set().union(*KNOWN_PACKAGE_CYCLES)
    outside = {
        cycle
        for cycle in cycles(module_graph())
        if not {".".join(module.split(".")[:2]) for module in cycle} <= known_packages
    }
    assert outside == set()


def test_no_module_named_service_shadows_the_package() -> None:
    named_service = {module for module in service_modules() if module.endswith(".service")}
    assert named_service == set()


def private_imports_across_packages() -> set[str]:
    """``from service.x.m import _name`` in a module of another package than ``service.x``."""
    found = set()
    for module, path in service_modules().items():
        package = ".".join(module.split(".")[:2])
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            if ".".join(node.module.split(".")[:2]) == package:
                continue
            found |= {
                f"{module} <- {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            }
    return found


def test_no_package_imports_another_packages_private_names() -> None:
    assert private_imports_across_packages() == set()
