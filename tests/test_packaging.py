"""What `pip install .` installs: every package of the source tree, so that
an installed wxrbridge has every format the registry names."""

from __future__ import annotations

import configparser
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_package_in_the_tree_is_installed() -> None:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    in_tree = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "wxrbridge").rglob("__init__.py")
    }
    assert in_tree - listed == set()
