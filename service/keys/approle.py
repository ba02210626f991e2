"""The serving AppRole's credentials: from the environment, or from the 0600 file that
``strongroom vault setup --approle-file`` writes (a volume shared with the service in compose).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from service.core.config import Settings


class ApproleFileError(RuntimeError):
    """The AppRole file is missing, unreadable, readable by others, or not ours."""


def approle_credentials(settings: Settings) -> tuple[str | None, str | None]:
    """(role_id, secret_id): the environment's when set, else the AppRole file's."""
    secret_id = settings.vault_secret_id.get_secret_value() if settings.vault_secret_id else None
    if settings.vault_role_id and secret_id:
        return settings.vault_role_id, secret_id
    if settings.vault_approle_file is not None and not settings.vault_token:
        return read_approle_file(settings.vault_approle_file)
    return settings.vault_role_id, secret_id


def read_approle_file(path: Path) -> tuple[str, str]:
    try:
        status = path.stat()
        if status.st_mode & 0o077:
            raise ApproleFileError(
                f"{path} holds the AppRole secret id but is readable by others "
                f"({oct(status.st_mode & 0o777)}); refusing to use it. Run: chmod 600 {path}"
            )
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ApproleFileError(f"cannot read the AppRole file {path}: {exc}") from exc
    if not isinstance(content, dict) or not all(
        isinstance(content.get(name), str) and content[name] for name in ("role_id", "secret_id")
    ):
        raise ApproleFileError(f"{path} is not an AppRole file written by strongroom vault setup")
    return content["role_id"], content["secret_id"]


def write_approle_file(path: Path, role_id: str, secret_id: str) -> None:
    """Replace ``path`` atomically with the credentials, mode 0600 from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"role_id": role_id, "secret_id": secret_id}, handle)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
