"""The index's order, kept by a temporary database rather than in memory:
dated threads oldest first, then the undated ones by title, and threads of
the same key in the order they came."""

from __future__ import annotations

import random
from pathlib import Path

from wxrbridge.formats.html.index import Pages


def test_rows_come_back_by_date_then_title_ties_in_arrival_order(tmp_path: Path) -> None:
    rng = random.Random(5)
    dates = ["2009-01-01T00:00:00Z", "2010-06-01T12:00:00Z", "2010-06-01T12:00:01Z",
             "999-01-01T00:00:00Z", "2024-12-31T23:59:59Z"]
    titles = ["b", "B", "a", "", "ä", "a longer", "\U0001f600", "\ud800 lone", "Z"]
    pages = Pages(tmp_path)
    rows = []
    # More rows than one batch, so that some wait while others are written.
    for number in range(700):
        dated = rng.random() < 0.6
        row = {"name": f"page-{number}", "iso": rng.choice(dates) if dated else None,
               "title": rng.choice(titles), "utc": None, "local": None, "raw": None}
        assert not pages.taken(row["name"])
        pages.add(dict(row), b"")
        assert pages.taken(row["name"]) and not pages.taken(f"page-{number + 1}")
        rows.append(row)
    expected = sorted(
        range(len(rows)),
        key=lambda n: (0, rows[n]["iso"], "") if rows[n]["iso"]
        else (1, "", rows[n]["title"].casefold()),
    )  # a stable sort: ties in arrival order
    got = [int(row["name"].removeprefix("page-")) for row in pages.in_order()]
    pages.abandon()
    assert got == expected
    # The case the order turns on happened: same dates, same titles, undated.
    same_date = [n for n in got if rows[n]["iso"] == dates[1]]
    assert len(same_date) > 10 and same_date == sorted(same_date)
    undated = [n for n in got if not rows[n]["iso"]]
    assert undated == got[-len(undated):]
