"""Full-text search of the archive from its own files: ``search=True``
runs Pagefind over the thread pages and adds ``search.html``.

Pagefind writes a static index split into small chunks, and a script that
fetches only the chunks a query needs: no server-side code, no service
elsewhere, any static host.  Only ``search.html`` loads that script;
every other page keeps running none.  The index's files are listed in the
manifest like the pages.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from jinja2 import Environment

from ...errors import OutputError
from .archive import HashedFile, Manifest, file_sha256

SEARCH_PAGE = "search.html"
SEARCH_SCRIPT = "search.js"
INDEX_FOLDER = "pagefind"
# Starts Pagefind's search box once the page is read (a file, not inline
# script, so the page's policy can forbid inline script).
# Results link to the pages relative to this one (``baseUrl``), so the
# archive may live in any folder of a host.
_STARTER = (
    'window.addEventListener("DOMContentLoaded", function () {\n'
    '  new PagefindUI({\n'
    '    element: "#search", showImages: false, showSubResults: true,\n'
    '    baseUrl: new URL(".", document.baseURI).pathname\n'
    "  });\n"
    "});\n"
)


def _pagefind() -> str:
    try:
        from pagefind_bin import get_executable
    except ImportError as error:
        raise OutputError(
            "search needs Pagefind: pip install 'wxrbridge[archive]' (pagefind[bin])"
        ) from error
    return str(get_executable())



def add_search(folder: Path, manifest: Manifest, env: Environment, site: dict[str, Any]) -> int:
    """Index the thread pages in ``folder`` and add the search page; return
    the number of index files written."""
    command = [_pagefind(), "--site", os.fspath(folder), "--output-subdir", INDEX_FOLDER,
               "--quiet"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise OutputError(f"Pagefind could not be run: {error}") from error
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise OutputError(f"Pagefind failed: {said[-1] if said else done.returncode}")
    written = sorted(path for path in (folder / INDEX_FOLDER).rglob("*") if path.is_file())
    for path in written:
        manifest.add(path.relative_to(folder).as_posix(), path.stat().st_size, file_sha256(path))
    with HashedFile(manifest, SEARCH_SCRIPT) as out:
        out.write_text((_STARTER,))
    with HashedFile(manifest, SEARCH_PAGE) as out:
        out.write_text(env.get_template(SEARCH_PAGE).generate(
            site=site, home="index.html", up="", folder=INDEX_FOLDER,
        ))
    return len(written)
