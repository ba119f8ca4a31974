"""The generated CLI reference is current; progress bars show only on a terminal."""

from __future__ import annotations

import fcntl
import importlib.util
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from conftest import REPO, generate_corpus


def test_cli_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location("make_cli_md", REPO / "docs" / "make_cli_md.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == module.render(), "run: python docs/make_cli_md.py"


def _corpus(tmp_path: Path, comments: int) -> Path:
    wxr, _ = generate_corpus(comments, tmp_path, seed=3)
    return wxr


def test_progress_bar_moves_on_a_terminal_and_not_in_a_pipe(tmp_path: Path) -> None:
    source = _corpus(tmp_path, 4000)
    db = f"sqlite:///{tmp_path / 'tty.sqlite'}"
    command = [sys.executable, "-m", "wxrbridge", "import", str(source), "--db", db]
    # stderr on a pseudo-terminal, as a person at a terminal would have it.
    main, secondary = pty.openpty()
    # 24 rows by 100 columns, as a terminal window has.
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=secondary,
                               env={**os.environ, "COLUMNS": "100"})
    os.close(secondary)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=60)
    os.close(main)
    assert process.returncode == 0
    text = seen.decode("utf-8", "replace")
    assert "reading" in text and "%" in text and "\r" in text, text[-500:]

    piped = subprocess.run(
        [sys.executable, "-m", "wxrbridge", "import", str(source), "--db",
         f"sqlite:///{tmp_path / 'pipe.sqlite'}"],
        capture_output=True, timeout=120,
    )
    assert piped.returncode == 0
    assert piped.stdout == b""
    assert piped.stderr.decode().count("\n") == 1  # the one-line summary, no bar
    assert "\r" not in piped.stderr.decode()
