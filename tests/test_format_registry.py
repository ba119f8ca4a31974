"""The registry says what each format takes, and the CLI and api hold to it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from wxrbridge import api, formats
from wxrbridge.cli import cli
from wxrbridge.errors import UnknownOptionError
from wxrbridge.formats import Format, Option

WXR = SAMPLES / "agency-blog.wxr.xml"
BUILTINS = [
    "wxr", "disqus", "disqus-import", "jsonl", "html", "wacz", "blogger", "wp-rest", "staticman",
    "remark42", "commento", "isso", "wp-db", "wp-page",
]


def invoke(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def test_write_refuses_an_option_the_format_does_not_declare() -> None:
    with pytest.raises(UnknownOptionError) as caught:
        api.write([], io.BytesIO(), format="disqus", keep_ids=True)
    assert str(caught.value) == (
        "the disqus writer takes no option keep_ids (its options: include_pings, forum)"
    )
    assert caught.value.exit_code == 2
    with pytest.raises(UnknownOptionError, match=r"its options: history\)"):
        api.write([], io.BytesIO(), format="jsonl", include_pings=True)


def test_convert_refuses_an_option_before_reading_anything(tmp_path: Path) -> None:
    with pytest.raises(UnknownOptionError):
        api.convert(tmp_path / "no such file.xml", tmp_path / "out.jsonl", keep_ids=True)


def test_declared_options_reach_the_writer() -> None:
    out = io.BytesIO()
    report = api.write(api.read(WXR), out, format="disqus", include_pings=True,
                       forum="agency")
    assert report.written["comment"] == 64 and b"<forum>agency</forum>" in out.getvalue()


def test_cli_refuses_a_flag_the_format_does_not_take(sqlite_url: str, tmp_path: Path) -> None:
    code, output = invoke("export", "--db", sqlite_url, "--format", "disqus",
                          "-o", tmp_path / "x.xml", "--keep-ids")
    assert code == 2
    assert "disqus does not take --keep-ids (its options: --include-pings)" in output
    code, output = invoke("convert", WXR, tmp_path / "x.jsonl", "--include-pings")
    assert code == 2 and "jsonl does not take --include-pings" in output


def test_format_is_a_choice_from_the_registry() -> None:
    code, output = invoke("export", "--format", "nope", "-o", "x")
    assert code == 2 and "'nope' is not one of" in output
    writable = [name for name in BUILTINS if formats.get(name).write is not None]
    assert all(f"'{name}'" in output for name in writable)
    _, output = invoke("convert", WXR, "x", "--to", "nope")
    assert all(f"'{name}'" in output for name in writable)
    # Whitespace dropped: the help wraps lines, even inside a hyphenated name.
    help_text = "".join(invoke("export", "--help")[1].split())
    assert f"Outputformat:{','.join(writable)}." in help_text


def test_every_writer_flag_comes_from_the_registry() -> None:
    _, export_help = invoke("export", "--help")
    _, convert_help = invoke("convert", "--help")
    for option, takers in formats.writer_options().values():
        if option.cli:
            names = ", ".join(f.name for f in takers)
            for text in (export_help, convert_help):
                assert option.flag in text and f"{names}: " in text
    for fmt in formats.formats():
        if fmt.write is not None:
            assert fmt.name in export_help and fmt.name in convert_help


def test_a_folder_format_refuses_standard_output(sqlite_url: str) -> None:
    invoke("import", WXR, "--db", sqlite_url)
    code, output = invoke("export", "--db", sqlite_url, "--format", "html", "-o", "-")
    assert code == 2 and "html output is a folder: give -o DIR" in output
    code, output = invoke("convert", WXR, "-", "--to", "html")
    assert code == 2 and "html output is a folder" in output


def test_status_goes_to_formats_that_add_it_to_approved(sqlite_url: str, tmp_path: Path) -> None:
    invoke("import", WXR, "--db", sqlite_url)
    for fmt in formats.formats():
        if fmt.statuses_add_to_approved:
            target = tmp_path / fmt.name
            code, output = invoke("export", "--db", sqlite_url, "--format", fmt.name,
                                  "-o", target, "--status", "pending")
            assert code == 0, output


def test_the_cli_names_no_format() -> None:
    source = (Path(formats.__file__).parent.parent / "cli.py").read_text(encoding="utf-8")
    for name in formats.writable():
        assert f'"{name}"' not in source and f"'{name}'" not in source


def test_builtins_register_in_order_whatever_is_imported_first() -> None:
    found = subprocess.run(
        [sys.executable, "-c", "import wxrbridge.formats.html, wxrbridge.formats.jsonl; "
         "from wxrbridge import formats; print([f.name for f in formats.formats()])"],
        capture_output=True, text=True, check=True, timeout=60,
    )
    assert found.stdout.strip() == str(BUILTINS)


def test_register_refuses_a_second_format_of_a_name() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        formats.register(Format(name="wxr", description="another"))
    formats.register(formats.get("wxr"))  # the same one again is no change
    assert [f.name for f in formats.formats()][:len(BUILTINS)] == BUILTINS


def test_register_refuses_an_option_unlike_another_formats() -> None:
    odd = Format(name="odd", description="odd", options=(Option("keep_ids", str, "text"),))
    with pytest.raises(ValueError, match="differs"):
        formats.register(odd)
    assert "odd" not in formats.writable() + formats.readable()


def test_help_loads_no_store_writer_or_template_engine() -> None:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "wxrbridge", "--help"],
                            capture_output=True, text=True, check=True, timeout=60)
    modules = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:")]
    heavy = [m for m in modules if m.split(".")[0] in ("sqlalchemy", "jinja2", "alembic", "tqdm")
             or m.startswith("wxrbridge.store") or m.endswith((".writer", "isso.reader"))]
    assert heavy == []
