"""Files through the store and back, on every configured backend.

A WXR file read into a store and exported again must be the same document
(xmlcompare ignores only CDATA versus escaped text, whitespace between
elements and XML comments); a Disqus export likewise, field by field.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES
from lxml import etree
from test_disqus_write import assert_same_export, make_disqus_fixture
from test_wxr_roundtrip import is_trimmed

from wxrbridge import api, formats
from wxrbridge.formats.xml.compare import diff_documents
from wxrbridge.store import open_store

WXR_FILES = sorted(
    [p for p in SAMPLES.glob("*.wxr.xml") if p.name != "broken.wxr.xml"]
    + list((REPO / "tests" / "data" / "wxr").glob("*.xml"))
)


def _through_store(url: str, path: Path, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    with open_store(url) as store:
        api.import_files(store, [path])
        api.export(store, out, format=fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("path", WXR_FILES, ids=lambda p: p.name)
def test_wxr_round_trips_through_the_store(store_url: str, path: Path) -> None:
    """With ids kept as they are (--keep-ids), the same document comes back."""
    exported = _through_store(store_url, path, "wxr", keep_ids=True)
    assert diff_documents(path.read_bytes(), exported) == []


def test_default_export_renumbers_only_what_wordpress_could_not_relink(
    store_url: str,
) -> None:
    """wpcom-pretty's comment 398 answers 407: WordPress's importer, which
    inserts by id, could not link it.  By default it gets a fresh id above
    the file's, keeps 398 in meta, and nothing else changes but the padding
    of WordPress's own fields (written trimmed)."""
    path = SAMPLES / "wpcom-pretty.wxr.xml"
    exported = _through_store(store_url, path, "wxr")
    every = diff_documents(path.read_bytes(), exported)
    differences = [line for line in every if not is_trimmed(line)]
    assert len(differences) < len(every)
    assert differences, "expected the one renumbered comment"
    assert all("item[2]" in line for line in differences), differences
    root = etree.fromstring(exported)
    ns = {"wp": "https://wordpress.org/export/1.2/"}
    renumbered = [
        c for c in root.iterfind(".//wp:comment", ns)
        if any(m.findtext("wp:meta_key", namespaces=ns) == "_wxrbridge_original_id"
               for m in c.iterfind("wp:commentmeta", ns))
    ]
    assert len(renumbered) == 1
    new_id = int(renumbered[0].findtext("wp:comment_id", namespaces=ns))
    assert new_id > 407  # above every id in the file


def test_disqus_sample_round_trips_through_the_store(store_url: str) -> None:
    path = SAMPLES / "agency-blog.disqus.xml.gz"
    exported = _through_store(store_url, path, "disqus")
    assert_same_export(gzip.decompress(path.read_bytes()), exported)


def test_real_shaped_disqus_export_round_trips_through_the_store(
    store_url: str, tmp_path: Path
) -> None:
    """89 threads, 265 posts, 108 replies, spam, deleted, four hosts, orphan
    posts and empty ids: the same export comes back, field by field."""
    path = tmp_path / "forum-all.xml.gz"
    make_disqus_fixture.write(path)
    exported = _through_store(store_url, path, "disqus")
    assert_same_export(gzip.decompress(path.read_bytes()), exported)


def test_records_without_meta_are_the_records_with_their_meta_left_out(store_url: str) -> None:
    """A writer that shows no meta (the HTML archive) gets every record,
    field for field, with only the threads' and comments' meta, extras and
    terms empty."""
    from dataclasses import replace

    from wxrbridge.records import Comment, Thread

    with open_store(store_url) as store:
        api.import_files(store, [SAMPLES / "agency-blog.wxr.xml"])
        full = list(store.records(read_ahead=False))
        lean = list(store.records(read_ahead=False, meta=False))
        # Read by a second process, the same.
        ahead = list(store.records(read_ahead=True, meta=False))
    emptied = [
        replace(r, meta=[], extras=[], **({"terms": []} if isinstance(r, Thread) else {}))
        if isinstance(r, (Thread, Comment)) else r
        for r in full
    ]
    assert any(r.meta for r in full if isinstance(r, Comment))
    assert lean == emptied and ahead == emptied
    assert formats.get("html").writes_meta is False and formats.get("wxr").writes_meta
