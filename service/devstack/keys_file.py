"""``STRONGROOM_DEV_KEYS_FILE``: the development keys, written to a file only the user can read.

The file is created, never reused: ``O_CREAT|O_EXCL|O_NOFOLLOW`` with mode 0600, so a file or a
symlink planted at that path in advance (by another local user, say) is refused instead of
being followed, truncated or left readable.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "STRONGROOM_DEV_KEYS_FILE"


class KeysFileRefused(Exception):
    """The path already exists (a file or a symlink): nothing was written."""


def write_keys_file(path: Path, text: str) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileExistsError as exc:
        raise KeysFileRefused(f"{path} already exists; not writing keys into it") from exc
    try:
        os.fchmod(descriptor, 0o600)  # whatever the umask
        os.write(descriptor, text.encode())
    finally:
        os.close(descriptor)
