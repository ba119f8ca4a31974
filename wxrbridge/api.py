"""The library's front door; each function mirrors a CLI command.

Data flows one way: a reader streams records out of a file, the store loads
them, the store streams them back in tree order, a writer streams them into a
file.  ``convert`` is an import into a temporary SQLite store, then an export.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from . import formats, readahead
from .errors import OutputError
from .formats import WriteReport
from .inputs import ProgressCallback, open_inputs
from .outputs import complete_file
from .records import Comment, Record
from .redact import redact
from .store import LoadReport, MergeOptions, Selection, Store, UrlMap, open_store
from .usermap import UserMap
from .verify import VerifyReport, verify_records

__all__ = [
    "ConvertResult",
    "MergeOptions",
    "UrlMap",
    "Selection",
    "convert",
    "export",
    "import_files",
    "open_store",
    "read",
    "scratch_store",
    "verify",
    "write",
]


def read(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    recover: bool = False,
    progress: ProgressCallback | None = None,
) -> Iterator[Record]:
    """Stream the records of a file (``-`` for standard input).

    The format is detected from the content unless given; compressed files
    and zips of several exports are read transparently.
    """
    for item in open_inputs(os.fspath(path), progress):
        yield from formats.read_input(item, format=format, recover=recover)


@contextmanager
def _output(target: str | os.PathLike[str] | IO[bytes]) -> Iterator[IO[bytes]]:
    """A binary stream for ``target``; a named file appears only when
    complete, so a failed export never leaves half a file behind."""
    if not isinstance(target, (str, os.PathLike)):
        yield target
        return
    path = os.fspath(target)
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with complete_file(path) as handle:
        yield handle


def _counting(records: Iterable[Record], progress: ProgressCallback | None) -> Iterator[Record]:
    if progress is None:
        yield from records
        return
    for record in records:
        if isinstance(record, Comment):
            progress(1)
        yield record


def write(
    records: Iterable[Record],
    target: str | os.PathLike[str] | IO[bytes],
    *,
    format: str = "wxr",
    progress: ProgressCallback | None = None,
    **options: Any,
) -> WriteReport:
    """Write a record stream as ``format`` to a path, ``-`` or a binary stream
    (a folder for directory formats such as ``html``).

    ``redact=("emails", "ips")`` replaces those fields with stable one-way
    hashes first (``redact_salt`` keys them); ``user_map`` (Disqus username
    -> WordPress login) makes those users' comments author replies (see
    :mod:`wxrbridge.usermap`); other options go to the writer.  A writer
    given a named file also gets its path as ``split_path``, so that it can
    put further parts beside it.
    """
    fmt = formats.get(format)
    if fmt.write is None:
        raise OutputError(f"wxrbridge cannot write {fmt.name} files")
    fields = options.pop("redact", ())
    salt = options.pop("redact_salt", "")
    if fields:
        records = redact(records, fields, salt=salt)
    user_map = options.pop("user_map", None)
    mapper = UserMap(user_map) if user_map else None
    if mapper is not None:
        records = mapper.apply(records)
    if fmt.directory:
        if not isinstance(target, (str, os.PathLike)) or os.fspath(target) == "-":
            raise OutputError(f"{fmt.name} output is a folder: give -o DIR")
        folder = Path(target)
        folder.mkdir(parents=True, exist_ok=True)
        report = fmt.write(_counting(records, progress), folder, **options)  # type: ignore[arg-type]
    else:
        if isinstance(target, (str, os.PathLike)) and os.fspath(target) != "-":
            options.setdefault("split_path", os.fspath(target))
        with _output(target) as out:
            report = fmt.write(_counting(records, progress), out, **options)
    if mapper is not None:
        report.notes.extend(mapper.notes)
    return report


def import_files(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    *,
    recover: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    merge: MergeOptions | None = None,
    read_ahead: bool | None = None,
) -> list[LoadReport]:
    """Import files into ``store`` in one transaction: all of them or none.

    A Disqus export of a site whose WXR is already stored is merged into it
    (see :mod:`wxrbridge.store.merge`); ``merge`` adds a URL map for a blog
    that moved and Disqus-to-WordPress user mappings.

    A large file is parsed in a second process while this one stores what
    it has read, when there is a second core (see :mod:`wxrbridge.readahead`);
    ``read_ahead`` True or False asks for that, or not, whatever the size.
    The result is the same either way.
    """

    def streams() -> Iterator[tuple[Iterable[Record], Callable[[], str | None]]]:
        for path in map(os.fspath, paths):
            if readahead.worthwhile(path, read_ahead):
                yield from readahead.read_ahead(path, recover=recover, progress=progress)
                continue
            for item in open_inputs(path, progress):
                records = formats.read_input(item, format=None, recover=recover)
                yield records, (lambda stream=item.stream: stream.sha256)

    return store.load_many(streams(), dry_run=dry_run, merge=merge)


def export(
    store: Store,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    format: str = "wxr",
    selection: Selection | None = None,
    progress: ProgressCallback | None = None,
    read_ahead: bool | None = None,
    **options: Any,
) -> WriteReport:
    """Write the store's records as ``format``.

    A large SQLite store is read in a second process while this one writes
    (see :meth:`wxrbridge.store.Store.records`, which ``read_ahead`` goes to).
    """
    return write(
        store.records(selection, read_ahead=read_ahead), target, format=format,
        progress=progress, **options
    )


@dataclass
class ConvertResult:
    imported: list[LoadReport] = field(default_factory=list)
    written: WriteReport = field(default_factory=WriteReport)


def convert(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str] | IO[bytes],
    *,
    to: str | None = None,
    recover: bool = False,
    selection: Selection | None = None,
    read_progress: ProgressCallback | None = None,
    write_progress: ProgressCallback | None = None,
    **options: Any,
) -> ConvertResult:
    """Convert a file to another format through a temporary SQLite store.

    ``to`` defaults to the format the target's extension names, when one
    format claims it.
    """
    if to is None:
        fmt = by_target(target)
        to = fmt.name
    with scratch_store([source], recover=recover, progress=read_progress) as (store, imported):
        written = export(
            store, target, format=to, selection=selection, progress=write_progress, **options
        )
    return ConvertResult(imported, written)


@contextmanager
def scratch_store(
    paths: Sequence[str | os.PathLike[str]],
    *,
    recover: bool = False,
    progress: ProgressCallback | None = None,
) -> Iterator[tuple[Store, list[LoadReport]]]:
    """A temporary SQLite store holding ``paths``, gone when the block ends.

    What ``convert``, ``verify`` and ``stats FILE`` read a file through: the
    store resolves parent links and merges as a lasting one would.
    """
    with tempfile.TemporaryDirectory(prefix="wxrbridge-") as folder:
        scratch = f"sqlite:///{Path(folder) / 'scratch.sqlite'}"
        with open_store(scratch, durable=False) as store:
            reports = import_files(store, paths, recover=recover, progress=progress)
            yield store, reports


def _is_store_url(spec: str) -> bool:
    return "://" in spec and not os.path.exists(spec)


@contextmanager
def _records_for(spec: str | os.PathLike[str]) -> Iterator[Iterator[Record]]:
    """The records of a file (through a scratch store, which resolves its
    parent links) or of a store given by URL."""
    text = os.fspath(spec)
    if _is_store_url(text):
        with open_store(text) as store:
            yield store.records()
        return
    with scratch_store([text]) as (store, _reports):
        yield store.records()


def verify(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> VerifyReport:
    """Compare two exports or stores thread by thread and comment by comment.

    Each of ``a`` and ``b`` is a file (any readable format) or a store URL.
    Comments are matched across formats by the merge's identity rules; the
    report lists what is missing from B, extra in B, or changed.
    """
    with _records_for(a) as records_a, _records_for(b) as records_b:
        return verify_records(records_a, records_b)


def by_target(target: str | os.PathLike[str] | IO[bytes]) -> formats.Format:
    """The output format a target path's extension names, or an error."""
    name = os.fspath(target) if isinstance(target, (str, os.PathLike)) else ""
    fmt = formats.by_extension(name) if name and name != "-" else None
    if fmt is None:
        raise OutputError(
            f"cannot tell the output format from {name or 'the output'!r}; "
            f"name one of: {', '.join(formats.writable())}"
        )
    return fmt
