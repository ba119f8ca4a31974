"""Reports as the command line says them: options by their flags, counts
in the right number, and under -q only the losses, grouped by reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api
from wxrbridge.cli import cli
from wxrbridge.formats.tally import SUMMARY_AFTER, grouped

WXR = SAMPLES / "agency-blog.wxr.xml"
LEGACY = SAMPLES / "legacy-1.0.wxr.xml"


def _export(url: str, fmt: str, target: Path, *more: str) -> list[str]:
    result = CliRunner().invoke(cli, ["export", "--db", url, "-f", fmt, "-o", str(target), *more])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


@pytest.mark.parametrize("fmt", ["disqus", "disqus-import", "html"])
def test_messages_name_flags_not_keywords(stored: str, tmp_path: Path, fmt: str) -> None:
    lines = _export(stored, fmt, tmp_path / "out")
    text = "\n".join(lines)
    assert "include_pings" not in text and "statuses=" not in text
    assert "the statuses option" not in text
    assert "--include-pings" in text or "--status" in text
    assert "--status / --status" not in text


def test_the_library_still_speaks_keywords(stored: str, tmp_path: Path) -> None:
    with api.open_store(stored) as store:
        report = api.export(store, tmp_path / "out.xml", format="disqus-import")
    assert any("include_pings sends it" in line for line in report.left_out)
    assert any("the statuses option adds them" in line for line in report.left_out)


def test_one_is_singular(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with api.open_store(url) as store:
        api.import_files(store, [LEGACY])
        report = api.export(store, tmp_path / "out.xml", format="disqus")
    assert "1 comment that is not a plain comment left out (1 pingback); " \
        "include_pings=True keeps them" in report.notes
    lines = _export(url, "disqus", tmp_path / "again.xml")
    assert "note: 1 comment that is not a plain comment left out (1 pingback); " \
        "--include-pings keeps them" in lines


def test_quiet_groups_one_line_per_record(stored: str, tmp_path: Path) -> None:
    loud = [line for line in _export(stored, "disqus", tmp_path / "a.xml")
            if line.startswith("left out: comment ")]
    quiet = _export(stored, "disqus", tmp_path / "b.xml", "-q")
    assert len(loud) > SUMMARY_AFTER  # 21 pingbacks, one line each
    assert all(line.startswith("left out: ") for line in quiet)  # nothing but losses
    pings = [line for line in quiet if "a pingback has no place" in line]
    assert len(pings) == 1 and pings[0].startswith("left out: 21 comments: ")
    assert pings[0].endswith(" and 11 more)")
    assert len(quiet) < len(loud)


def test_grouping_keeps_other_lines() -> None:
    lines = ["2 WordPress users: no user list"] + [
        f"comment {n}: a pingback is not sent" for n in range(SUMMARY_AFTER + 1)]
    assert grouped(lines) == [
        "2 WordPress users: no user list",
        "21 comments: a pingback is not sent (0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 11 more)"]
    few = [f"comment {n}: spam" for n in range(3)]
    assert grouped(few) == few
