"""Two first imports into one empty store at once: the schema is made once,
and both go on, on every backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from wxrbridge import api

REPO = Path(__file__).resolve().parent.parent
WXR = REPO / "tests" / "data" / "wxr" / "core-1.2.xml"

# Opens the store (making its schema) once the clock reaches the start time
# both processes are given, with table creation slowed, so that the two
# surely overlap; then imports a file.
_OPEN = textwrap.dedent(
    """
    import json, sys, time
    from wxrbridge.store import models

    create_all = models.metadata.create_all

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return create_all(*args, **kwargs)

    models.metadata.create_all = slow  # type: ignore[method-assign]
    from wxrbridge import api

    url, start, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    time.sleep(max(0.0, start - time.time()))
    with api.open_store(url) as store:
        (report,) = api.import_files(store, [path])
        print(json.dumps({"created": store.created, "comments": report.counts["comment"]}))
    """
)


def test_two_first_imports_at_once_make_the_schema_once(store_url: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.time() + 2.0  # both interpreters are up by then
    racers = [
        subprocess.Popen([sys.executable, "-c", _OPEN, store_url, str(start), str(WXR)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        results.append(json.loads(out))
    # One made the store; the other waited and found it made, so a failed
    # import of it would not remove what the first one made.
    assert sorted(r["created"] for r in results) == [False, True]
    with api.open_store(store_url) as store:
        assert store.stats()["comments"] == results[0]["comments"] > 0
