"""The neutral schema's shared conversions."""

from __future__ import annotations

from datetime import datetime

import pytest

from wxrbridge.canonical import WXR_DATE_FORMAT, WXR_ZERO_DATE, format_wxr_date


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 28, 8, 5, 9),
        datetime(2026, 1, 2, 3, 4, 5, 678901),  # microseconds are not written
        datetime(1000, 1, 1),
        datetime(999, 12, 31, 23, 59, 59),  # strftime's own form below year 1000
        datetime(9999, 12, 31, 23, 59, 59, 999999),
    ],
)
def test_wxr_dates_are_strftimes_text(value: datetime) -> None:
    assert format_wxr_date(value) == value.strftime(WXR_DATE_FORMAT)


def test_no_date_is_wordpress_zero_date() -> None:
    assert format_wxr_date(None) == WXR_ZERO_DATE == "0000-00-00 00:00:00"
