"""Every import-issue code is documented, and every documented one is real.

docs/formats.md has a table of the codes that readers, recover mode's repair
and the store emit.  The codes are collected twice: from the source, every
string literal given as an issue's code, and from what reading every sample
and test file (strict and recover) and storing the samples actually gives.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator

from conftest import REPO, SAMPLES

from wxrbridge import api
from wxrbridge.errors import WxrbridgeError
from wxrbridge.records import ImportIssue

PACKAGE = REPO / "wxrbridge"
DOC = REPO / "docs" / "formats.md"
FILES = sorted(
    [*SAMPLES.glob("*.xml"), *SAMPLES.glob("*.xml.gz"),
     *(REPO / "tests" / "data").glob("*/*.xml")]
)

# Calls whose first argument is an issue code (besides any code= keyword):
# an issue, a mend of the repair that becomes one, and the helpers that
# make them.
_CODE_CALLS = {"ImportIssue", "Mend", "_mend", "_issue"}
# Functions that pass on a code they were given: it is a literal where they
# are called.
_FORWARDERS = {
    ("formats/xml/repair.py", "_flush_mends"),
    ("formats/xml/scanner.py", "_mend"),
    ("formats/disqus/elements.py", "_issue"),
}
# Who emits what, by where the code is written.
_REPAIR = {"formats/xml/repair.py", "formats/xml/scanner.py", "formats/xml/decoding.py",
           "formats/xml/bounds.py"}
# The issues every XML reader shares (the parser's own recoveries).
_READERS_SHARED = "formats/xml/errors.py"


def documented() -> dict[str, tuple[set[str], set[str]]]:
    """Code -> (its severities, who emits it), from the table in formats.md."""
    rows: dict[str, tuple[set[str], set[str]]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `([a-z0-9-]+)` \| ([a-z, ]+) \| .+ \| ([^|]+) \|$", line)
        if match:
            code, severities, emitters = match.groups()
            assert code not in rows, f"{code} is listed twice"
            emitters = emitters.replace("(recover mode)", "")
            rows[code] = ({s.strip() for s in severities.split(",")},
                          {e.strip() for e in emitters.split(",")})
    return rows


def _calls(tree: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    """Every call, with the name of the function it is written in."""

    def visit(node: ast.AST, function: str) -> Iterator[tuple[str, ast.Call]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from visit(child, child.name)
                continue
            if isinstance(child, ast.Call):
                yield function, child
            yield from visit(child, function)

    yield from visit(tree, "")


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def emitted_in_source() -> dict[str, set[str]]:
    """Code -> the modules (below wxrbridge/) that write it as a literal."""
    found: dict[str, set[str]] = defaultdict(set)
    unknown: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        for function, call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            code = next((k.value for k in call.keywords if k.arg == "code"), None)
            if code is None and _callee(call) in _CODE_CALLS and call.args:
                code = call.args[0]
            if code is None or isinstance(code, ast.Call):
                continue  # not an issue, or one made right there (scanned on its own)
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                found[code.value].add(module)
            elif (module, function) not in _FORWARDERS:
                unknown.append(f"{module}:{call.lineno} ({function})")
    # A code this scan cannot read would escape the table.
    assert not unknown, f"issue codes that are not literals: {unknown}"
    return found


def _emitters(modules: set[str]) -> set[str]:
    names: set[str] = set()
    for module in modules:
        if module.startswith("store/"):
            names.add("store")
        elif module in _REPAIR:
            names.add("repair")
        elif module.startswith("formats/wxr/"):
            names.add("WXR reader")
        elif module.startswith("formats/disqus/"):
            names.add("Disqus reader")
        elif module.startswith("formats/remark42/"):
            names.add("Remark42 reader")
        elif module.startswith("formats/commento/"):
            names.add("Commento reader")
        elif module.startswith("formats/isso/"):
            names.add("Isso reader")
        elif module.startswith("formats/wp_db/"):
            names.add("WordPress database reader")
        elif module == _READERS_SHARED:
            names |= {"WXR reader", "Disqus reader"}
        else:
            names.add(module)
    return names


def emitted_when_run() -> list[ImportIssue]:
    """The issues of reading every file both ways and of storing the
    samples in recover mode."""
    issues: list[ImportIssue] = []
    for path in FILES:
        for recover in (False, True):
            try:
                records = list(api.read(path, recover=recover))
            except WxrbridgeError:
                assert not recover, path
                continue
            issues += [r for r in records if isinstance(r, ImportIssue)]
    samples = sorted(SAMPLES.glob("*.xml")) + sorted(SAMPLES.glob("*.xml.gz"))
    with api.scratch_store(samples, recover=True) as (_store, imported):
        for report in imported:
            issues += report.issues
    return issues


def test_every_code_in_the_source_is_documented() -> None:
    missing = sorted(set(emitted_in_source()) - set(documented()))
    assert not missing, f"not in docs/formats.md: {missing}"


def test_every_documented_code_is_emitted_by_what_the_table_says() -> None:
    source = emitted_in_source()
    table = documented()
    assert sorted(set(table) - set(source)) == [], "documented, but nothing emits them"
    for code, (_severities, emitters) in table.items():
        assert emitters == _emitters(source[code]), code


def test_reading_and_storing_emit_only_documented_codes_and_severities() -> None:
    table = documented()
    seen = emitted_when_run()
    assert seen, "the files read give no issue at all"
    for issue in seen:
        assert issue.code in table, f"{issue.code} is not documented ({issue.reason})"
        assert issue.severity in table[issue.code][0], (issue.code, issue.severity)


def test_the_scan_finds_what_running_finds() -> None:
    assert {i.code for i in emitted_when_run()} <= set(emitted_in_source())


def test_one_code_for_the_parsers_recovery() -> None:
    # The readers once had a code each for it ("xml-error" in Disqus's).
    source = emitted_in_source()
    assert "xml-error" not in source
    assert _emitters(source["xml-recovered"]) == {"WXR reader", "Disqus reader"}
