"""Reading in a second process, so reading and storing (or writing) overlap.

An import spends about half its time parsing the file and building records
and half storing them.  Both hold Python's interpreter lock, so threads
cannot run them side by side; two processes can.  :func:`run_job` starts a
second Python that runs a job (a function yielding documents of records)
and yields those records in the calling process as the second one sends
them, in order and in batches, through a pipe.  :func:`read_ahead` runs the
job that reads a file; the store brings its own job for an export (see
:func:`wxrbridge.store.read.read_records_ahead`).  This module is the transport
only: it knows records, not where they come from, and imports no store.

The process that reads a file imports only the readers (no SQLAlchemy), so
it stays small; the pipe's buffer holds it back when the caller falls
behind, so memory stays flat however large the input.  Errors it meets (an
:class:`~wxrbridge.errors.InputError` with its line and column, say) are
raised again in the caller as they were raised there.
"""

from __future__ import annotations

import marshal
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import IO, Any, TypeVar

from .errors import InputError
from .inputs import HashingReader, ProgressCallback
from .records import Comment, Extra, Record, Source, Thread, ThreadTerm

# One document a job yields: its records, and a callable giving its sha256
# (or None) once they are read.
Document = tuple[Iterable[Record], Callable[[], "str | None"]]
_P = TypeVar("_P")
# A job: given its payload and a callable to count the bytes it reads,
# the documents it reads.
Job = Callable[[_P, ProgressCallback], Iterable[Document]]

# Files smaller than this (compressed or not) are read in the calling
# process.
_WORTHWHILE = 8 * 1024 * 1024
# Records per message: big enough that each costs little, small enough that
# the reading process never holds many.
_BATCH = 500
# What the calling process reads from the pipe at once, and how many such
# chunks may wait for the store: 4 MiB, some 7,000 records, more than the
# store takes in one batch.
_CHUNK = 1 << 20
_QUEUED = 4
# Before each message: its length, and whether marshal (else pickle) wrote it.
_HEADER = struct.Struct("<Q?")
comment_fields = attrgetter(*(f.name for f in fields(Comment)))
thread_fields = attrgetter(*(f.name for f in fields(Thread)))
_COMMENT_EXTRAS = [f.name for f in fields(Comment)].index("extras")
_THREAD_TERMS = [f.name for f in fields(Thread)].index("terms")
_THREAD_EXTRAS = [f.name for f in fields(Thread)].index("extras")


def worthwhile(path: str, wanted: bool | None) -> bool:
    """Whether to read ``path`` ahead: ``wanted`` says yes or no, ``None``
    leaves it to the file's size (starting the reading process costs a
    fraction of a second, which a small file would not win back)."""
    if wanted is False or not available(path):
        return False
    if wanted:
        return True
    try:
        return os.path.getsize(path) >= _WORTHWHILE
    except OSError:
        return False  # reading it in this process reports the error


def available(path: str) -> bool:
    """Whether ``path`` can be read ahead: a named file (standard input
    belongs to this process), with a second process to read it."""
    return path != "-" and second_process()


def second_process() -> bool:
    """Whether a second process can read: a Python to run it with, and a
    second core for it to run on."""
    if not sys.executable:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores > 1


def read_ahead(
    path: str, *, recover: bool, progress: ProgressCallback | None = None
) -> Iterator[Document]:
    """For each document in ``path`` (a zip may hold several): its records
    and a callable giving its sha256 once they are read, as
    :func:`wxrbridge.api.import_files` passes them to the store."""
    lost = InputError("the reading process stopped unexpectedly", file=path)
    return run_job(read_file, (path, recover), lost=lost, progress=progress)


def read_file(job: tuple[str, bool], progress: ProgressCallback) -> Iterator[Document]:
    """The job :func:`read_ahead` runs in the second process: the documents
    of the file ``job`` names, read as an import in this process reads them."""
    from . import formats
    from .inputs import open_inputs

    path, recover = job
    for item in open_inputs(path, progress, recover=recover):
        yield formats.read_input(item, format=None, recover=recover), _digest(item.stream)


def _digest(stream: HashingReader) -> Callable[[], str]:
    """The hash of ``stream``, asked once it is read."""
    return lambda: stream.sha256


def run_job(
    job: Job[_P],
    payload: _P,
    *,
    lost: Exception,
    progress: ProgressCallback | None = None,
) -> Iterator[Document]:
    """Run ``job(payload, progress)`` in a second process and yield the
    documents it yields, each as its records and a callable giving its
    hash once they are read.

    ``job`` must be a function at the top level of a module (the second
    process imports it by name); it is handed a callable to report the
    bytes it has read, which reach ``progress`` here.  ``payload`` travels
    pickled on the process's standard input, not its command line, where
    any user of the machine could read it (a store's URL holds its
    password).  ``lost`` is raised should the process end without a word.
    """
    message = pickle.dumps((job, payload), protocol=pickle.HIGHEST_PROTOCOL)
    with _reading_process(message, lost, progress) as channel:
        while channel.next_document():
            yield channel.records(), channel.sha256


@contextmanager
def _reading_process(
    job: bytes, lost: Exception, progress: ProgressCallback | None
) -> Iterator[_Channel]:
    process = subprocess.Popen(
        [sys.executable, "-c", _BOOT, _own_folder()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(job)
    process.stdin.close()
    _widen(process.stdout)
    chunks: queue.Queue[bytes] = queue.Queue(_QUEUED)
    # Draining the pipe in a thread lets the reading process run on while
    # this one writes a batch. The thread waits in os.read(), where it lets
    # go of the interpreter lock, and takes it back once per chunk of up to
    # a mebibyte: per frame, it would keep this process waiting.
    drain = threading.Thread(target=_drain, args=(process.stdout, chunks), daemon=True)
    drain.start()
    try:
        yield _Channel(chunks, lost, progress)
    finally:
        if process.poll() is None:
            process.kill()
        # Unblock the thread if it waits on a full queue, then let it end.
        while drain.is_alive():
            try:
                chunks.get(timeout=0.05)
            except queue.Empty:
                pass
        process.stdout.close()
        process.wait()


# The reading process's program. It must import this same copy of
# wxrbridge, not one that happens to sit in the current folder: the folder
# holding this copy replaces the current one at the head of sys.path (or
# the current one is only dropped, when this copy is installed and found
# anyway).
_BOOT = (
    "import sys; folder = sys.argv.pop(); sys.path[0] = folder or sys.path[0]; "
    "sys.path.remove('') if '' in sys.path else None; "
    "from wxrbridge.readahead import main; sys.exit(main())"
)


def _own_folder() -> str:
    """The folder this copy of wxrbridge was imported from, or "" when that
    is an installation folder, which must not come before the standard
    library."""
    import site

    folder = str(Path(__file__).resolve().parents[1])
    installed = {str(Path(p).resolve()) for p in site.getsitepackages()}
    if site.ENABLE_USER_SITE:
        installed.add(str(Path(site.getusersitepackages()).resolve()))
    return "" if folder in installed else folder


def _widen(pipe: IO[bytes]) -> None:
    """Let the pipe hold a mebibyte instead of 64 KiB (Linux), so the
    reading process blocks less often; where that is refused, it still
    works, only in smaller steps."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _CHUNK)
    except (ImportError, OSError):
        pass


def _drain(pipe: IO[bytes], chunks: queue.Queue[bytes]) -> None:
    """Move what arrives on the pipe to ``chunks``; an empty chunk marks
    the end."""
    fd = pipe.fileno()
    try:
        while chunk := os.read(fd, _CHUNK):
            chunks.put(chunk)
    except OSError:
        pass  # the pipe was closed under it: the caller is done
    chunks.put(b"")


class _Channel:
    """The calling side of the pipe: length-prefixed frames, each a message
    written by marshal or pickle, cut out of the chunks as they arrive."""

    def __init__(
        self, chunks: queue.Queue[bytes], lost: Exception, progress: ProgressCallback | None
    ) -> None:
        self.chunks = chunks
        self.buffer = bytearray()
        self.ended = False
        self.lost = lost
        self.progress = progress
        self.digest: str | None = None
        self.source: Source | None = None

    def _frame(self) -> tuple[bytes, bool] | None:
        buffer = self.buffer
        while True:
            if len(buffer) >= _HEADER.size:
                size, marshalled = _HEADER.unpack_from(buffer)
                end = _HEADER.size + size
                if len(buffer) >= end:
                    frame = bytes(buffer[_HEADER.size:end])
                    del buffer[:end]
                    return frame, marshalled
            if self.ended:
                return None
            chunk = self.chunks.get()
            if chunk:
                buffer += chunk
            else:
                self.ended = True

    def _receive(self) -> tuple[Any, ...]:
        received = self._frame()
        if received is None:
            raise self.lost
        frame, marshalled = received
        message = marshal.loads(frame) if marshalled else pickle.loads(frame)
        if message[0] == "error":
            raise message[1]
        return message  # type: ignore[no-any-return]

    def next_document(self) -> bool:
        message = self._receive()
        self.digest = None
        return bool(message[0] == "document")

    def records(self) -> Iterator[Record]:
        while True:
            message = self._receive()
            if message[0] == "records":
                _kind, items, read_bytes = message
                if self.progress and read_bytes:
                    self.progress(read_bytes)
                for item in items:
                    if type(item) is tuple:
                        yield Comment(*item)
                    else:
                        record = _decoded(item)
                        if type(record) is Source:
                            self.source = record
                        yield record
            elif message[0] == "end":
                _kind, late_extras, self.digest = message
                # The reader may add to its Source after sending it (what
                # follows the last item); the store reads them at the end.
                if late_extras and self.source is not None:
                    self.source.extras.extend(late_extras)
                return

    def sha256(self) -> str | None:
        return self.digest


def _send(out: IO[bytes], *message: Any) -> None:
    try:
        # Plain data, every batch of records among it (see _encoded), goes
        # through marshal; errors, and a batch holding what marshal cannot
        # write, through pickle.
        frame, marshalled = marshal.dumps(message), True
    except ValueError:
        frame, marshalled = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL), False
    out.write(_HEADER.pack(len(frame), marshalled))
    out.write(frame)


def _serve(job: IO[bytes], out: IO[bytes]) -> None:
    """The reading side: run the job read from ``job`` and send every
    document it yields, record by record in batches, then its hash."""
    function, payload = pickle.load(job)
    read_bytes = 0

    def count(size: int) -> None:
        nonlocal read_bytes
        read_bytes += size

    def bytes_read() -> int:
        nonlocal read_bytes
        done, read_bytes = read_bytes, 0
        return done

    for records, sha256 in function(payload, count):
        _send(out, "document")
        late = _send_records(records, out, bytes_read)
        _send(out, "end", late, sha256())
        out.flush()
    _send(out, "done")


def _send_records(
    records: Iterable[Record], out: IO[bytes], bytes_read: Callable[[], int]
) -> list[Any]:
    """Send ``records`` in batches; returns the extras their Source gained
    after it was sent."""
    # The Source as last sent: the caller's copy holds the extras it had
    # then, and gets the rest at the end.
    source: Source | None = None
    sent_extras = 0
    batch: list[Any] = []
    for record in records:
        if type(record) is Comment:
            # Taken as it is now; other records are taken as the batch goes
            # (a reader may still fill them in up to then).
            batch.append(_comment_tuple(record))
            if len(batch) < _BATCH:
                continue
        else:
            if type(record) is Source:
                source = record
            batch.append(record)
            if len(batch) < _BATCH:
                continue
        sent_extras = _sent(source, batch, sent_extras)
        _send(out, "records", _encoded(batch), bytes_read())
        batch = []
    sent_extras = _sent(source, batch, sent_extras)
    _send(out, "records", _encoded(batch), bytes_read())
    return source.extras[sent_extras:] if source is not None else []


def _sent(source: Source | None, batch: list[Any], sent_extras: int) -> int:
    """How many of the Source's extras the caller has once ``batch`` is sent."""
    if source is not None and any(record is source for record in batch):
        return len(source.extras)
    return sent_extras


# How a batch travels, all of it through marshal, which writes and reads
# tuples of strings several times as fast as pickle does dataclasses: a
# comment is the tuple of its fields; a comment with extras, or a thread,
# a list of a kind and its fields with the nested records as tuples; any
# other record (a source, users, terms, issues: few) is pickled on its own
# into bytes. One pickled record no longer sends the whole batch through
# pickle.
_EXTRAS_COMMENT = 0
_THREAD = 1


def _comment_tuple(comment: Comment) -> Any:
    values = comment_fields(comment)
    if not comment.extras:
        return values
    fields_list = list(values)
    fields_list[_COMMENT_EXTRAS] = [_extra_tuple(extra) for extra in comment.extras]
    return [_EXTRAS_COMMENT, *fields_list]


def _extra_tuple(extra: Extra) -> tuple[str, str, str, str | None]:
    return (extra.kind, extra.name, extra.value, extra.anchor)


def _encoded(batch: list[Any]) -> list[Any]:
    encoded: list[Any] = []
    for item in batch:
        kind = type(item)
        if kind is tuple or kind is list:
            encoded.append(item)  # a comment, already
        elif kind is Thread:
            values = list(thread_fields(item))
            values[_THREAD_TERMS] = [(t.domain, t.nicename, t.name) for t in item.terms]
            values[_THREAD_EXTRAS] = [_extra_tuple(extra) for extra in item.extras]
            encoded.append([_THREAD, *values])
        else:
            encoded.append(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
    return encoded


def _decoded(item: list[Any] | bytes) -> Record:
    """A record of a batch but a plain comment (see _encoded)."""
    if isinstance(item, bytes):
        record: Record = pickle.loads(item)
        return record
    kind, *values = item
    if kind == _THREAD:
        values[_THREAD_TERMS] = [ThreadTerm(*term) for term in values[_THREAD_TERMS]]
        values[_THREAD_EXTRAS] = [Extra(*extra) for extra in values[_THREAD_EXTRAS]]
        return Thread(*values)
    values[_COMMENT_EXTRAS] = [Extra(*extra) for extra in values[_COMMENT_EXTRAS]]
    return Comment(*values)


def main() -> int:
    """The reading process: run the job on standard input, send what it
    reads to standard output."""
    out = sys.stdout.buffer
    # Nothing else may write to the pipe.
    sys.stdout = sys.stderr
    try:
        _serve(sys.stdin.buffer, out)
    except BrokenPipeError:
        return 1  # the caller stopped listening (it failed, or was killed)
    except BaseException as exc:  # noqa: BLE001 - every error goes back to the caller
        try:
            _send(out, "error", _portable(exc))
        except BrokenPipeError:
            return 1
    try:
        out.flush()
    except BrokenPipeError:
        return 1
    return 0


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError that says what
    it was, traceback included."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - anything unpicklable is described instead
        import traceback

        text = "".join(traceback.format_exception(exc))
        return RuntimeError(f"reading failed in the reading process:\n{text}")
    return exc


if __name__ == "__main__":
    sys.exit(main())
