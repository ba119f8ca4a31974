"""The neutral schema's shared conversions."""

from __future__ import annotations

from datetime import datetime

import pytest

from wxrbridge.canonical import (
    WXR_ZERO_DATE,
    format_wxr_date,
    normalise_url,
    parse_utc,
    post_id_in_url,
    usual_utc_text,
    utc_iso,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2026, 11, 28, 8, 5, 9), "2026-11-28 08:05:09"),
        (datetime(2026, 1, 2, 3, 4, 5, 678901), "2026-01-02 03:04:05"),  # no microseconds
        (datetime(999, 12, 31, 23, 59, 59), "0999-12-31 23:59:59"),  # four digits, as MySQL
        (datetime(9999, 12, 31, 23, 59, 59, 999999), "9999-12-31 23:59:59"),
        (None, WXR_ZERO_DATE),
    ],
)
def test_wxr_dates(value: datetime | None, text: str) -> None:
    assert format_wxr_date(value) == text


@pytest.mark.parametrize("raw", [
    "2024-01-02 03:04:05", "2024-01-02T03:04:05", "2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05z", "0999-01-02T03:04:05Z", "9999-12-31T23:59:59Z",
])
def test_usual_dates_take_the_short_way_to_the_same_text(raw: str) -> None:
    assert usual_utc_text(raw) == format_wxr_date(parse_utc(raw))


@pytest.mark.parametrize("raw", [
    None, "", WXR_ZERO_DATE, "0000-00-00 00:00:00Z", "2024-02-30T03:04:05Z",
    "2024-01-02 03:04:05 ", " 2024-01-02 03:04:05", "2024-01-02T03:04:05+02:00",
    "2024-01-02T03:04:05.250Z", "2024-01-02T03:04:05X", "yesterday, 10 o'clock",
])
def test_other_dates_are_left_to_parse_utc(raw: str | None) -> None:
    assert usual_utc_text(raw) is None


@pytest.mark.parametrize(("url", "normal"), [
    ("HTTPS://WWW.Example.org/a/b/", "example.org/a/b"),
    ("http://example.org/?p=12", "example.org?p=12"),
    ("  ", None),
    (None, None),
])
def test_a_url_is_reduced_to_what_names_the_page(url: str | None, normal: str | None) -> None:
    assert normalise_url(url) == normal


@pytest.mark.parametrize(("url", "post"), [
    ("https://example.org/?p=12", "12"),
    (" https://example.org/?cat=3&p=7 ", "7"),
    ("https://example.org/?p=twelve", None),
    ("https://example.org/12/", None),
    (None, None),
])
def test_a_post_id_is_found_in_a_plain_wordpress_link(url: str | None, post: str | None) -> None:
    assert post_id_in_url(url) == post


def test_utc_iso_tells_a_zero_date_from_text_that_is_not_a_date() -> None:
    assert utc_iso("2024-01-02 03:04:05") == "2024-01-02T03:04:05Z"
    assert utc_iso("2024-01-02T03:04:05Z") == "2024-01-02T03:04:05Z"
    assert utc_iso("0000-00-00 00:00:00", not_a_date="x") is None
    assert utc_iso(None, not_a_date="x") is None
    assert utc_iso("yesterday") is None
    assert utc_iso("yesterday", not_a_date="yesterday") == "yesterday"
