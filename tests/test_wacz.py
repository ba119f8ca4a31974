"""The WACZ web archive: read back with warcio, every page and the
manifest checked, and the package as the WACZ specification lays it out."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES
from warcio.archiveiterator import ArchiveIterator

from wxrbridge import api
from wxrbridge.errors import OutputError
from wxrbridge.formats.wacz import BASE_URL
from wxrbridge.formats.wacz.writer import surt

SAMPLE = SAMPLES / "legacy-1.0.wxr.xml"


@pytest.fixture(scope="module")
def wacz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("wacz") / "site.wacz"
    result = api.convert(SAMPLE, target)
    assert result.written.written["thread"] >= 1
    return target


def _responses(warc: bytes) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for record in ArchiveIterator(io.BytesIO(warc)):
        if record.rec_type == "response":
            assert record.http_headers.get_statuscode() == "200"
            found[record.rec_headers.get_header("WARC-Target-URI")] = (
                record.content_stream().read()
            )
    return found


def test_every_file_of_the_manifest_is_recorded_as_written(
    wacz: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(wacz) as package:
        assert all(info.compress_type == zipfile.ZIP_STORED for info in package.infolist())
        recorded = _responses(package.read("archive/data.warc.gz"))
    manifest = json.loads(recorded[BASE_URL + "manifest.json"])
    assert manifest["format"] == "wxrbridge-html-archive"
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(recorded) == {BASE_URL + path for path in [*listed, "manifest.json"]}
    for path, entry in listed.items():
        body = recorded[BASE_URL + path]
        assert len(body) == entry["size"]
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
    # The same pages as the HTML archive of the same file, byte for byte.
    api.convert(SAMPLE, tmp_path / "site", to="html")
    pages = sorted(p.relative_to(tmp_path / "site").as_posix()
                   for p in (tmp_path / "site").rglob("*.html"))
    assert "index.html" in pages and len(pages) >= 2
    for page in pages:
        assert recorded[BASE_URL + page] == (tmp_path / "site" / page).read_bytes()


def test_the_index_and_page_list_find_every_record(wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as package:
        warc = package.read("archive/data.warc.gz")
        index = package.read("indexes/index.cdx").decode().splitlines()
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()]
    assert index == sorted(index)
    recorded = _responses(warc)
    assert len(index) == len(recorded)
    for line in index:
        key, _stamp, fields = line.split(" ", 2)
        entry = json.loads(fields)
        assert key == surt(entry["url"])
        offset, length = int(entry["offset"]), int(entry["length"])
        records = ArchiveIterator(io.BytesIO(warc[offset:offset + length]))
        record = next(records)
        assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
        assert record.content_stream().read() == recorded[entry["url"]]
        assert next(records, None) is None  # the length ends at the record's end
    assert pages[0]["format"] == "json-pages-1.0"
    html_urls = {url for url in recorded if url.endswith(".html")}
    assert {page["url"] for page in pages[1:]} == html_urls
    assert all(page["title"] for page in pages[1:])


def test_the_package_describes_its_parts_with_their_hashes(wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as package:
        described = package.read("datapackage.json")
        digest = json.loads(package.read("datapackage-digest.json"))
        data = json.loads(described)
        assert data["wacz_version"] == "1.1.1"
        assert data["mainPageUrl"] == BASE_URL + "index.html"
        for resource in data["resources"]:
            body = package.read(resource["path"])
            assert resource["bytes"] == len(body)
            assert resource["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
    assert digest["hash"] == "sha256:" + hashlib.sha256(described).hexdigest()


def test_the_reference_validator_accepts_it(wacz: Path) -> None:
    from wacz.main import main as wacz_tool

    assert wacz_tool(["validate", "-f", str(wacz)]) == 0


def test_a_base_url_places_the_records_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "at.wacz"
    api.convert(SAMPLE, target, to="wacz", base_url="https://example.org/c")
    with zipfile.ZipFile(target) as package:
        urls = _responses(package.read("archive/data.warc.gz"))
    assert "https://example.org/c/index.html" in urls
    with pytest.raises(OutputError, match="base URL"):
        api.convert(SAMPLE, tmp_path / "bad.wacz", base_url="ftp://x/")
    assert not (tmp_path / "bad.wacz").exists()
