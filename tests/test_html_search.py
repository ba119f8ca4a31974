"""--search: a Pagefind index in the archive's own files, listed in the
manifest, with script on the search page only."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import lxml.html
import pytest
from conftest import SAMPLES

from wxrbridge import api

SAMPLE = SAMPLES / "agency-blog.wxr.xml"


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search") / "site"
    result = api.convert(SAMPLE, folder, to="html", search=True)
    assert any(note.startswith("search: ") for note in result.written.notes)
    return folder


def test_the_index_is_in_the_manifest(searchable: Path) -> None:
    listed = {
        entry["path"]: entry["sha256"]
        for entry in json.loads((searchable / "manifest.json").read_text())["files"]
    }
    index_files = [p for p in (searchable / "pagefind").rglob("*") if p.is_file()]
    assert any(p.name == "pagefind-entry.json" for p in index_files)
    assert any(p.suffix == ".pf_index" for p in index_files)
    for path in [*index_files, searchable / "search.html", searchable / "search.js"]:
        relative = path.relative_to(searchable).as_posix()
        assert listed[relative] == hashlib.sha256(path.read_bytes()).hexdigest()
    entry = json.loads((searchable / "pagefind" / "pagefind-entry.json").read_text())
    # Only the thread pages are indexed, not the index or the search page.
    (language,) = entry["languages"].values()
    assert language["page_count"] == len(list((searchable / "threads").glob("*.html")))


def test_only_the_search_page_has_script_and_all_of_it_is_local(searchable: Path) -> None:
    for path in searchable.rglob("*.html"):
        doc = lxml.html.parse(str(path)).getroot()
        scripts = doc.xpath("//script")
        if path.name != "search.html":
            assert scripts == [], path
            continue
        sources = [script.get("src") for script in scripts]
        assert sources == ["pagefind/pagefind-ui.js", "search.js"]
        assert all(script.text is None for script in scripts)  # nothing inline
        policy = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
        assert "script-src 'self' 'wasm-unsafe-eval'" in policy
        assert "connect-src 'self'" in policy and "default-src 'none'" in policy
    index = lxml.html.parse(str(searchable / "index.html")).getroot()
    assert index.xpath("//a/@href").count("search.html") == 1


def test_without_search_there_is_no_index_nor_link(tmp_path: Path) -> None:
    api.convert(SAMPLE, tmp_path / "site", to="html")
    names = {p.relative_to(tmp_path / "site").parts[0] for p in (tmp_path / "site").iterdir()}
    assert names == {"SHA256SUMS", "feed.atom", "index.html", "manifest.json", "threads"}
    assert "search.html" not in (tmp_path / "site" / "index.html").read_text()


def test_a_wacz_can_carry_the_search_too(tmp_path: Path) -> None:
    import zipfile

    target = tmp_path / "site.wacz"
    api.convert(SAMPLE, target, search=True)
    with zipfile.ZipFile(target) as package:
        pages = package.read("pages/pages.jsonl").decode()
        index = package.read("indexes/index.cdx").decode()
    assert "search.html" in pages
    assert "/pagefind/pagefind-entry.json" in index
