"""An audit definition is validated on load, and a bad one is refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.reports.spec import (
    AuditSpecError,
    EventsSection,
    RetentionSection,
    load_audit,
    parse_audit,
)


def parse(text: str) -> object:
    return parse_audit(text, name="sample", source="sample.yaml")


def problem(text: str) -> str:
    with pytest.raises(AuditSpecError) as caught:
        parse(text)
    return str(caught.value)


def test_a_valid_audit_loads_with_its_defaults() -> None:
    spec = parse_audit(
        """
title: Sample
sections:
  - {id: reveals, kind: events, title: Reveals, where: {actions: [customers:customer:reveal]},
     group_by: [actor, day], chart: daily}
  - {id: keep, kind: retention, title: Retention}
""",
        name="sample",
        source="sample.yaml",
    )
    events, retention = spec.sections
    assert isinstance(events, EventsSection) and events.group_by == ["actor", "day"]
    assert isinstance(retention, RetentionSection)
    assert (retention.retention_months, retention.queryable_months) == (12, 3)
    assert spec.name == "sample"


def test_an_unknown_kind_is_named_with_its_place() -> None:
    message = problem("title: T\nsections:\n  - {id: a, kind: magic, title: A}\n")
    assert message.startswith("sample.yaml: sections[0]")
    assert "'magic'" in message and "'events', 'key_versions', 'records', 'retention'" in message


def test_an_unknown_dimension_or_key_is_refused() -> None:
    message = problem(
        "title: T\nsections:\n  - {id: a, kind: events, title: A, group_by: [colour]}\n"
    )
    assert "sections[0].group_by[0]" in message
    message = problem("title: T\nsections:\n  - {id: a, kind: events, title: A, limit: 3}\n")
    assert "sections[0].limit: Extra inputs are not permitted" in message


def test_a_queryable_window_shorter_than_three_months_or_beyond_retention_is_refused() -> None:
    short = problem(
        "title: T\nsections:\n  - {id: r, kind: retention, title: R, queryable_months: 1}\n"
    )
    assert "sections[0].queryable_months" in short and "greater than or equal to 3" in short
    beyond = problem(
        "title: T\nsections:\n"
        "  - {id: r, kind: retention, title: R, retention_months: 4, queryable_months: 6}\n"
    )
    assert "queryable_months cannot exceed retention_months" in beyond


def test_bars_need_a_dimension_and_section_ids_are_unique() -> None:
    assert "a 'bars' chart needs" in problem(
        "title: T\nsections:\n  - {id: a, kind: events, title: A, chart: bars}\n"
    )
    assert "two sections share an id" in problem(
        "title: T\nsections:\n  - {id: a, kind: retention, title: A}\n"
        "  - {id: a, kind: key_versions, title: B}\n"
    )


def test_missing_title_no_sections_and_broken_yaml_are_refused() -> None:
    assert "title: Field required" in problem("sections:\n  - {id: a, kind: retention, title: A}")
    assert "sections: List should have at least 1 item" in problem("title: T\nsections: []\n")
    assert "not valid YAML" in problem("title: [unclosed\n")
    assert "the top level must be a mapping" in problem("- just\n- a list\n")


def test_load_refuses_unsafe_or_unknown_names(tmp_path: Path) -> None:
    known = "title: K\nsections:\n  - {id: a, kind: retention, title: A}\n"
    (tmp_path / "known.yaml").write_text(known)
    assert load_audit(tmp_path, "known").title == "K"
    with pytest.raises(AuditSpecError, match="lower-case letters"):
        load_audit(tmp_path, "../etc/passwd")
    with pytest.raises(AuditSpecError, match=r"no audit named 'other' \(available: known\)"):
        load_audit(tmp_path, "other")
