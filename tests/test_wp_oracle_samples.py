"""The bundled samples, read by PHP's SimpleXML the way WordPress's importer
reads them, agree with our reader comment by comment (the reader's own test
files are checked in test_wxr_read.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES
from test_wxr_read import test_reader_agrees_with_php_simplexml as check_with_php

SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*.wxr.xml") if p.name != "broken.wxr.xml")


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_samples_agree_with_php_simplexml(path: Path) -> None:
    if os.environ.get("CI") and not shutil.which("php"):
        pytest.fail("php is required in CI (.ci/run installs php-cli)")
    check_with_php(path)
