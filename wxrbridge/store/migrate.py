"""Creating, checking and upgrading a store's schema with alembic.

A new, empty database is migrated to head on first use.  A store made by an
older wxrbridge is never altered behind the user's back: opening it raises
:class:`StoreOutOfDateError` naming the command that upgrades it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
)
from sqlalchemy.exc import OperationalError

from ..errors import StoreError, StoreOutOfDateError

if TYPE_CHECKING:
    from alembic.config import Config

# alembic (with Mako) is imported only to create or upgrade a schema, or when
# the quick check below cannot decide: opening a store that is already
# current, the usual case, does not need it.
_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


# PostgreSQL's advisory lock for making a schema (the import lock in
# store/__init__.py is another), per schema; MariaDB's named lock, per
# database (its names are at most 64 characters, hence the hash).
_SCHEMA_LOCK_ID = 0x77787273
_MYSQL_SCHEMA_LOCK = "CONCAT('wxrbridge.schema.', SHA1(DATABASE()))"
_LOCK_WAIT_SECONDS = 600


@contextmanager
def schema_lock(connection: Connection) -> Iterator[None]:
    """Make the schema on ``connection`` one process at a time.

    Two first imports into one empty database would otherwise both create
    the tables, and one die on what the other made.  PostgreSQL takes a
    transaction-level advisory lock (released at commit or rollback);
    MariaDB a named lock, released here (its DDL commits by itself);
    SQLite its database's write lock, which ``BEGIN IMMEDIATE`` takes before
    anything is read.  Whoever waited then finds the schema made.
    """
    name = connection.dialect.name
    if name == "postgresql":
        connection.exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK_ID}, hashtext(current_schema()))"
        )
    elif name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif name in ("mysql", "mariadb"):
        taken = connection.exec_driver_sql(
            f"SELECT GET_LOCK({_MYSQL_SCHEMA_LOCK}, {_LOCK_WAIT_SECONDS})"
        ).scalar()
        # What the lock guards is read afresh, not in a snapshot from before it.
        connection.commit()
        if taken != 1:
            raise StoreError(f"waited {_LOCK_WAIT_SECONDS} s for another wxrbridge to "
                             "finish creating the store's schema; try again")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT RELEASE_LOCK({_MYSQL_SCHEMA_LOCK})")
            connection.commit()
        return
    yield


def migrations_path() -> Path:
    """The alembic scripts: installed as ``wxrbridge.migrations``, or the
    repository's ``migrations/`` when the package is imported from a
    checkout that shadows the installed one."""
    try:
        return Path(str(resources.files("wxrbridge.migrations")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    # configparser reads "%" as interpolation; URLs carry percent-escapes.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision(engine: Engine) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def _unreachable(engine: Engine, exc: OperationalError) -> StoreError:
    return StoreError(f"cannot reach {engine.url.render_as_string()}: {exc.orig}")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None


def _script_head() -> str | None:
    """The one head revision of the migration scripts, read from their
    ``revision`` and ``down_revision`` lines; ``None`` when that is not
    plain (then alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        scripts = sorted((migrations_path() / "versions").glob("*.py"))
        for script in scripts:
            text = script.read_text(encoding="utf-8")
            revision = _REVISION.search(text)
            down = _DOWN_REVISION.search(text)
            if revision is None or down is None:
                continue
            revisions.add(revision.group(1))
            parents.update(_QUOTED.findall(down.group(1)))
    except OSError:
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _is_current(engine: Engine) -> bool:
    """Whether the store is at head, by one SELECT and no alembic."""
    head = _script_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return False
            stored = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            ).scalars().all()
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None
    return stored == [head]


def _holds_no_schema(connection: Connection) -> bool:
    """Whether the database has no wxrbridge tables and no revision."""
    names = set(inspect(connection).get_table_names())
    return not names & {"alembic_version", "comments", "sources"}


def _version_table() -> Table:
    """The table alembic keeps a database's revision in, as alembic's own
    default implementation defines it."""
    return Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )


def create(engine: Engine) -> bool:
    """Give an empty database the head schema without running alembic.

    The models' tables are created from their metadata and stamped with the
    head revision, as alembic's recipe for a new database does; the result
    is the schema the migrations build (tests/test_store.py compares the
    two on every backend). Running alembic added about 10 MB to the peak
    memory of a first import, for DDL SQLAlchemy emits itself. Returns
    ``False``, having done nothing, when the scripts' head is not plain or
    another process made the schema first (see :func:`schema_lock`).
    """
    from .models import metadata

    head = _script_head()
    if head is None:
        return False
    version = _version_table()
    try:
        with engine.connect() as connection:
            with schema_lock(connection):
                if not _holds_no_schema(connection):
                    return False  # made by another process while this one waited
                metadata.create_all(connection)
                version.create(connection)
                connection.execute(version.insert().values(version_num=head))
            connection.commit()
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None
    return True


def has_schema(engine: Engine) -> bool:
    """Whether the database holds a wxrbridge store: its revision table."""
    try:
        with engine.connect() as connection:
            return inspect(connection).has_table("alembic_version")
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None


def check_current(engine: Engine, *, display_url: str) -> None:
    """Refuse, writing nothing, a store that is not at head."""
    if _is_current(engine):
        return
    current = current_revision(engine)
    if current != head_revision(engine):
        raise _out_of_date(display_url, current, head_revision(engine))


def _out_of_date(display_url: str, current: str | None, head: str) -> StoreOutOfDateError:
    return StoreOutOfDateError(
        f"the store {display_url} is at schema revision {current}, this "
        f"wxrbridge needs {head}: run `wxrbridge db upgrade --db {display_url}`"
    )


def ensure_current(engine: Engine, *, display_url: str) -> bool:
    """Migrate an empty database to head; refuse an out-of-date one.
    Returns whether the schema was created just now."""
    if _is_current(engine):
        return False
    # Decided under the schema lock, not before it: another process may be
    # creating the tables right now (MariaDB shows them one by one).
    if create(engine):
        return True
    current = current_revision(engine)
    head = head_revision(engine)
    if current == head:
        return False
    if current is None:
        tables = set(inspect(engine).get_table_names())
        if "comments" in tables:
            raise StoreError(
                f"{display_url} has a comments table but no wxrbridge schema "
                "version; it was not made by wxrbridge"
            )
        if not create(engine):
            upgrade(engine)
        return True
    raise _out_of_date(display_url, current, head)
