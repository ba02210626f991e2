"""The policy file: validated at start, errors name the file and the offending key."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.access.policy import PolicyError, load_policy

DEFAULT = Path(__file__).resolve().parents[2] / "policies" / "default.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def test_the_default_policy_loads_and_denies_by_default() -> None:
    policy = load_policy(DEFAULT)
    assert policy.allows("service", "charges:charge:create")
    assert not policy.allows("service", "audit:event:list")
    assert not policy.allows("service", "customers:customer:reveal")
    assert not policy.allows("compliance", "pauses:bulk:create")
    assert policy.allows("admin", "pauses:bulk:create")
    assert not policy.allows("nobody", "customers:customer:read")
    assert policy.reveal_fields("service") == ()
    assert policy.limits.max_pause_days == 90
    assert policy.limits.max_charge_for("eur") == 1_000_000
    assert policy.limits.processor_erasure_max_wait_days == 7


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("- charges:*", "- charges:refund"), "roles.service.actions"),
        (
            (
                "reveal_fields: [name, email, phone, address]\n  admin",
                "reveal_fields: [name, ssn]\n  admin",
            ),
            "roles.compliance.reveal_fields",
        ),
        (("max_pause_days: 90", "max_pause_days: -1"), "limits.max_pause_days"),
        (("requests_per_minute: 60000", "requests_per_minute: lots"), "limits.requests_per_minute"),
        (
            ("processor_erasure_max_wait_days: 7", "processor_erasure_max_wait_days: 0"),
            "limits.processor_erasure_max_wait_days",
        ),
        (("version: 1", "version: 1\nsurprise: true"), "surprise"),
    ],
)
def test_a_bad_policy_names_the_file_and_the_key(tmp_path: Path, change, named) -> None:
    text = DEFAULT.read_text()
    assert change[0] in text
    path = write(tmp_path, text.replace(change[0], change[1], 1))
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert str(path) in str(error.value)
    assert named in str(error.value)


def test_a_missing_role_or_unreadable_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="roles"):
        load_policy(write(tmp_path, "roles:\n  admin:\n    actions: ['*']\n"))
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "absent.yaml")
    with pytest.raises(PolicyError, match="YAML"):
        load_policy(write(tmp_path, "roles: [unclosed"))
