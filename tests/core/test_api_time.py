"""How times are written in answers: UTC, a ``Z``, no trailing zeros in the fraction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.core.timeparse import format_api_time

KATHMANDU = timezone(timedelta(hours=5, minutes=45))


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 12, 5, 18, 30, tzinfo=UTC), "2026-12-05T18:30:00Z"),
        (datetime(2026, 12, 5, 18, 30, 0, 250000, tzinfo=UTC), "2026-12-05T18:30:00.25Z"),
        (datetime(2026, 12, 5, 18, 30, 0, 1, tzinfo=UTC), "2026-12-05T18:30:00.000001Z"),
        (datetime(2026, 12, 6, 0, 15, 0, 500000, tzinfo=KATHMANDU), "2026-12-05T18:30:00.5Z"),
        (datetime(2027, 1, 1, 3, 0, tzinfo=timezone(timedelta(hours=-5))), "2027-01-01T08:00:00Z"),
        (None, None),
    ],
)
def test_a_time_is_written_in_utc_with_a_z(moment: datetime | None, written: str | None) -> None:
    assert format_api_time(moment) == written


def test_what_is_written_reads_back_as_the_same_instant() -> None:
    moment = datetime(2026, 3, 29, 1, 59, 59, 999000, tzinfo=KATHMANDU)
    written = format_api_time(moment)
    assert written is not None
    assert datetime.fromisoformat(written) == moment
