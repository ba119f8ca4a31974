"""What the JSON backup formats (Remark42, Commento) share.

Their files are JSON that a Go server wrote; wxrbridge keeps every key the
neutral records have no field for in the record's meta, under the format's
prefix (``remark42:score``), the value as JSON text, so a writer of the same
format puts it back and other writers carry it (WXR as comment meta).

Also here: a JSON error as an :class:`~wxrbridge.errors.InputError` naming
the place, the output text as Go's encoder writes it, and a thread's
comments placed so that every reply has a written parent.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...canonical import parent_of
from ...errors import InputError
from ...records import Comment, Meta
from ...threads import cut_cycles_in_list, parent_index, parents_first

# One compact encoder, Unicode written as itself.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# Go's encoder escapes these by default (json.Marshal): <, >, & and the two
# line separators JavaScript does not allow in strings.
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
               "\u2028": "\\u2028", "\u2029": "\\u2029"}
_GO_ESCAPED = re.compile("[<>&\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def encode_value(value: Any) -> str:
    """A JSON value as meta text."""
    return _ENCODER.encode(value)


def keep(prefix: str, data: Mapping[str, Any], neutral: Container) -> list[Meta]:
    """Meta pairs for the keys of ``data`` not in ``neutral`` (nested objects
    named in ``neutral`` by their dotted path are kept key by key)."""
    kept: list[Meta] = []
    for key, value in data.items():
        if key in neutral.fields:
            continue
        inner = neutral.objects.get(key)
        if inner is not None and isinstance(value, dict):
            kept.extend(keep(f"{prefix}{key}.", value, inner))
        else:
            kept.append((prefix + key, encode_value(value)))
    return kept


@dataclass(frozen=True)
class Container:
    """The keys of one JSON object that neutral fields hold, and the nested
    objects whose keys are looked at one by one."""

    fields: frozenset[str]
    objects: Mapping[str, Container]


def kept(prefix: str, meta: Iterable[Meta]) -> tuple[dict[str, Any], list[str]]:
    """The format's kept keys in ``meta`` (by dotted path, values decoded),
    and the keys of the other pairs, which the format has no place for."""
    values: dict[str, Any] = {}
    foreign: list[str] = []
    for key, value in meta:
        name = key[len(prefix):]
        if key.startswith(prefix) and value is not None and name not in values:
            try:
                values[name] = json.loads(value)
            except ValueError:
                foreign.append(key)
        else:  # another format's, not JSON, or a key given twice
            foreign.append(key)
    return values, foreign


def nested(values: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The kept keys under ``path.`` (``user.`` gives the user's)."""
    start = path + "."
    return {k[len(start):]: v for k, v in values.items() if k.startswith(start)}


def go_json(value: Any, *, escape_html: bool) -> tuple[str, bool]:
    """``value`` as Go's encoder writes it, and whether a lone surrogate (which
    UTF-8 cannot hold) had to be replaced by U+FFFD, as Go does."""
    text = _ENCODER.encode(value)
    if escape_html:
        text = _GO_ESCAPED.sub(lambda m: _GO_ESCAPES[m.group()], text)
    replaced = _SURROGATE.search(text) is not None
    if replaced:
        text = _SURROGATE.sub("\ufffd", text)
    return text, replaced


def json_error(exc: json.JSONDecodeError, name: str, line: int | None = None) -> InputError:
    """A JSON parse error at its place; ``line`` is the file line of a text
    that holds a single line of the file."""
    return InputError(f"not valid JSON: {exc.msg}", file=name,
                      line=exc.lineno if line is None else line, column=exc.colno)


@dataclass
class Placed:
    """A comment to write, with the key of its written parent (None: top
    level) and, when that is not its own parent, why."""

    comment: Comment
    parent: str | None
    moved: str | None = None
    dangling: bool = False  # its parent is in no thread at all


def place_thread(
    comments: Sequence[Comment], written: Callable[[Comment], bool]
) -> list[Placed]:
    """The comments of one thread that ``written`` accepts, parents first,
    each under its nearest written ancestor.

    A reply whose parent is missing, is not written, or closes a cycle goes
    under the nearest written ancestor, or to the top level, and says so.
    """
    keys = [c.key for c in comments]
    parents = parent_index(keys, [parent_of(c) for c in comments])
    cut = {c.node for c in cut_cycles_in_list(parents, keys)}
    placed: list[Placed] = []
    for index in parents_first(parents):
        comment = comments[index]
        if not written(comment):
            continue
        reference = parent_of(comment)
        ancestor = parents[index]
        while ancestor is not None and not written(comments[ancestor]):
            ancestor = parents[ancestor]
        parent = None if ancestor is None else comments[ancestor].key
        moved = None
        dangling = False
        if index in cut:
            moved = "its parent link closed a cycle"
        elif reference is not None and parents[index] is None:
            moved = f"its parent {reference} is not in the thread"
            dangling = True
        elif parents[index] is not None and parent != reference:
            moved = f"its parent {reference} is not written"
        if moved is not None:
            where = "at the top level" if parent is None else f"under comment {parent}"
            moved = f"{moved}; written {where}"
        placed.append(Placed(comment, parent, moved, dangling))
    return placed


def count_line(counts: Counter[str], what: str) -> str:
    """``"3 comment emails (a: 2, b: 1)"``-style summary of a counter."""
    total = sum(counts.values())
    detail = ", ".join(f"{key}: {n}" for key, n in sorted(counts.items()))
    return f"{total} {what} ({detail})"
