"""The format registry: every format wxrbridge reads or writes, by name.

Each format lives in its own package and registers one :class:`Format` when
imported.  The CLI's choices, content detection and extension inference all
come from here, so adding a format is adding a package.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol

from ..errors import OutputError, UnknownFormatError
from ..inputs import InputFile, peek_head
from ..records import Record

if TYPE_CHECKING:
    from .xml import Layout

# Packages that register formats, imported on first use of the registry.
_FORMAT_PACKAGES = ("wxr", "disqus", "disqus_import", "jsonl", "html")


class Reader(Protocol):
    def __call__(
        self, stream: IO[bytes], *, name: str, recover: bool = False
    ) -> Iterator[Record]: ...


class Writer(Protocol):
    def __call__(
        self, records: Iterable[Record], out: IO[bytes], **options: Any
    ) -> WriteReport: ...


@dataclass
class WriteReport:
    """What a writer wrote, and what it could not keep and why.

    ``left_out`` holds one line per thing not written (``"comment 12: spam
    is not sent to Disqus"``); nothing is dropped without a line here.
    """

    written: Counter[str] = field(default_factory=Counter)
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    extensions: tuple[str, ...]
    detect: Callable[[bytes], bool] | None = None
    read: Reader | None = None
    write: Writer | None = None
    # A directory format's writer is called with the output folder's Path
    # (created, empty or not) instead of a binary stream.
    directory: bool = False
    # How recover mode cuts the format's documents into records to mend them
    # (see formats.xml.layout); None: the reader recovers on its own.
    recovery: Layout | None = None


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
    _registry[fmt.name] = fmt
    return fmt


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for package in _FORMAT_PACKAGES:
        importlib.import_module(f"{__name__}.{package}")
    _loaded = True


def formats() -> list[Format]:
    _load()
    return list(_registry.values())


def get(name: str) -> Format:
    _load()
    try:
        return _registry[name]
    except KeyError:
        raise UnknownFormatError(
            f"unknown format {name!r}; known: {', '.join(sorted(_registry))}"
        ) from None


def readable() -> list[str]:
    return [f.name for f in formats() if f.read is not None]


def writable() -> list[str]:
    return [f.name for f in formats() if f.write is not None]


def detect(head: bytes, *, name: str = "<input>") -> Format:
    """The format whose ``detect`` recognises the first bytes of a file."""
    for fmt in formats():
        if fmt.read is not None and fmt.detect is not None and fmt.detect(head):
            return fmt
    raise UnknownFormatError(
        "not a WXR or Disqus export (no known root element in the first bytes)",
        file=name,
    )


def read_input(item: InputFile, *, format: str | None, recover: bool) -> Iterator[Record]:
    """The records of one input document, in ``format`` or the one its first
    bytes show.

    With ``recover``, a format that declares its ``recovery`` layout is read
    from the repaired document, the repair's issues among its records (see
    :func:`wxrbridge.formats.xml.repair.read_repaired`).
    """
    head, stream = peek_head(item.stream)
    fmt = get(format) if format else detect(head, name=item.name)
    if fmt.read is None:
        raise OutputError(f"wxrbridge cannot read {fmt.name} files")
    if recover and fmt.recovery is not None:
        from .xml.repair import read_repaired  # the repairer loads for recover mode only

        return read_repaired(fmt.read, stream, name=item.name, layout=fmt.recovery)
    return fmt.read(stream, name=item.name, recover=recover)


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
