"""The named errors the library raises; the CLI maps each to an exit code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class WxrbridgeError(Exception):
    """Base of every error wxrbridge raises on purpose."""

    exit_code = 1


class InputError(WxrbridgeError):
    """An input file cannot be read as the format it claims to be."""

    exit_code = 3

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        recoverable: bool = False,
    ) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.column = column
        # Whether reading again in recover mode repairs it (or reads past it).
        self.recoverable = recoverable
        super().__init__(self.__str__())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled by its fields (it crosses from the reading process, see
        # readahead.py); the default would pass the message as the reason.
        return (_rebuild, (type(self), self.reason, self.file, self.line, self.column,
                           self.recoverable))

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.reason}"


class UnknownFormatError(InputError):
    """No registered format recognises the input."""


class UsageError(WxrbridgeError):
    """The library was called with arguments it does not take."""

    exit_code = 2


class NoSuchThreadError(UsageError):
    """A selection names a thread the store does not hold."""

    def __init__(self, wanted: str) -> None:
        self.wanted = wanted
        super().__init__(
            f"no thread matches {wanted!r} (by id, identifier, link or guid); nothing was written"
        )


class UnknownOptionError(UsageError):
    """A writer was given an option its format does not declare."""

    def __init__(self, format: str, unknown: Sequence[str], valid: Sequence[str]) -> None:
        self.format = format
        self.unknown = tuple(unknown)
        self.valid = tuple(valid)
        takes = f"its options: {', '.join(self.valid)}" if self.valid else "it takes none"
        super().__init__(
            f"the {format} writer takes no option {', '.join(self.unknown)} ({takes})"
        )


class StoreError(WxrbridgeError):
    """The store cannot be opened, read or written."""

    exit_code = 4


class NoStoreError(StoreError):
    """A command that only reads a store was pointed at one that does not
    exist (a SQLite file that is not there, a database without
    wxrbridge's schema)."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"no store at {url}; import into it first, or run db upgrade")


class ValueTooLongError(StoreError):
    """A record holds a value longer than its bounded store column (an id,
    a site, a type) takes: refused alike on every backend, nothing stored."""

    def __init__(self, file: str | None, record: str, column: str, length: int,
                 limit: int) -> None:
        self.record = record
        self.column = column
        super().__init__(
            f"{file or '<input>'}: {record}: {column} is {length:,} characters, more than "
            f"the {limit} the store keeps; nothing was stored"
        )


class StoreOutOfDateError(StoreError):
    """The store's schema is older than this version of wxrbridge."""


class OutputError(WxrbridgeError):
    """A writer was asked for something its format cannot express."""

    exit_code = 3


class OutputUsageError(UsageError, OutputError):
    """An output was named in a way its format cannot take (a folder
    format given standard output)."""


class WriteError(WxrbridgeError):
    """An output cannot be written where it was asked for: its folder is
    missing, a folder or file of the other kind is in the way, the disk is
    full.  Nothing is left behind."""

    exit_code = 4


def _rebuild(
    cls: type[InputError], reason: str, file: str | None, line: int | None,
    column: int | None, recoverable: bool = False,
) -> InputError:
    error = cls(reason, file=file, line=line, column=column)
    error.recoverable = recoverable
    return error


class NeedsStoreError(Exception):
    """Records read straight from a file's reader hold what only a store
    settles (a second document, which it merges; an id used twice, which it
    renames; a parent cycle, which it cuts; text no UTF-8 holds): the caller
    reads the file again through a scratch store.  Never leaves the library,
    so it is no :class:`WxrbridgeError`."""
