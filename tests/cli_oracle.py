"""Helpers for tests that run the command line and read its output the way
WordPress's parser does (tests/wp_oracle.php, PHP's SimpleXML)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from wxrbridge.cli import cli

ORACLE = Path(__file__).parent / "wp_oracle.php"


def run(*args: object) -> str:
    """Run ``wxrbridge ARGS``; it must succeed. Returns what it printed."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def php_read(path: Path) -> list[dict]:
    """The items and comments of a WXR file as WordPress's parser reads them."""
    php = shutil.which("php")
    if php is None:
        if os.environ.get("CI"):
            pytest.fail("php is required in CI (.ci/run installs php-cli)")
        pytest.skip("php is not installed")
    result = subprocess.run([php, str(ORACLE), str(path)], capture_output=True, text=True,
                            check=True)
    items: list[dict] = json.loads(result.stdout)
    return items
