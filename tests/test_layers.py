"""The layers of docs/architecture.md hold in the imports: no module imports
one above its own layer, and no two modules import each other, however
roundabout the way.

The import graph is read from the source (``ast``), not from a running
interpreter, so it sees every import wherever it stands:

* at the top of a module, inside a function (a lazy import, made to keep
  start-up light, is a dependency all the same), in a ``try`` block;
* under ``if TYPE_CHECKING:``: these count too.  They never run, so they
  cannot make a loop at import time, but a module that names a higher
  layer's types knows that layer: it cannot be read, type-checked or
  reused without it.  A type wanted lower down belongs lower down.

What it cannot see: ``importlib.import_module`` with a computed name (the
format registry loads its packages that way; they sit in its own layer).

How an import names a module:

* ``import a.b.c`` and ``from a.b import c`` where ``a/b/c.py`` (or
  ``a/b/c/__init__.py``) exists are edges to ``a.b.c``;
* ``from a.b import name`` where ``name`` is not a module is an edge to the
  package ``a.b``, i.e. its ``__init__.py``;
* ``from . import x`` in ``p/__init__.py`` means ``p.x`` (or ``p``), in
  ``p/m.py`` it means the same: the dot is the package holding the module.

Importing ``a.b.c`` also runs ``a/__init__.py`` and ``a/b/__init__.py``;
those implied edges are not counted (every module would then depend on the
package root, which imports the API lazily for just that reason).  What it
asks instead is that a package's own imports obey the table like any
module's.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO

PACKAGE = "wxrbridge"
ROOT = REPO / PACKAGE

# The layers, top first. A layer is a list of groups of modules; a group
# names modules by prefix (``wxrbridge.store`` is the store package and
# everything in it). A module may import its own group, and any group of
# the layers its layer ``uses``; groups that share a layer are peers and do
# not import each other. The package root (``wxrbridge/__init__.py``) is
# named exactly, as it is not the whole tree.
LAYERS: list[tuple[str, list[tuple[str, ...]], tuple[str, ...]]] = [
    # name, groups, the layers it may import
    # The CLI builds its --format choices and writer options from the
    # registry, so that its help cannot drift from the formats.
    ("entry", [("wxrbridge", "wxrbridge.cli", "wxrbridge.__main__")],
     ("api", "formats", "foundation")),
    ("api", [("wxrbridge.api",)],
     ("services", "transport", "formats", "foundation")),
    ("services", [("wxrbridge.verify",), ("wxrbridge.store",), ("wxrbridge.filestats",)],
     ("transport", "formats", "foundation")),
    # Runs a job in a second process and streams its records back: usable
    # by the API and the store, knowing neither.
    ("transport", [("wxrbridge.readahead",)],
     ("formats", "foundation")),
    ("formats", [("wxrbridge.formats",)],
     ("foundation",)),
    ("foundation", [("wxrbridge.records", "wxrbridge.canonical", "wxrbridge.errors",
                     "wxrbridge.inputs", "wxrbridge.outputs", "wxrbridge.version",
                     "wxrbridge.redact", "wxrbridge.usermap", "wxrbridge.urlmap",
                     "wxrbridge.threads")],
     ()),
]


@dataclass(frozen=True)
class Edge:
    """One import: ``source`` imports ``target``, at ``where`` (file:line)."""

    source: str
    target: str
    where: str

    def __str__(self) -> str:
        return f"{self.where}: {self.source} -> {self.target}"


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name; a package is its
    ``__init__.py``."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _known(name: str) -> str | None:
    """``name``, or the nearest package holding it, if it is ours."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> Iterator[Edge]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    here = module if is_package else module.rpartition(".")[0]
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    for node in ast.walk(tree):
        where = f"{shown}:{getattr(node, 'lineno', 0)}"
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                named = f"{base}.{node.module}" if node.module else base
            else:
                named = node.module or ""
            for alias in node.names:
                submodule = f"{named}.{alias.name}"
                targets.append(submodule if submodule in MODULES else named)
        for target in targets:
            known = _known(target)
            if known is not None and known != module:
                yield Edge(module, known, where)


def _graph() -> list[Edge]:
    return [edge for module, path in MODULES.items() for edge in _imports(module, path)]


def _place(module: str) -> tuple[int, int]:
    """(layer index, group index) of ``module``: the longest prefix wins."""
    best: tuple[int, tuple[int, int]] | None = None
    for layer_index, (_name, groups, _uses) in enumerate(LAYERS):
        for group_index, group in enumerate(groups):
            for prefix in group:
                matches = module == prefix or (
                    prefix != PACKAGE and module.startswith(prefix + "."))
                if matches and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), (layer_index, group_index))
    assert best is not None, f"{module} is in no layer: add it to LAYERS in {__file__}"
    return best[1]


def _violation(edge: Edge) -> str | None:
    (source_layer, source_group), (target_layer, target_group) = (
        _place(edge.source), _place(edge.target))
    if (source_layer, source_group) == (target_layer, target_group):
        return None
    source_name, _groups, uses = LAYERS[source_layer]
    target_name = LAYERS[target_layer][0]
    if target_layer == source_layer:
        return f"{edge}  (peers in the {source_name} layer)"
    if target_name not in uses:
        way = "up" if target_layer < source_layer else "past the layers it uses"
        return f"{edge}  ({source_name} -> {target_name}: {way})"
    return None


def _cycles(edges: list[Edge]) -> list[list[Edge]]:
    """One loop through each strongly connected set of modules (Tarjan)."""
    out: dict[str, list[Edge]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in out.get(node, []):
            if edge.target not in index:
                visit(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in on_stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(MODULES):
        if node not in index:
            visit(node)
    return [_loop(component, out) for component in components]


def _loop(component: set[str], out: dict[str, list[Edge]]) -> list[Edge]:
    """A path of edges from the component's first module back to it."""
    start = min(component)
    paths: dict[str, list[Edge]] = {start: []}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for edge in out.get(node, []):
            if edge.target == start:
                return [*paths[node], edge]
            if edge.target in component and edge.target not in paths:
                paths[edge.target] = [*paths[node], edge]
                frontier.append(edge.target)
    raise AssertionError(f"no loop through {start}")  # a component always has one


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    # Lazy, TYPE_CHECKING and relative imports are all edges, each to the
    # module it names.
    module = tmp_path / "example.py"
    module.write_text(
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "import lxml.etree\n"
        "from . import reader\n"  # a module of this package
        "from .. import Format\n"  # a name in the package above: its __init__
        "from ...records import Comment\n"
        "if TYPE_CHECKING:\n"
        "    from ...store import Store\n"
        "def later() -> None:\n"
        "    import wxrbridge.verify\n"
        "    from ... import api\n"
    )
    edges = {edge.target for edge in _imports("wxrbridge.formats.wxr.example", module)}
    assert edges == {
        "wxrbridge.formats.wxr.reader", "wxrbridge.formats", "wxrbridge.records",
        "wxrbridge.store", "wxrbridge.verify", "wxrbridge.api",
    }
    # In a package's __init__, the dot is that package itself.
    package = tmp_path / "__init__.py"
    package.write_text("from . import reader\nfrom .. import Format\n")
    edges = {edge.target for edge in _imports("wxrbridge.formats.wxr", package)}
    assert edges == {"wxrbridge.formats.wxr.reader", "wxrbridge.formats"}


def test_the_graph_of_the_package() -> None:
    edges = {(e.source, e.target) for e in _graph()}
    assert ("wxrbridge", "wxrbridge.api") in edges  # lazy, in __getattr__
    assert ("wxrbridge.store.migrate", "wxrbridge.store.models") in edges  # in a function
    assert ("wxrbridge.store", "wxrbridge.readahead") in edges  # from .. import readahead


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        _place(module)


def test_no_import_cycle() -> None:
    loops = _cycles(_graph())
    described = ["\n    ".join(map(str, loop)) for loop in loops]
    assert not loops, "modules that import each other:\n    " + "\n\n    ".join(described)


def test_imports_point_down() -> None:
    found = sorted({v for edge in _graph() if (v := _violation(edge)) is not None})
    assert not found, "imports against the layers (LAYERS in tests/test_layers.py):\n" + \
        "\n".join(found)


def test_migrations_know_only_the_models() -> None:
    # The alembic scripts live outside the package; of it, they need the
    # schema alone.
    for path in sorted((REPO / "migrations").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
                assert node.module == "wxrbridge.store.models", (
                    f"{path.relative_to(REPO)}:{node.lineno} imports {node.module}")
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(PACKAGE), (
                        f"{path.relative_to(REPO)}:{node.lineno} imports {alias.name}")
