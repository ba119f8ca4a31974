"""The library's front door; each function mirrors a CLI command.

Data flows one way: a reader streams records out of a file, the store loads
them, the store streams them back in tree order, a writer streams them into a
file.  ``convert`` is an import into a temporary SQLite store, then an export.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import formats, readahead
from .errors import NeedsStoreError, NoSuchThreadError, OutputError, OutputUsageError, WriteError
from .formats import WriteReport
from .inputs import HashingReader, ProgressCallback, open_inputs
from .outputs import complete_file
from .records import Comment, Record
from .redact import redact as redact_records
from .usermap import UserMap

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from .store import LoadReport, MergeOptions, Selection, Store, UrlMap, open_store
    from .verify import SideSource, VerifyReport

__all__ = [
    "ConvertResult",
    "LoadReport",
    "MergeOptions",
    "Selection",
    "Store",
    "StoreRevision",
    "UrlMap",
    "check_target",
    "compare_xml",
    "convert",
    "export",
    "import_files",
    "open_store",
    "read",
    "scratch_store",
    "store_revision",
    "upgrade_store",
    "verify",
    "write",
]

# The store's names, imported on first use: SQLAlchemy costs a command that
# does not open a store (``--help``, a reading process) a good part of its
# start-up.
_FROM_STORE = frozenset(
    {"LoadReport", "MergeOptions", "Selection", "Store", "UrlMap", "open_store"}
)


def __getattr__(name: str) -> Any:
    if name in _FROM_STORE:
        from . import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _open_store(url: str | None, **kwargs: bool) -> Store:
    from .store import open_store

    return open_store(url, **kwargs)


def _read_location(spec: str, format: str | None) -> tuple[formats.LocationReader, str] | None:
    """The reader and location, when ``spec`` is read from a location (a
    format given that reads so, ``NAME:LOCATION`` naming one, or a folder
    of a format's files) rather than opened as a file."""
    if format is not None:
        reader = formats.get(format).read_location
        return None if reader is None else (reader, spec)
    found = formats.at_location(spec)
    if found is None or found[0].read_location is None:
        # A bare folder of a format's files (saved pages) is its location.
        in_folder = formats.at_folder(spec)
        if in_folder is None or in_folder.read_location is None:
            return None
        return in_folder.read_location, spec
    return found[0].read_location, found[1]


def read(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    recover: bool = False,
    progress: ProgressCallback | None = None,
) -> Iterator[Record]:
    """Stream the records of a file (``-`` for standard input), or of a
    location a format reads itself (``NAME:LOCATION``).

    The format is detected from the content unless given; compressed files
    and zips of several exports are read transparently.  A database file
    (Isso's) is read by its format from its path.
    """
    for records, _digest in _sources(
        os.fspath(path), format=format, recover=recover, progress=progress, read_ahead=False,
    ):
        yield from records


def _sources(
    spec: str,
    *,
    format: str | None,
    recover: bool,
    progress: ProgressCallback | None,
    read_ahead: bool | None,
) -> Iterator[tuple[Iterable[Record], Callable[[], str | None]]]:
    """Each document ``spec`` holds, as its records and the digest of its
    content: read from a location, by its format from its path, in a second
    process (see :func:`wxrbridge.readahead.worthwhile`), or opened as one
    or more streams.  Each document's records are to be read through before
    the next is asked for."""
    location = _read_location(spec, format)
    if location is not None:
        reader, where = location
        yield reader(where, recover=recover), _no_digest
        return
    by_path = formats.at_path(spec, format)
    if by_path is not None and by_path.read_path is not None:
        yield by_path.read_path(spec, name=spec, recover=recover), _no_digest
        return
    if format is None and readahead.worthwhile(spec, read_ahead):
        yield from readahead.read_ahead(spec, recover=recover, progress=progress)
        return
    for item in open_inputs(spec, progress, recover=recover):
        yield formats.read_input(item, format=format, recover=recover), _digest_of(item.stream)


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
    if _is_device(path):
        # A device or a pipe (/dev/stdout, a FIFO) is written as it is:
        # renaming a finished file over it would replace it.
        with open(path, "wb") as handle:
            yield handle
        return
    with complete_file(path) as handle:
        yield handle


def _is_device(path: str) -> bool:
    """Whether ``path`` is something other than a file or folder (a device,
    a pipe)."""
    return os.path.exists(path) and not (os.path.isfile(path) or os.path.isdir(path))


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
    redact: Collection[str] = (),
    redact_salt: str = "",
    user_map: Mapping[str, str] | None = None,
    **options: object,
) -> WriteReport:
    """Write a record stream as ``format`` to a path, ``-`` or a binary stream
    (a folder for folder formats such as ``html``).

    ``redact=("emails", "ips")`` replaces those fields with stable one-way
    hashes first (``redact_salt`` keys them); ``user_map`` (Disqus username
    -> WordPress login) makes those users' comments author replies (see
    :mod:`wxrbridge.usermap`).  Other options go to the writer, which must
    declare them (:attr:`Format.options <wxrbridge.formats.Format.options>`):
    one it does not is refused with :class:`~wxrbridge.errors.UnknownOptionError`.
    A writer declaring ``split_path`` and given a named file gets its path
    there, so that it can put further parts beside it.
    """
    fmt = formats.get(format)
    if fmt.write is None:
        raise OutputError(f"wxrbridge cannot write {fmt.name} files")
    fmt.check_options(options)
    if redact:
        records = redact_records(records, redact, salt=redact_salt)
    mapper = UserMap(user_map) if user_map else None
    if mapper is not None:
        records = mapper.apply(records)
    records = _counting(records, progress)
    _check_target(fmt, target)
    try:
        report = _write_to(fmt, records, target, options)
    except BrokenPipeError:
        raise  # the reader went away: the caller decides what that means
    except OSError as exc:
        raise _write_error(exc, target) from None
    if mapper is not None:
        report.notes.extend(mapper.notes)
    return report


def _write_to(fmt: formats.Format, records: Iterable[Record],
              target: str | os.PathLike[str] | IO[bytes], options: dict[str, object]
              ) -> WriteReport:
    if fmt.write_location is not None:
        assert isinstance(target, (str, os.PathLike))  # _check_target saw to it
        return fmt.write_location(records, formats.location_of(fmt, os.fspath(target)),
                                  **options)
    if fmt.write_path is not None:
        assert isinstance(target, (str, os.PathLike))  # _check_target saw to it
        return fmt.write_path(records, Path(target), **options)
    if fmt.write_folder is not None:
        assert isinstance(target, (str, os.PathLike))  # _check_target saw to it
        folder = Path(target)
        folder.mkdir(parents=True, exist_ok=True)
        return fmt.write_folder(records, folder, **options)
    assert fmt.write_stream is not None
    takes_path = fmt.option(formats.TARGET_PATH_OPTION) is not None
    if takes_path and isinstance(target, (str, os.PathLike)) and os.fspath(target) != "-":
        options.setdefault(formats.TARGET_PATH_OPTION, os.fspath(target))
    with _output(target) as out:
        return fmt.write_stream(records, out, **options)


def check_target(format: str, target: str | os.PathLike[str] | IO[bytes]) -> None:
    """Refuse a target ``format`` cannot be written to (as :func:`write`
    would, before anything is read): a folder format given a stream or a
    file, a file format given a folder or a path in a folder that does not
    exist."""
    _check_target(formats.get(format), target)


def _check_target(fmt: formats.Format, target: str | os.PathLike[str] | IO[bytes]) -> None:
    path = os.fspath(target) if isinstance(target, (str, os.PathLike)) else "-"
    if fmt.write_location is not None:
        if path == "-":
            raise OutputUsageError(f"{fmt.name} output is a database: give its URL")
        return
    if fmt.write_path is not None and path == "-":
        raise OutputUsageError(f"{fmt.name} output is a database file: give its path")
    if fmt.write_folder is not None:
        if path == "-":
            raise OutputUsageError(f"{fmt.name} output is a folder: give -o DIR")
        if os.path.exists(path) and not os.path.isdir(path):
            raise WriteError(f"{path} is not a folder; {fmt.name} output is a folder: "
                             "give -o DIR")
        return
    if path == "-":
        return
    if os.path.isdir(path):
        raise WriteError(f"{path} is a folder; {fmt.name} output is a file: give -o FILE")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise WriteError(f"cannot write {path}: there is no folder {folder}")


def _write_error(exc: OSError, target: str | os.PathLike[str] | IO[bytes]) -> WriteError:
    path = os.fspath(target) if isinstance(target, (str, os.PathLike)) else None
    if exc.filename is not None:
        where = os.fsdecode(exc.filename)
    else:
        where = "standard output" if path in (None, "-") else str(path)
    reason = "no space left on the device" if exc.errno == errno.ENOSPC else (
        exc.strerror or str(exc))
    # A named file or folder appears only when complete; a stream or a
    # device keeps what it got.
    streamed = path in (None, "-") or _is_device(str(path))
    outcome = "what it received is incomplete" if streamed else "nothing was left behind"
    return WriteError(f"cannot write {where}: {reason}; {outcome}")


def _digest_of(stream: HashingReader) -> Callable[[], str | None]:
    """The content's sha256, asked for once it has been read through."""
    return lambda: stream.sha256


def _no_digest() -> str | None:
    """A location has no content of its own to hash."""
    return None


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
    that moved and Disqus-to-WordPress user mappings.  A path naming a
    location (``NAME:LOCATION``, see :func:`read`), or a database file, is
    read by its format.

    A large file is parsed in a second process while this one stores what
    it has read, when there is a second core (see :mod:`wxrbridge.readahead`);
    ``read_ahead`` True or False asks for that, or not, whatever the size.
    The result is the same either way.

    A store this opening created (a new SQLite file, a new schema) is
    removed again when the import fails or is a ``dry_run``: no empty
    store is left where there was none.
    """

    def streams() -> Iterator[tuple[Iterable[Record], Callable[[], str | None]]]:
        for path in paths:
            yield from _sources(
                os.fspath(path), format=None, recover=recover, progress=progress,
                read_ahead=read_ahead,
            )

    try:
        reports = store.load_many(streams(), dry_run=dry_run, merge=merge)
    except BaseException:
        store.discard_if_empty()
        raise
    if dry_run:
        store.discard_if_empty()
    return reports


def export(
    store: Store,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    format: str = "wxr",
    selection: Selection | None = None,
    progress: ProgressCallback | None = None,
    read_ahead: bool | None = None,
    redact: Collection[str] = (),
    redact_salt: str = "",
    user_map: Mapping[str, str] | None = None,
    **options: object,
) -> WriteReport:
    """Write the store's records as ``format`` (options as for :func:`write`).

    The store is read in this process unless ``read_ahead`` is True: then a
    SQLite store is read in a second process while this one writes (see
    :meth:`wxrbridge.store.Store.records`).  That shortens the wall time only
    while a second core is idle, and costs CPU time of its own (the second
    start-up, every record sent through a pipe and built again), more than
    a fifth of the export's.
    """
    formats.get(format).check_options(options)  # before the store is read
    if selection is not None and selection.thread is not None \
            and not store.has_thread(selection.thread):
        raise NoSuchThreadError(selection.thread)
    history = bool(options.get(formats.HISTORY_OPTION))
    meta = formats.get(format).writes_meta
    return write(
        store.records(selection, read_ahead=bool(read_ahead), history=history, meta=meta),
        target,
        format=format,
        progress=progress, redact=redact, redact_salt=redact_salt, user_map=user_map,
        **options,
    )


@dataclass
class ConvertResult:
    """What ``convert`` read (one report per input) and what it wrote."""

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
    redact: Collection[str] = (),
    redact_salt: str = "",
    user_map: Mapping[str, str] | None = None,
    **options: object,
) -> ConvertResult:
    """Convert a file to another format through a temporary SQLite store
    (options as for :func:`write`).

    ``to`` defaults to the format the target's extension names, when one
    format claims it.
    """
    fmt = formats.get(to) if to is not None else by_target(target)
    fmt.check_options(options)  # before anything is read
    _check_target(fmt, target)
    with scratch_store([source], recover=recover, progress=read_progress) as (store, imported):
        history = bool(options.get(formats.HISTORY_OPTION))
        written = write(
            store.records(selection, history=history), target, format=fmt.name,
            progress=write_progress,
            redact=redact, redact_salt=redact_salt, user_map=user_map, **options,
        )
    return ConvertResult(imported, written)


@contextmanager
def scratch_store(
    paths: Sequence[str | os.PathLike[str]],
    *,
    recover: bool = False,
    progress: ProgressCallback | None = None,
    read_ahead: bool | None = None,
) -> Iterator[tuple[Store, list[LoadReport]]]:
    """A temporary SQLite store holding ``paths``, gone when the block ends.

    What ``convert``, ``verify`` and ``stats FILE`` read a file through: the
    store resolves parent links and merges as a lasting one would.
    ``read_ahead`` goes to :func:`import_files`.
    """
    with tempfile.TemporaryDirectory(prefix="wxrbridge-") as folder:
        scratch = f"sqlite:///{Path(folder) / 'scratch.sqlite'}"
        with _open_store(scratch, durable=False) as store:
            reports = import_files(store, paths, recover=recover, progress=progress,
                                   read_ahead=read_ahead)
            yield store, reports


def file_stats(path: str | os.PathLike[str], *, recover: bool = False) -> dict[str, Any]:
    """What ``stats`` reports for a file: the counts a scratch store holding
    it would give (:meth:`Store.stats`).

    A WordPress export of the usual shape is counted as it is read, in this
    process, with no store (see :mod:`wxrbridge.filestats`); any other file,
    or standard input, goes through the scratch store.
    """
    from .filestats import count_records

    spec = os.fspath(path)
    if _read_directly(spec):
        try:
            return count_records(_one_document(spec, recover))
        except NeedsStoreError:
            pass
    with scratch_store([spec], recover=recover) as (store, _reports):
        return store.stats()


def _is_store_url(spec: str) -> bool:
    return "://" in spec and not os.path.exists(spec) and formats.at_location(spec) is None


@contextmanager
def _stored_records(spec: str, recover: bool) -> Iterator[Iterator[Record]]:
    """The records of a store given by URL, or of a file through a scratch
    store (which resolves its parent links and merges its documents), all
    read in this process."""
    if _is_store_url(spec):
        with _open_store(spec, read_only=True) as store:
            yield store.records(read_ahead=False)
        return
    with scratch_store([spec], recover=recover, read_ahead=False) as (store, _reports):
        yield store.records(read_ahead=False)


def _read_directly(spec: str) -> bool:
    """Whether ``spec`` may be read straight from its reader (see
    :func:`_one_document`): a file that can be read twice (not standard
    input), which its format reads as a stream, not from its location or
    its path."""
    if spec == "-" or _is_store_url(spec) or _read_location(spec, None) is not None:
        return False
    by_path = formats.at_path(spec, None)
    return by_path is None or by_path.read_path is None


def _one_document(spec: str, recover: bool) -> Iterator[Record]:
    """The records of a file straight from its reader, while it is one
    document (:class:`~wxrbridge.errors.NeedsStoreError` at a second one)."""
    for count, item in enumerate(open_inputs(spec, recover=recover)):
        if count:
            raise NeedsStoreError("a second document")
        yield from formats.read_input(item, format=None, recover=recover)


def _verify_side(spec: str, recover: bool) -> SideSource:
    """How verify reads ``spec``: a file that can be read twice (not
    standard input) and that its format reads as a stream, straight from
    its reader; any other, or one the reader shows needs it, through a
    store (see :mod:`wxrbridge.verify`)."""
    from .verify import SideSource

    return SideSource(lambda: _stored_records(spec, recover),
                      (lambda: _one_document(spec, recover)) if _read_directly(spec) else None)


def verify(a: str | os.PathLike[str], b: str | os.PathLike[str], *,
           recover: bool = False) -> VerifyReport:
    """Compare two exports or stores thread by thread and comment by comment.

    Each of ``a`` and ``b`` is a file (any readable format) or a store URL.
    Comments are matched across formats by the merge's identity rules; the
    report lists what is missing from B, extra in B, or changed.  Both are
    read in this process, one after the other.  ``recover`` reads a broken
    file as ``import --recover`` does (such as WordPress's own export with a
    bare ``&`` in a commenter's URL).
    """
    from .verify import verify_sources

    return verify_sources(_verify_side(os.fspath(a), recover),
                          _verify_side(os.fspath(b), recover))


def by_target(target: str | os.PathLike[str] | IO[bytes]) -> formats.Format:
    """The output format a target path's extension names, or an error."""
    name = os.fspath(target) if isinstance(target, (str, os.PathLike)) else ""
    located = formats.at_location(name) if name else None
    if located is not None and located[0].write_location is not None:
        return located[0]
    fmt = formats.by_extension(name) if name and name != "-" else None
    if fmt is None:
        raise OutputError(
            f"cannot tell the output format from {name or 'the output'!r}; "
            f"name one of: {', '.join(formats.writable())}"
        )
    return fmt


@dataclass(frozen=True)
class StoreRevision:
    """Where a store's schema stands: its revision (None: no schema yet)
    and the head revision of this version of wxrbridge."""

    url: str
    current: str | None
    head: str

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def _schema_revision(url: str | None, *, upgrade: bool) -> StoreRevision:
    from .store import migrate, resolve_url

    # Reading the revision refuses a store that is not there, and opens a
    # SQLite file read-only; an upgrade creates one.
    engine = _open_store(url, migrate=False).engine if upgrade else _open_existing_engine(url)
    try:
        if upgrade:
            migrate.upgrade(engine)
        return StoreRevision(
            resolve_url(url), migrate.current_revision(engine), migrate.head_revision(engine)
        )
    finally:
        engine.dispose()


def _open_existing_engine(url: str | None) -> Engine:
    from .store import open_existing_engine

    return open_existing_engine(url)


def upgrade_store(url: str | None = None) -> StoreRevision:
    """Bring the schema of the store at ``url`` up to this version of
    wxrbridge, creating it in a new database."""
    return _schema_revision(url, upgrade=True)


def store_revision(url: str | None = None) -> StoreRevision:
    """The schema revision of the store at ``url``, and the head revision."""
    return _schema_revision(url, upgrade=False)


def compare_xml(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> list[str]:
    """The differences between two XML files, element by element (CDATA
    versus escaped text, whitespace between elements and comments aside);
    empty when they are the same document."""
    from .formats.xml.compare import diff_documents

    return diff_documents(a, b)
