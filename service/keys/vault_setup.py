"""``strongroom vault setup``: bring an initialised, unsealed OpenBao/Vault to what Strongroom
needs, with an operator's token, as many times as you like.

It mounts Transit and KV v2 (the audit anchors), creates the three Transit keys, writes the
shipped policies (``policies/openbao/``), enables AppRole and creates the role ``strongroom``
whose tokens carry the serving policy only. A secret id is issued when the role is new, when
asked, or when the AppRole file to hold it is missing; never otherwise, so a second run changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import hvac
import hvac.exceptions

from service.keys.errors import KeyServiceError
from service.keys.openbao_policies import (
    OPERATOR_POLICY,
    SERVING_POLICY,
    KeyNames,
    operator_policy,
    serving_policy,
)
from service.keys.vault_calls import HVAC_FAILURES, call, translate
from service.keys.vault_client import ANCHOR_MOUNT

ROLE_NAME = "strongroom"
APPROLE_MOUNT = "approle"
# A serving token lives an hour and is renewed by logging in again (the service does so when
# a token is refused); the secret id does not expire: revoke it with `bao write
# auth/approle/role/strongroom/secret-id-accessor/destroy` and run setup --new-secret-id.
ROLE_SETTINGS: dict[str, Any] = {
    "token_ttl": "1h",
    "token_max_ttl": "4h",
    "secret_id_ttl": "0",
    "secret_id_num_uses": 0,
    "token_type": "service",
    # not even OpenBao's "default" policy (token self-lookup, cubbyhole): serving only
    "token_no_default_policy": True,
}
KEY_TYPES = ("aes256-gcm96", "ed25519", "aes256-gcm96")


@dataclass
class SetupReport:
    """What each step found or did, and the AppRole's ids (a secret id only when issued)."""

    steps: list[tuple[str, str]] = field(default_factory=list)
    role_id: str = ""
    secret_id: str | None = None

    def note(self, what: str, outcome: str) -> None:
        self.steps.append((what, outcome))

    @property
    def changed(self) -> bool:
        return any(outcome != "already there" for _, outcome in self.steps)


def set_up(
    client: hvac.Client,
    names: KeyNames | None = None,
    *,
    issue_secret_id: bool = False,
    approle_mount: str = APPROLE_MOUNT,
    role_name: str = ROLE_NAME,
) -> SetupReport:
    names = names or KeyNames()
    report = SetupReport()
    _mount_engines(client, names, report)
    _create_keys(client, names, report)
    for policy_name, text in (
        (SERVING_POLICY, serving_policy(names)),
        (OPERATOR_POLICY, operator_policy(names)),
    ):
        _write_policy(client, policy_name, text, report)
    role_created = _approle(client, approle_mount, role_name, report)
    report.role_id = call(
        "AppRole role id",
        lambda: client.auth.approle.read_role_id(role_name, mount_point=approle_mount),
    )["data"]["role_id"]
    if role_created or issue_secret_id:
        report.secret_id = issue_new_secret_id(client, approle_mount, role_name)
        report.note(f"secret id for {role_name}", "issued")
    return report


def issue_new_secret_id(client: hvac.Client, approle_mount: str, role_name: str) -> str:
    response = call(
        "AppRole secret id",
        lambda: client.auth.approle.generate_secret_id(role_name, mount_point=approle_mount),
    )
    return str(response["data"]["secret_id"])


def _mount_engines(client: hvac.Client, names: KeyNames, report: SetupReport) -> None:
    mounts = call("listing of secrets engines", client.sys.list_mounted_secrets_engines)
    mounts = mounts.get("data", mounts)
    for engine, path, options in (
        ("transit", names.mount_point, None),
        ("kv", ANCHOR_MOUNT, {"version": "2"}),
    ):
        existing = mounts.get(f"{path}/")
        if existing is None:
            call(
                f"mount of the {engine} engine",
                lambda engine=engine, path=path, options=options: client.sys.enable_secrets_engine(
                    engine, path=path, options=options
                ),
            )
            report.note(f"{engine} engine at {path}/", "mounted")
            continue
        version = str((existing.get("options") or {}).get("version", ""))
        if existing.get("type") != engine or (engine == "kv" and version != "2"):
            raise KeyServiceError(
                f"{path}/ is mounted as {existing.get('type')} {version}".rstrip()
                + f", but Strongroom needs {engine}{' v2' if engine == 'kv' else ''} there"
            )
        report.note(f"{engine} engine at {path}/", "already there")


def _create_keys(client: hvac.Client, names: KeyNames, report: SetupReport) -> None:
    transit = client.secrets.transit
    for name, key_type in zip(
        (names.data_key, names.audit_key, names.index_key), KEY_TYPES, strict=True
    ):
        try:
            existing = transit.read_key(name, mount_point=names.mount_point)["data"]
        except hvac.exceptions.InvalidPath:
            call(
                f"creation of key {name}",
                lambda name=name, key_type=key_type: transit.create_key(
                    name, key_type=key_type, mount_point=names.mount_point
                ),
            )
            report.note(f"key {name} ({key_type})", "created")
            continue
        except HVAC_FAILURES as error:
            raise translate(error, f"lookup of key {name}") from None
        if existing["type"] != key_type:
            raise KeyServiceError(
                f"Transit key {name} exists with type {existing['type']}, "
                f"but Strongroom needs {key_type}"
            )
        report.note(f"key {name} ({key_type})", "already there")


def _write_policy(client: hvac.Client, name: str, text: str, report: SetupReport) -> None:
    try:
        current = client.sys.read_policy(name)["data"]["rules"]
    except hvac.exceptions.InvalidPath:
        current = None
    except HVAC_FAILURES as error:
        raise translate(error, f"read of policy {name}") from None
    if current == text:
        report.note(f"policy {name}", "already there")
        return
    call(f"write of policy {name}", lambda: client.sys.create_or_update_policy(name, text))
    report.note(f"policy {name}", "written" if current is None else "updated")


def _approle(client: hvac.Client, mount: str, role_name: str, report: SetupReport) -> bool:
    """Enable AppRole and create or correct the role; True when the role is new."""
    methods = call("listing of auth methods", client.sys.list_auth_methods)
    methods = methods.get("data", methods)
    if f"{mount}/" not in methods:
        call(
            "enabling AppRole",
            lambda: client.sys.enable_auth_method("approle", path=mount),
        )
        report.note(f"auth method approle at {mount}/", "enabled")
    else:
        report.note(f"auth method approle at {mount}/", "already there")
    wanted = {**ROLE_SETTINGS, "token_policies": [SERVING_POLICY]}
    current = _read_role(client, mount, role_name)
    if current is not None and _role_matches(current, wanted):
        report.note(f"AppRole {role_name} (policy {SERVING_POLICY})", "already there")
        return False
    write: Callable[[], Any] = lambda: client.auth.approle.create_or_update_approle(  # noqa: E731
        role_name, mount_point=mount, **wanted
    )
    call(f"write of AppRole {role_name}", write)
    outcome = "created" if current is None else "updated"
    report.note(f"AppRole {role_name} (policy {SERVING_POLICY})", outcome)
    return current is None


def _read_role(client: hvac.Client, mount: str, role_name: str) -> dict[str, Any] | None:
    try:
        return dict(client.auth.approle.read_role(role_name, mount_point=mount)["data"])
    except hvac.exceptions.InvalidPath:
        return None
    except HVAC_FAILURES as error:
        raise translate(error, f"read of AppRole {role_name}") from None


_DURATIONS = {"token_ttl": 3600, "token_max_ttl": 4 * 3600, "secret_id_ttl": 0}


def _role_matches(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return (
        list(current.get("token_policies") or []) == wanted["token_policies"]
        and all(int(current.get(k, -1)) == seconds for k, seconds in _DURATIONS.items())
        and int(current.get("secret_id_num_uses", -1)) == wanted["secret_id_num_uses"]
        and current.get("token_type") in ("service", "default-service")
        and current.get("token_no_default_policy") is True
    )
