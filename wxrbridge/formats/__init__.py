"""The format registry: every format wxrbridge reads or writes, by name.

A :class:`Format` says everything a format is: its name, extensions, how
its files are recognised, its reader and writer, and the options its writer
takes.  A format is read from a stream, a location or a file path (a
database file such as Isso's), and written to a stream, a folder or a
path.  The CLI's choices and flags, content detection, extension inference
and the check of a writer's options all come from here, so ``--help``
cannot drift from the writers and adding a format is adding a package.

The built-in formats are registered by :func:`register_builtins`, in a fixed
order (the order of the CLI's help); formats installed by other packages
follow, each named by an entry point in the ``wxrbridge.formats`` group.
Both happen on the registry's first use.  Writers are imported only when
something is written (see :func:`imported_when_called`).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

from ..errors import InputError, OutputError, UnknownFormatError, UnknownOptionError
from ..inputs import InputFile, Prepended, files_at, peek_head

if TYPE_CHECKING:
    # Records are imported by the readers and writers that make them: the
    # registry alone (``--help``) is a fifth cheaper without them.
    from ..records import Record
    from .xml import Layout

# The built-in format packages, in the order they are registered.
_BUILTINS = (
    "wxr", "disqus", "disqus_import", "jsonl", "html", "wacz", "blogger", "wp_rest", "staticman",
    "remark42", "commento", "isso", "wp_db", "wp_page",
)
# Installed packages name their Format objects under this entry-point group.
ENTRY_POINT_GROUP = "wxrbridge.formats"
# A stream writer that declares this option is given the output file's path
# (when there is one), so that it can put further parts beside it.
TARGET_PATH_OPTION = "split_path"
# The option a format with ``statuses_add_to_approved`` declares.
STATUSES_OPTION = "statuses"
# A writer that declares this option is given the stored comments'
# history (CommentChange records, after the comments) when it is set.
HISTORY_OPTION = "history"


class Reader(Protocol):
    """Reads the records of one document from a binary stream."""

    def __call__(
        self, stream: IO[bytes], *, name: str, recover: bool = False
    ) -> Iterator[Record]: ...


class LocationReader(Protocol):
    """Reads records from a location (a path or URL, such as a database's),
    which it opens itself."""

    def __call__(self, location: str, *, recover: bool = False) -> Iterator[Record]: ...


class PathReader(Protocol):
    """Reads records from a file it opens itself by its path (a database
    file, which is not read as a stream); ``name`` is the file as given."""

    def __call__(self, path: str, *, name: str, recover: bool = False) -> Iterator[Record]: ...


class LocationWriter(Protocol):
    """Writes records into a location (a database's URL) it opens itself,
    all or nothing; it also takes, as keyword-only parameters, the options
    its format declares."""

    def __call__(self, records: Iterable[Record], location: str, /) -> WriteReport: ...


class Writer(Protocol):
    """Writes records to a binary stream; it also takes, as keyword-only
    parameters, the options its format declares."""

    def __call__(self, records: Iterable[Record], out: IO[bytes], /) -> WriteReport: ...


class FolderWriter(Protocol):
    """Writes records into a folder (created if missing, empty or not); it
    also takes, as keyword-only parameters, the options its format declares."""

    def __call__(self, records: Iterable[Record], folder: Path, /) -> WriteReport: ...


class PathWriter(Protocol):
    """Writes records into the file at a path (a database file), whole or
    not at all; it also takes, as keyword-only parameters, the options its
    format declares."""

    def __call__(self, records: Iterable[Record], path: Path, /) -> WriteReport: ...


@dataclass
class WriteReport:
    """What a writer wrote, and what it could not keep and why.

    ``left_out`` holds one line per thing not written (``"comment 12: spam
    is not sent to Disqus"``); nothing is dropped without a line here.
    """

    written: Counter[str] = field(default_factory=Counter)
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


OptionValue = bool | int | str | tuple[str, ...] | None


def cli_flag(name: str) -> str:
    """The command-line flag of a writer option's keyword."""
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class Option:
    """One keyword-only parameter a format's writer takes.

    ``name`` is the Python keyword; the CLI flag is made from it
    (``keep_ids`` gives ``--keep-ids``).  A ``bool`` option is a flag; a
    ``str`` or ``int`` one takes a value, one of ``choices`` when given, and
    with ``multiple`` may be repeated (the writer gets a tuple).  ``cli``
    false keeps an option out of the command line: one for library callers,
    or one the CLI fills from a common option (``--status``).
    """

    name: str
    type: type[bool] | type[int] | type[str]
    help: str
    default: OptionValue = None
    multiple: bool = False
    choices: tuple[str, ...] = ()
    metavar: str | None = None
    cli: bool = True

    @property
    def flag(self) -> str:
        """The command-line flag, ``--`` and the name with dashes."""
        return cli_flag(self.name)

    def same_flag_as(self, other: Option) -> bool:
        """Whether one CLI flag can serve both options (two formats may
        declare the same option)."""
        return (self.type, self.multiple, self.choices, self.cli) == (
            other.type, other.multiple, other.choices, other.cli
        )


@dataclass(frozen=True)
class Format:
    """Everything wxrbridge knows about one format.

    A format is read from a byte stream (``read``, with ``detect`` to
    recognise its first bytes) or from a location it opens itself
    (``read_location``: a spec ``NAME:LOCATION`` names it, the reader gets
    LOCATION), or from a file path (``read_path``: a file whose first bytes
    ``detect`` recognises is given by its path, not opened as a stream).  It
    is written to a byte stream (``write_stream``), into a folder
    (``write_folder``), into the file at a path (``write_path``) or into a
    location (``write_location``: the target is ``NAME:LOCATION`` as for
    reading), with the keyword options listed in ``options``.  ``scheme`` is
    the NAME of a location spec when it is not the format's name (``wp:``
    for ``wp-db``).  ``statuses_add_to_approved`` says the writer picks
    comments by status itself, approved ones always: its ``statuses``
    option adds others, and the CLI's ``--status`` goes there instead of
    filtering what is read.  ``recovery`` is the layout ``--recover``
    repairs the format's files with, for a format that can be repaired.
    ``folder_files`` names, for a format read from a location, the file
    endings of the documents a folder of them holds: a bare folder whose
    first such file ``detect`` recognises is read as that location.
    ``writes_meta`` False says the writer uses no comment's or thread's
    meta, extras or terms: an export from the store leaves them unread.
    """

    name: str
    description: str
    extensions: tuple[str, ...] = ()
    detect: Callable[[bytes], bool] | None = None
    read: Reader | None = None
    read_location: LocationReader | None = None
    read_path: PathReader | None = None
    write_stream: Writer | None = None
    write_folder: FolderWriter | None = None
    write_path: PathWriter | None = None
    write_location: LocationWriter | None = None
    scheme: str | None = None
    options: tuple[Option, ...] = ()
    statuses_add_to_approved: bool = False
    recovery: Layout | None = None
    folder_files: tuple[str, ...] = ()
    writes_meta: bool = True

    @property
    def write(self) -> Writer | FolderWriter | PathWriter | LocationWriter | None:
        """The writer, whichever kind it is (None: not writable)."""
        for writer in (self.write_stream, self.write_folder, self.write_path):
            if writer is not None:
                return writer
        return self.write_location

    @property
    def directory(self) -> bool:
        """Whether the format is written into a folder rather than a file."""
        return self.write_folder is not None

    @property
    def readable(self) -> bool:
        """Whether wxrbridge can read the format, from a stream or a location."""
        return any(r is not None for r in (self.read, self.read_location, self.read_path))

    def option(self, name: str) -> Option | None:
        """The declared option ``name``, if the writer takes it."""
        return next((o for o in self.options if o.name == name), None)

    def check_options(self, given: Iterable[str]) -> None:
        """Refuse an option the writer does not take, naming those it does."""
        unknown = sorted(set(given) - {o.name for o in self.options})
        if unknown:
            raise UnknownOptionError(self.name, unknown, [o.name for o in self.options])


def imported_when_called(module: str, name: str) -> Callable[..., Any]:
    """The function ``name`` of ``module``, imported on its first call.

    Every command loads the registry, but a writer, with all it imports,
    is loaded only once something is written: a process that only reads,
    such as an import's reading process, stays smaller and starts sooner.
    """

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name}, imported on the first call."
    return call


_registry: dict[str, Format] = {}
_loaded = False


def register(fmt: Format) -> Format:
    """Add ``fmt`` to the registry (registering the same object again does
    nothing); a second format of the same name, or a declaration that
    cannot work, is refused with ValueError."""
    known = _registry.get(fmt.name)
    if known is fmt:
        return fmt
    if known is not None:
        raise ValueError(f"format {fmt.name!r} is registered twice")
    _check(fmt, _registry.values())
    _registry[fmt.name] = fmt
    return fmt


def _check(fmt: Format, others: Iterable[Format]) -> None:
    writers = (fmt.write_stream, fmt.write_folder, fmt.write_path, fmt.write_location)
    if sum(w is not None for w in writers) > 1:
        raise ValueError(f"format {fmt.name!r} has more than one writer")
    if fmt.write_location is not None and fmt.read_location is None:
        raise ValueError(f"format {fmt.name!r} writes a location it cannot name")
    if fmt.read_path is not None and fmt.detect is None:
        raise ValueError(f"format {fmt.name!r} reads paths but cannot detect its files")
    names = [o.name for o in fmt.options]
    if len(names) != len(set(names)):
        raise ValueError(f"format {fmt.name!r} declares an option twice")
    if fmt.statuses_add_to_approved and fmt.option(STATUSES_OPTION) is None:
        raise ValueError(f"format {fmt.name!r} adds statuses but has no {STATUSES_OPTION!r}")
    for other in others:
        for option in fmt.options:
            theirs = other.option(option.name)
            if theirs is not None and not option.same_flag_as(theirs):
                raise ValueError(
                    f"format {fmt.name!r}: option {option.name!r} differs from {other.name!r}'s"
                )


def register_builtins() -> None:
    """Register the formats wxrbridge comes with, in their order."""
    for package in _BUILTINS:
        register(importlib.import_module(f"{__name__}.{package}").FORMAT)


def register_plugins() -> None:
    """Register the formats other installed packages provide: each entry
    point of the ``wxrbridge.formats`` group names a :class:`Format`, or a
    callable returning one."""
    if not _may_declare_plugins():
        return
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry.load()
        fmt = loaded() if callable(loaded) and not isinstance(loaded, Format) else loaded
        if not isinstance(fmt, Format):
            raise TypeError(f"entry point {entry.name!r} ({entry.value}) is not a Format")
        register(fmt)


def _may_declare_plugins() -> bool:
    """Whether some distribution on ``sys.path`` may name an entry point of
    the group: importing importlib.metadata and listing every entry point
    of every distribution cost each command, ``--help`` too, a third of its
    start-up, and nearly always finds none.  A folder's ``*.dist-info`` and
    ``*.egg-info`` are looked into for the group's name; an entry that is
    not a folder (a zip) is left to importlib.metadata."""
    group = ENTRY_POINT_GROUP.encode()
    for entry in sys.path:
        folder = entry or "."
        try:
            names = os.listdir(folder)
        except NotADirectoryError:
            return True
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), "rb") as handle:
                    if group in handle.read():
                        return True
            except OSError:
                continue  # no entry points, or an egg-info that is a file
    return False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    # Marked first: a format module that looks at the registry while it is
    # being loaded sees what is registered so far instead of recursing.
    _loaded = True
    try:
        register_builtins()
        register_plugins()
    except BaseException:
        _loaded = False
        _registry.clear()
        raise


def formats() -> list[Format]:
    """Every registered format, built-ins first."""
    _load()
    return list(_registry.values())


def get(name: str) -> Format:
    """The format called ``name``, or UnknownFormatError."""
    _load()
    try:
        return _registry[name]
    except KeyError:
        raise UnknownFormatError(
            f"unknown format {name!r}; known: {', '.join(sorted(_registry))}"
        ) from None


def readable() -> list[str]:
    """The names of the formats wxrbridge can read."""
    return [f.name for f in formats() if f.readable]


def writable() -> list[str]:
    """The names of the formats wxrbridge can write."""
    return [f.name for f in formats() if f.write is not None]


def writer_options() -> Mapping[str, tuple[Option, list[Format]]]:
    """Every option some writer declares, by name, with the formats taking it
    (the first declaration stands for all: :func:`register` keeps them alike)."""
    found: dict[str, tuple[Option, list[Format]]] = {}
    for fmt in formats():
        if fmt.write is not None:
            for option in fmt.options:
                found.setdefault(option.name, (option, []))[1].append(fmt)
    return found


def detect(head: bytes, *, name: str = "<input>") -> Format:
    """The format whose ``detect`` recognises the first bytes of a file."""
    for fmt in formats():
        if fmt.read is not None and fmt.detect is not None and fmt.detect(head):
            return fmt
    raise UnknownFormatError(
        "not a WXR or Disqus export (no known root element in the first bytes)",
        file=name,
    )


def at_location(spec: str) -> tuple[Format, str] | None:
    """The format reading from a location that ``spec`` names as
    ``NAME:LOCATION`` (``wp:mysql+pymysql://…``), with the LOCATION; None
    when ``spec`` is a file to open."""
    name, sep, location = spec.partition(":")
    if not sep:
        return None
    _load()
    fmt = _registry.get(name)
    if fmt is None:
        fmt = next((f for f in _registry.values() if f.scheme == name), None)
    if fmt is None or fmt.read_location is None:
        return None
    return fmt, location


# Enough of a folder's first file to recognise its format by.
_FOLDER_HEAD = 4096


def at_folder(path: str) -> Format | None:
    """The format reading the folder ``path`` as its location, by its
    files (see ``Format.folder_files``); None when it is no folder or
    holds no format's files."""
    if not os.path.isdir(path):
        return None
    for fmt in formats():
        if not fmt.folder_files or fmt.detect is None or fmt.read_location is None:
            continue
        files = sorted(files_at(path, fmt.folder_files))
        if not files:
            continue
        try:
            with open(files[0], "rb") as handle:
                head = handle.read(_FOLDER_HEAD)
        except OSError:
            continue  # the format's reader reports it, named
        if fmt.detect(head):
            return fmt
    return None


def location_of(fmt: Format, target: str) -> str:
    """The LOCATION a location writer is given for ``target``: without its
    ``NAME:`` when it has one naming ``fmt``."""
    found = at_location(target)
    return found[1] if found is not None and found[0] is fmt else target


# Enough of a file's first bytes to recognise a database file by.
_PATH_HEAD = 64


def at_path(path: str, format: str | None = None) -> Format | None:
    """The format reading ``path`` by its path (``format``, when it reads
    so, or the one whose ``detect`` recognises the file's first bytes);
    None when the file is to be opened as a stream."""
    if format is not None:
        fmt = get(format)
        return fmt if fmt.read_path is not None else None
    path_formats = [f for f in formats() if f.read_path is not None and f.detect is not None]
    if not path_formats or path == "-" or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as handle:
            head = handle.read(_PATH_HEAD)
    except OSError:
        return None  # opening it as a stream reports the error
    return next((f for f in path_formats if f.detect is not None and f.detect(head)), None)


def read_input(item: InputFile, *, format: str | None, recover: bool) -> Iterator[Record]:
    """The records of one input document, in ``format`` or the one its first
    bytes show.

    With ``recover``, a format that declares its ``recovery`` layout is read
    from the repaired document, the repair's issues among its records (see
    :func:`wxrbridge.formats.xml.repair.read_repaired`).
    """
    if format:
        head, stream = peek_head(item.stream)
        fmt = get(format)
    else:
        head, stream = _detection_head(item)
        fmt = detect(head, name=item.name)
    if fmt.read is None:
        raise OutputError(f"wxrbridge cannot read {fmt.name} files")
    if recover and fmt.recovery is not None:
        from .xml.repair import read_repaired  # the repairer loads for recover mode only

        records = read_repaired(fmt.read, stream, name=item.name, layout=fmt.recovery)
    else:
        records = fmt.read(stream, name=item.name, recover=recover)
    if recover:
        return _then_damage(records, item)
    return _marking_recoverable(records) if fmt.recovery is not None else records


def _marking_recoverable(records: Iterator[Record]) -> Iterator[Record]:
    """The records of a format the repairer mends; an input error met
    reading them is marked ``recoverable``: recover mode gets past it."""
    try:
        yield from records
    except InputError as exc:
        exc.recoverable = True
        raise


def _detection_head(item: InputFile) -> tuple[bytes, IO[bytes]]:
    """The bytes detection looks at, and the stream from its start: read on
    past comments, processing instructions or a DOCTYPE of any length, to
    the first element."""
    from .xml.head import DETECT_WINDOW, for_detection, prolog_incomplete

    head = item.stream.read(DETECT_WINDOW)
    while prolog_incomplete(head):
        more = item.stream.read(max(len(head), 1 << 16))
        if not more:
            break
        head += more
    return for_detection(head), cast("IO[bytes]", Prepended(head, item.stream))


def _then_damage(records: Iterator[Record], item: InputFile) -> Iterator[Record]:
    """The records, then the issue saying where damaged compressed data
    ended the document (recover mode reads up to it)."""
    from ..records import ImportIssue

    yield from records
    if item.damage is not None:
        yield ImportIssue("damaged-compression", item.damage, "rejected", file=item.name)


def by_extension(path: str) -> Format | None:
    """The writable format whose extension ends ``path``, if unambiguous.

    The longest matching extension wins (``.disqus.xml`` over ``.xml``); two
    formats claiming that same extension is ambiguous.
    """
    lowered = path.lower()
    best: list[Format] = []
    best_length = 0
    for fmt in formats():
        if fmt.write is None:
            continue
        length = max((len(e) for e in fmt.extensions if lowered.endswith(e)), default=0)
        if length > best_length:
            best, best_length = [fmt], length
        elif length and length == best_length:
            best.append(fmt)
    return best[0] if len(best) == 1 else None
