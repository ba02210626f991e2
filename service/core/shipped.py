"""Files shipped with Strongroom beside its code: policies/ and audits/.

From a source checkout (or an editable install) they are read where they are in the tree. An
installed wheel carries them as data files under ``<prefix>/share/strongroom/`` (see
``[tool.setuptools.data-files]`` in pyproject.toml), where ``prefix`` is the virtual
environment or the image's Python prefix.
"""

from __future__ import annotations

import sys
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[2]
INSTALLED_ROOT = Path(sys.prefix) / "share" / "strongroom"


def shipped_path(*parts: str) -> Path:
    """Where the shipped file or directory ``parts`` is: the source tree's copy when there is
    one, else the installed copy (which may not exist either: the caller reports that)."""
    in_source = SOURCE_ROOT.joinpath(*parts)
    if in_source.exists():
        return in_source
    return INSTALLED_ROOT.joinpath(*parts)
