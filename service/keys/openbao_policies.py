"""The OpenBao/Vault policies Strongroom ships, in one home: ``policies/openbao/*.hcl``.

- ``strongroom-serving.hcl``: the token ``strongroom serve`` runs with (data keys, unwrap,
  sign/verify, blind index HMAC, write-once audit anchors) — no rotation, no key config.
- ``strongroom-operator.hcl``: what ``strongroom keys rotate [--retire]`` needs.

The files name the default mount, keys and anchor path, so an operator can also load them
with ``bao policy write``; ``render`` rewrites their paths for other names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.core.shipped import shipped_path
from service.keys.vault_client import (
    ANCHOR_MOUNT,
    ANCHOR_PATH,
    AUDIT_KEY_NAME,
    DATA_KEY_NAME,
    INDEX_KEY_NAME,
    TRANSIT_MOUNT,
)

SERVING_POLICY = "strongroom-serving"
OPERATOR_POLICY = "strongroom-operator"

_PATH_LINE = re.compile(r'^(\s*path\s+")([^"]+)(")', re.MULTILINE)


@dataclass(frozen=True)
class KeyNames:
    """Where Strongroom's keys and anchors live in OpenBao."""

    mount_point: str = TRANSIT_MOUNT
    data_key: str = DATA_KEY_NAME
    audit_key: str = AUDIT_KEY_NAME
    index_key: str = INDEX_KEY_NAME
    anchor_path: str = ANCHOR_PATH


def policy_file_text(name: str) -> str:
    """The shipped policy file ``name`` (``strongroom-serving`` or ``strongroom-operator``)."""
    if name not in (SERVING_POLICY, OPERATOR_POLICY):
        raise ValueError(f"no shipped OpenBao policy named {name!r}")
    path = shipped_path("policies", "openbao", f"{name}.hcl")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuntimeError(
            f"the OpenBao policy file {path} is missing ({exc.strerror or exc}): "
            "Strongroom is not installed completely"
        ) from exc


def render(text: str, names: KeyNames) -> str:
    """``text`` (a shipped policy) with its paths rewritten for ``names``."""
    return _PATH_LINE.sub(lambda m: m.group(1) + _rewrite(m.group(2), names) + m.group(3), text)


def serving_policy(names: KeyNames | None = None) -> str:
    """The serving policy for ``names`` (default names: the shipped file as it is)."""
    return render(policy_file_text(SERVING_POLICY), names or KeyNames())


def operator_policy(names: KeyNames | None = None) -> str:
    return render(policy_file_text(OPERATOR_POLICY), names or KeyNames())


def _rewrite(path: str, names: KeyNames) -> str:
    transit_prefix = f"{TRANSIT_MOUNT}/"
    if path.startswith(transit_prefix):
        key_names = {
            DATA_KEY_NAME: names.data_key,
            AUDIT_KEY_NAME: names.audit_key,
            INDEX_KEY_NAME: names.index_key,
        }
        segments = [key_names.get(s, s) for s in path[len(transit_prefix) :].split("/")]
        return "/".join([names.mount_point, *segments])
    for kind in ("data", "metadata"):
        shipped = f"{ANCHOR_MOUNT}/{kind}/{ANCHOR_PATH}"
        if path == shipped or path.startswith(shipped + "/"):
            return f"{ANCHOR_MOUNT}/{kind}/{names.anchor_path}" + path[len(shipped) :]
    raise ValueError(f"a shipped policy grants a path Strongroom does not know: {path}")
