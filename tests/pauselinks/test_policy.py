"""``subscriber_pause`` in ``policies/``: its defaults, its checks at start, and the lengths a
page offers; and the locale the page reads from ``Accept-Language``."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.access.policy import PolicyError, SubscriberPause, load_policy
from service.web.locales import negotiate_locale
from tests.pauselinks.support import DEFAULT_POLICY


def test_the_default_policy_offers_one_week_to_three_months_shifted() -> None:
    rules = load_policy(DEFAULT_POLICY).subscriber_pause
    assert (rules.min_days, rules.max_days, rules.modes, rules.start) == (7, 90, ("shift",), "now")
    assert rules.lengths() == (7, 14, 30, 60, 90)
    assert rules.lengths((3, 14, 14, 120, 30)) == (14, 30)  # a link's own, within the bounds


@pytest.mark.parametrize(
    ("section", "complaint"),
    [
        ("subscriber_pause: {max_days: 120}", "must not exceed limits.max_pause_days"),
        ("subscriber_pause: {min_days: 30, max_days: 14}", "min_days must not exceed"),
        ("subscriber_pause: {modes: [freeze]}", "unknown mode"),
        ("subscriber_pause: {modes: []}", "at least one mode"),
        ("subscriber_pause: {start: tomorrow}", "start is now or period_end"),
        ("subscriber_pause: {min_days: 0}", "subscriber_pause.min_days"),
        ("subscriber_pause: {colour: blue}", "subscriber_pause.colour"),
    ],
)
def test_a_bad_subscriber_pause_section_stops_the_service_with_a_clear_error(
    tmp_path: Path, section: str, complaint: str
) -> None:
    path = tmp_path / "policy.yaml"
    text = DEFAULT_POLICY.read_text()
    path.write_text(text[: text.index("subscriber_pause:")] + section + "\n")
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert complaint in str(raised.value) and str(path) in str(raised.value)


def test_skip_and_credit_may_be_offered_too() -> None:
    rules = SubscriberPause(modes=("credit", "skip", "credit"))
    assert rules.modes == ("credit", "skip")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de_DE"),
        ("en;q=0.2, fr-CH;q=0.9", "fr_CH"),
        ("xx-YY, ja;q=0.5", "ja"),
        ("*", "en_US"),
        (None, "en_US"),
        ("de;q=0, es;q=abc, pt-BR;q=0.3", "pt_BR"),
        ("en-GB;q=2", "en_US"),  # a weight over 1 is not a weight
        ("zz-" + "a" * 5000, "en_US"),
        (",".join(["xx"] * 50) + ",de", "en_US"),  # only the first 16 ranges are read
    ],
)
def test_the_locale_is_the_first_known_language_by_weight(header, expected) -> None:
    assert str(negotiate_locale(header)) == expected
