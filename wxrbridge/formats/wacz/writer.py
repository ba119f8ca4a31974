"""Records in, a WACZ file out: the HTML archive is written into a
temporary folder, then each of its files is recorded in a WARC file and
the WARC packaged with its index as the WACZ 1.1.1 specification lays out:

    archive/data.warc.gz      every file, as a WARC response record
    indexes/index.cdx         CDXJ: where each address's record starts
    pages/pages.jsonl         the pages a player lists
    datapackage.json          each part's size and SHA-256
    datapackage-digest.json   the SHA-256 of datapackage.json

Files go one at a time from disk to the WARC, so memory does not grow
with the archive; only the index lines (one per file) are held to be
sorted.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ... import outputs
from ...errors import OutputError
from ...records import Record
from ...version import __version__
from .. import WriteReport
from ..html.archive import CHECKSUMS, MANIFEST, file_sha256
from ..html.writer import write_html
from . import BASE_URL

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
PAGES_FORMAT = "json-pages-1.0"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".atom": "application/atom+xml",
    ".json": "application/json",
    ".js": "text/javascript",
    ".css": "text/css",
    ".wasm": "application/wasm",
}
_TITLE = re.compile(rb"<title>(.*?)</title>", re.S)


def _content_type(relative: str) -> str:
    if relative == CHECKSUMS:
        return "text/plain; charset=utf-8"
    suffix = Path(relative).suffix
    guessed = _TYPES.get(suffix) or mimetypes.guess_type(relative)[0]
    return guessed or "application/octet-stream"


def surt(url: str) -> str:
    """The sort-friendly form of a URL a CDXJ index is keyed by:
    ``https://comments.example.org/a`` is ``org,example,comments)/a``."""
    parts = urlsplit(url)
    host = ",".join(reversed((parts.hostname or "").lower().split(".")))
    if parts.port:
        host += f":{parts.port}"
    path = parts.path or "/"
    return f"{host}){path}" + (f"?{parts.query}" if parts.query else "")


def _archive_files(folder: Path) -> list[str]:
    """The archive's files in the order the manifest lists them, the
    manifest itself last."""
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return [str(entry["path"]) for entry in data["files"]] + [MANIFEST]


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_warc(folder: Path, names: Sequence[str], base: str, warc: Path,
                moment: datetime) -> None:
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(WARC_NAME, {
            "software": f"wxrbridge {__version__}",
            "format": "WARC File Format 1.1",
            "isPartOf": base,
        }))
        for relative in names:
            path = folder.joinpath(*relative.split("/"))
            size = path.stat().st_size
            headers = StatusAndHeaders("200 OK", [
                ("Content-Type", _content_type(relative)),
                ("Content-Length", str(size)),
            ], protocol="HTTP/1.1")
            with path.open("rb") as payload:
                record = writer.create_warc_record(
                    base + relative, "response", payload=payload, length=size,
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": _iso(moment)},
                )
                writer.write_record(record)


def _index(warc: Path) -> list[str]:
    """One CDXJ line per response record, sorted as the format requires."""
    lines = []
    with warc.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            mime = record.http_headers.get_header("Content-Type").split(";")[0]
            record.content_stream().read()  # to the end, so the length is known
            fields = {
                "url": url, "mime": mime, "status": "200", "digest": digest,
                "length": str(records.get_record_length()),
                "offset": str(records.get_record_offset()), "filename": WARC_NAME,
            }
            stamp = _timestamp(datetime.strptime(
                record.rec_headers.get_header("WARC-Date"), "%Y-%m-%dT%H:%M:%SZ"))
            lines.append(f"{surt(url)} {stamp} {json.dumps(fields, sort_keys=True)}\n")
    lines.sort()
    return lines


def _title(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16384)
    found = _TITLE.search(head)
    return html.unescape(found.group(1).decode("utf-8", "replace")).strip() if found else ""


def _pages(folder: Path, names: Sequence[str], base: str, moment: datetime) -> Iterable[str]:
    yield json.dumps({"format": PAGES_FORMAT, "id": "pages", "title": "All pages"}) + "\n"
    for relative in names:
        if not relative.endswith(".html"):
            continue
        url = base + relative
        yield json.dumps({
            "id": uuid.uuid5(uuid.NAMESPACE_URL, url).hex, "url": url, "ts": _iso(moment),
            "title": _title(folder.joinpath(*relative.split("/"))),
        }, ensure_ascii=False) + "\n"



def package(folder: Path, target: Path, *, base: str = BASE_URL,
            moment: datetime | None = None) -> int:
    """Package the HTML archive in ``folder`` as the WACZ file ``target``;
    return the number of files recorded."""
    moment = (moment or datetime.now(timezone.utc)).replace(microsecond=0)
    names = _archive_files(folder)
    with tempfile.TemporaryDirectory(prefix=".wxrbridge-wacz-", dir=target.parent) as work:
        parts = Path(work)
        warc = parts / WARC_NAME
        _write_warc(folder, names, base, warc, moment)
        index = parts / "index.cdx"
        index.write_text("".join(_index(warc)), encoding="utf-8")
        pages = parts / "pages.jsonl"
        with pages.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(_pages(folder, names, base, moment))
        members = [
            (warc, f"archive/{WARC_NAME}"), (index, "indexes/index.cdx"),
            (pages, "pages/pages.jsonl"),
        ]
        description: dict[str, Any] = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": _title(folder / "index.html"),
            "created": _iso(moment),
            "software": f"wxrbridge {__version__}",
            "mainPageUrl": base + "index.html",
            "mainPageDate": _iso(moment),
            "resources": [
                {"name": Path(name).name, "path": name, "hash": f"sha256:{file_sha256(path)}",
                 "bytes": path.stat().st_size}
                for path, name in members
            ],
        }
        datapackage = json.dumps(description, indent=2, ensure_ascii=False).encode("utf-8")
        digest = {"path": "datapackage.json",
                  "hash": f"sha256:{hashlib.sha256(datapackage).hexdigest()}"}
        # Stored, not deflated: the WARC is gzipped already, and a player
        # reads a stored member at its offset without unpacking the rest.
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as wacz:
            for path, name in members:
                wacz.write(path, name)
            wacz.writestr("datapackage.json", datapackage)
            wacz.writestr("datapackage-digest.json", json.dumps(digest, indent=2))
    return len(names)


def _base_url(given: str | None) -> str:
    base = (given or BASE_URL).strip()
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise OutputError(f"base URL {base!r}: give an http or https address such as {BASE_URL}")
    return base if base.endswith("/") else base + "/"


def write_wacz(
    records: Iterable[Record],
    path: Path,
    *,
    statuses: Sequence[str] = (),
    private: bool = False,
    search: bool = False,
    base_url: str | None = None,
) -> WriteReport:
    """Write the HTML archive of ``records`` (see
    :func:`wxrbridge.formats.html.write_html`, which takes ``statuses``,
    ``private`` and ``search`` too) as the WACZ file ``path``, its files recorded at
    ``base_url``; the file appears only when complete."""
    base = _base_url(base_url)
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix=".wxrbridge-", dir=path.parent or ".") as work:
        site = Path(work) / "site"
        report = write_html(records, site, statuses=statuses, private=private, search=search)
        with outputs.complete_path(path) as part:
            count = package(site, Path(part), base=base)
    report.notes.append(f"{count} files recorded in {path.name} at {base}")
    return report
