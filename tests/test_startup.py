"""What starting wxrbridge loads: `--version` and `--help` (and every
command before it needs them) load no store, no reader and no writer, and
not the format registry at all (the options a format gives a command are
made when that command runs or shows its help), so that start-up stays
small as formats are added."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

# Modules only a command's real work needs.
HEAVY = re.compile(r"^(sqlalchemy|lxml|jinja2|feedgen|warcio|wxrbridge\.api|wxrbridge\.store"
                   r"|wxrbridge\.formats|wxrbridge\.inputs|wxrbridge\.canonical)(\.|$)")


@pytest.mark.parametrize("argument", ["--version", "--help"])
def test_start_up_loads_no_reader_writer_or_store(argument: str) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "wxrbridge", argument],
                          capture_output=True, text=True, check=True)
    loaded = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
              if line.startswith("import time:")]
    assert [name for name in loaded if HEAVY.match(name)] == []


def test_an_import_loads_no_orm() -> None:
    """The store and its loader are SQLAlchemy Core alone: the ORM (a third
    of what opening a store cost) is imported only by store/orm.py."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys, wxrbridge.api, wxrbridge.store.load, "
         "wxrbridge.store.read; print(sorted(m for m in sys.modules if m.startswith("
         "'sqlalchemy.orm')))"],
        capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
