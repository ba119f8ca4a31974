"""Creating, checking and upgrading a store's schema with alembic.

A new, empty database is migrated to head on first use.  A store made by an
older wxrbridge is never altered behind the user's back: opening it raises
:class:`StoreOutOfDateError` naming the command that upgrades it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError

from ..errors import StoreError, StoreOutOfDateError


def migrations_path() -> Path:
    """The alembic scripts: installed as ``wxrbridge.migrations``, or the
    repository's ``migrations/`` when the package is imported from a
    checkout that shadows the installed one."""
    try:
        return Path(str(resources.files("wxrbridge.migrations")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    # configparser reads "%" as interpolation; URLs carry percent-escapes.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision(engine: Engine) -> str:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def _unreachable(engine: Engine, exc: OperationalError) -> StoreError:
    return StoreError(f"cannot reach {engine.url.render_as_string()}: {exc.orig}")


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None


def ensure_current(engine: Engine, *, display_url: str) -> None:
    """Migrate an empty database to head; refuse an out-of-date one."""
    current = current_revision(engine)
    head = head_revision(engine)
    if current == head:
        return
    if current is None:
        tables = set(inspect(engine).get_table_names())
        if "comments" in tables:
            raise StoreError(
                f"{display_url} has a comments table but no wxrbridge schema "
                "version; it was not made by wxrbridge"
            )
        upgrade(engine)
        return
    raise StoreOutOfDateError(
        f"the store {display_url} is at schema revision {current}, this "
        f"wxrbridge needs {head}: run `wxrbridge db upgrade --db {display_url}`"
    )
