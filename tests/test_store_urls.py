"""Store URLs as people have them: without a driver (``postgres://``,
``mysql://``, what hosting panels show), or for a driver not installed."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from wxrbridge.cli import cli
from wxrbridge.errors import StoreError
from wxrbridge.store.engine import create_store_engine


@pytest.mark.parametrize("url, driver", [
    ("postgres://wxr@db.example.com/comments", "postgresql+psycopg"),
    ("postgresql://wxr@db.example.com/comments", "postgresql+psycopg"),
    ("mysql://wxr@db.example.com/comments", "mysql+pymysql"),
    ("mariadb://wxr@db.example.com/comments", "mariadb+pymysql"),
])
def test_a_url_without_a_driver_gets_the_installed_one(url: str, driver: str) -> None:
    engine = create_store_engine(url)
    try:
        assert engine.url.drivername == driver
    finally:
        engine.dispose()


@pytest.mark.parametrize("url, module, extra, name", [
    ("postgres://wxr@db.example.com/comments", "psycopg", "pg", "PostgreSQL"),
    ("postgresql+psycopg://wxr@db.example.com/comments", "psycopg", "pg", "PostgreSQL"),
    ("mysql://wxr@db.example.com/comments", "pymysql", "mysql", "MariaDB or MySQL"),
    ("mysql+pymysql://wxr@db.example.com/comments", "pymysql", "mysql", "MariaDB or MySQL"),
])
def test_a_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch, url: str,
                                          module: str, extra: str, name: str) -> None:
    for missing in (module, "psycopg2", "MySQLdb"):
        monkeypatch.setitem(sys.modules, missing, None)  # importing it fails
    with pytest.raises(StoreError) as caught:
        create_store_engine(url)
    assert str(caught.value).endswith(
        f"{name} needs the [{extra}] extra: pip install 'wxrbridge[{extra}]'")
    result = CliRunner().invoke(cli, ["import", "-", "--db", url], input=b"")
    assert result.exit_code == 4
    assert result.output.strip().splitlines() == [f"wxrbridge: error: {caught.value}"]


def test_another_driver_not_installed_says_which_the_extra_brings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    with pytest.raises(StoreError, match=r"its driver psycopg2 is not installed .* "
                       r"pip install 'wxrbridge\[pg\]' and use postgresql\+psycopg://"):
        create_store_engine("postgresql+psycopg2://wxr@db.example.com/comments")


def test_a_panel_url_reaches_the_server(store_url: str) -> None:
    parsed = make_url(store_url)
    scheme = {"postgresql": "postgres", "mysql": "mysql"}.get(parsed.get_backend_name())
    if scheme is None:
        pytest.skip("SQLite has no driver to name")
    url = parsed.set(drivername=scheme).render_as_string(hide_password=False)
    for args in (["db", "upgrade", "--db", url], ["stats", "--db", url, "--json"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
