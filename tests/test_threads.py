"""Comment trees (wxrbridge.threads): parent index, cycle cutting, tree
order, depth; and the store and the WXR writer cutting a cycle alike."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wxrbridge.formats.wxr import read_wxr, write_wxr
from wxrbridge.formats.wxr.writer import ORIGINAL_PARENT_KEY
from wxrbridge.records import Comment, Source, Thread
from wxrbridge.store import open_store
from wxrbridge.threads import (
    Cut,
    children_of,
    cut_cycles,
    cut_cycles_in_list,
    cycle_cut,
    find_cycles,
    key_rank,
    max_depth,
    parent_index,
    parents_first,
)

SETTINGS = settings(
    max_examples=200, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def forests(draw: st.DrawFn) -> tuple[list[str], list[str | None]]:
    """Keys and parent references of one thread: replies before or after
    their parents, missing parents, self-references and cycles."""
    size = draw(st.integers(0, 14))
    # Keys in any order: a cycle is cut by its keys, not by list order.
    keys = [f"c{i}" for i in draw(st.permutations(range(size)))]
    references: list[str | None] = []
    for _ in range(size):
        references.append(draw(st.one_of(
            st.none(),
            st.sampled_from(keys) if keys else st.none(),
            st.sampled_from(["gone", "c99"]),
        )))
    return keys, references


def _cycle_members(parents: list[int | None]) -> set[int]:
    """Every index on a cycle, found the slow way: walking up from each."""
    members = set()
    for start in range(len(parents)):
        node = parents[start]
        for _ in range(len(parents)):
            if node is None:
                break
            if node == start:
                members.add(start)
                break
            node = parents[node]
    return members


# -- parent_index ------------------------------------------------------------


def test_parent_index_names_the_first_comment_with_the_key() -> None:
    keys = ["1", "2", "1", "3"]
    assert parent_index(keys, [None, "1", "2", "missing"]) == [None, 0, 1, None]


def test_a_reply_listed_before_its_parent_is_found() -> None:
    assert parent_index(["5", "4"], ["4", None]) == [1, None]


def test_a_self_reference_is_a_cycle_of_one() -> None:
    parents = parent_index(["7"], ["7"])
    assert parents == [0]
    assert cut_cycles_in_list(parents, ["7"]) == [Cut((0,), 0)]
    assert parents == [None]


# -- cutting cycles ------------------------------------------------------------


def test_a_cycle_is_cut_at_its_member_of_the_greatest_key() -> None:
    # 0 -> 2 -> 1 -> 0, and 3 hangs below the cycle.
    parents: list[int | None] = [2, 0, 1, 2]
    cuts = cut_cycles_in_list(parents, ["8", "9", "10", "11"])
    assert cuts == [Cut((0, 2, 1), 2)]
    assert parents == [2, 0, None, 2]
    assert parents_first(parents) == [2, 0, 1, 3]


def test_the_cut_follows_the_keys_not_the_list_order() -> None:
    # The same cycle listed in another order is cut at the same comment.
    for keys, references in ((["4", "12", "30"], ["30", "4", "12"]),
                             (["30", "12", "4"], ["12", "4", "30"])):
        parents = parent_index(keys, references)
        assert [keys[cut.node] for cut in cut_cycles_in_list(parents, keys)] == ["30"]


def test_keys_rank_as_numbers_where_they_are_numbers() -> None:
    ranked = sorted(["10", "9", "c10", "c9", "012", "12", "b", "a", "9" * 5000],
                    key=key_rank)
    assert ranked == ["9", "10", "012", "12", "9" * 5000, "a", "b", "c9", "c10"]


def test_the_rule_is_the_highest_rank() -> None:
    keys = {4: "b", 9: "a", 2: "c"}
    assert cycle_cut([4, 9, 2], lambda n: key_rank(keys[n])) == 2


def test_cut_cycles_on_part_of_a_tree() -> None:
    # Ids as the store has them: only linked replies, parents outside the
    # mapping end the walk.
    parent_of = {10: 12, 11: 10, 12: 11, 13: 5}
    assert find_cycles(parent_of) == [(10, 12, 11)]
    assert cut_cycles(parent_of, lambda n: -n) == [Cut((10, 12, 11), 10)]


def test_two_cycles_are_cut_once_each_in_the_order_met() -> None:
    parents: list[int | None] = [1, 0, None, 4, 3]
    cuts = cut_cycles_in_list(parents, ["1", "2", "3", "4", "5"])
    assert [cut.node for cut in cuts] == [1, 4]


def test_no_cycle_cuts_nothing() -> None:
    parents: list[int | None] = [None, 0, 1, None]
    assert cut_cycles_in_list(parents, ["1", "2", "3", "4"]) == []
    assert parents == [None, 0, 1, None]


@SETTINGS
@given(forests())
def test_every_cycle_is_cut_at_exactly_one_link(forest: tuple[list[str], list[str | None]]) -> None:
    keys, references = forest
    parents = parent_index(keys, references)
    before = list(parents)
    on_cycles = _cycle_members(before)
    cuts = cut_cycles_in_list(parents, keys)
    # Each cut drops one link, that of the cycle's member of the greatest key.
    assert [i for i in range(len(keys)) if parents[i] != before[i]] == sorted(
        cut.node for cut in cuts
    )
    for cut in cuts:
        assert keys[cut.node] == max((keys[m] for m in cut.cycle), key=key_rank)
        assert set(cut.cycle) <= on_cycles
        # The members follow their links round the cycle.
        for member, following in zip(cut.cycle, (*cut.cycle[1:], cut.cycle[0]), strict=True):
            assert before[member] == following
    # The cycles are disjoint and together hold every member of a cycle.
    members = [m for cut in cuts for m in cut.cycle]
    assert len(members) == len(set(members))
    assert set(members) == on_cycles
    assert _cycle_members(parents) == set()


# -- tree order ------------------------------------------------------------------


@SETTINGS
@given(forests())
def test_parents_first_holds_every_comment_once_parents_before_replies(
    forest: tuple[list[str], list[str | None]],
) -> None:
    keys, references = forest
    parents = parent_index(keys, references)
    cut_cycles_in_list(parents, keys)
    order = parents_first(parents)
    assert sorted(order) == list(range(len(keys)))
    place = {index: n for n, index in enumerate(order)}
    for index, parent in enumerate(parents):
        if parent is not None:
            assert place[parent] < place[index]


@SETTINGS
@given(forests())
def test_missing_parents_become_roots(forest: tuple[list[str], list[str | None]]) -> None:
    keys, references = forest
    parents = parent_index(keys, references)
    missing = [i for i, ref in enumerate(references) if ref is not None and ref not in keys]
    for index in missing:
        assert parents[index] is None
    cuts = cut_cycles_in_list(parents, keys)
    # A missing parent is no cycle: its comment is not among the cut ones,
    # and it leads a tree of its own.
    assert not {cut.node for cut in cuts} & set(missing)
    roots = [i for i in parents_first(parents) if parents[i] is None]
    assert set(missing) <= set(roots)


def test_tree_order_keeps_list_order_among_siblings() -> None:
    # 3 replies to 0 but is listed before 0's other reply 4; 1 replies to 2,
    # which is listed after it.
    parents: list[int | None] = [None, 2, None, 0, 0]
    assert children_of(parents) == [[3, 4], [], [1], [], []]
    assert parents_first(parents) == [0, 3, 4, 2, 1]


# -- depth -------------------------------------------------------------------------


def test_max_depth() -> None:
    assert max_depth({}) == 0
    assert max_depth({2: 1, 3: 2, 4: 1, 9: 8}) == 2


def test_max_depth_stops_on_a_cycle_left_uncut() -> None:
    assert max_depth({1: 2, 2: 1}) >= 1


@SETTINGS
@given(forests())
def test_max_depth_is_the_longest_chain(forest: tuple[list[str], list[str | None]]) -> None:
    keys, references = forest
    parents = parent_index(keys, references)
    cut_cycles_in_list(parents, keys)
    longest = 0
    for start in range(len(parents)):
        steps, node = 0, parents[start]
        while node is not None:
            steps, node = steps + 1, parents[node]
        longest = max(longest, steps)
    assert max_depth({i: p for i, p in enumerate(parents) if p is not None}) == longest


# -- one rule in the store and in the WXR writer -----------------------------------


def _records(keys: list[str], references: list[str | None]) -> list:
    return [
        Source(origin="wxr", site="s", name="tree.xml"),
        Thread(origin="wxr", key="1"),
        *(
            Comment(origin="wxr", key=key, thread="1", wp_id=key,
                    parent=reference if reference is not None else "0",
                    content=f"text of {key}")
            for key, reference in zip(keys, references, strict=True)
        ),
    ]


@pytest.mark.parametrize("references", [
    ["c2", "c0", "c1", "c2"],  # a cycle of three with a reply below it
    ["c1", "c0", "c3", "c2"],  # two cycles
    ["c0", None, "c1"],  # a comment answering itself
])
def test_store_and_writer_cut_the_same_link(tmp_path: Path, references: list[str | None]) -> None:
    keys = [f"c{i}" for i in range(len(references))]
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        store.load(_records(keys, references))
        stored = {r.key: r.parent_key for r in store.records() if isinstance(r, Comment)}
    out = io.BytesIO()
    report = write_wxr(_records(keys, references), out)
    parents = parent_index(keys, references)
    cut = {keys[c.node] for c in cut_cycles_in_list(parents, keys)}
    assert {key for key, parent in stored.items() if parent is None} == cut | {
        key for key, reference in zip(keys, references, strict=True) if reference is None
    }
    noted = {match.group(1) for note in report.notes
             if (match := re.search(r"comment (\S+) is written as top level", note))}
    assert noted == cut
    written = {r.content: r for r in read_wxr(io.BytesIO(out.getvalue()), name="out.xml")
               if isinstance(r, Comment)}
    assert {key for key in keys if written[f"text of {key}"].parent == "0"} == {
        key for key, parent in stored.items() if parent is None
    }
    for key, reference in zip(keys, references, strict=True):
        if key in cut:
            assert (ORIGINAL_PARENT_KEY, reference) in written[f"text of {key}"].meta


@settings(SETTINGS, max_examples=25)
@given(forests())
def test_store_and_writer_agree_on_random_trees(
    tmp_path_factory: pytest.TempPathFactory, forest: tuple[list[str], list[str | None]]
) -> None:
    keys, references = forest
    path = tmp_path_factory.mktemp("tree") / "store.sqlite"
    with open_store(f"sqlite:///{path}") as store:
        report = store.load(_records(keys, references))
        stored = {r.key: r.parent_key for r in store.records() if isinstance(r, Comment)}
    out = io.BytesIO()
    write_wxr(_records(keys, references), out)
    written = {r.content: r for r in read_wxr(io.BytesIO(out.getvalue()), name="out.xml")
               if isinstance(r, Comment)}
    parents = parent_index(keys, references)
    cuts = cut_cycles_in_list(parents, keys)
    assert report.cycles_broken == len(cuts)
    # Missing parents are kept raw and reported by the store.
    missing = {key for key, ref in zip(keys, references, strict=True)
               if ref is not None and ref not in keys}
    assert {i.record_key for i in report.issues if i.code == "parent-missing"} == {
        f"comment {key}" for key in missing
    }
    expected = {key: keys[p] if p is not None else None
                for key, p in zip(keys, parents, strict=True)}
    assert stored == expected
    # The writer makes the same comments top level (a WXR comment whose
    # parent is missing keeps its raw reference).
    assert {key for key in keys if written[f"text of {key}"].parent == "0"} == {
        key for key, parent in expected.items() if parent is None and key not in missing
    }
    for key in missing:
        assert written[f"text of {key}"].parent == references[keys.index(key)]


def test_the_html_archive_cuts_a_loop_where_the_store_does(tmp_path: Path) -> None:
    from test_html_export import _comment, element, nearest_comment, page

    from wxrbridge.formats.html import write_html

    # 1 answers 3, 2 answers 1, 3 answers 2: the store cuts 3's link.
    records = [
        Thread(origin="wxr", key="100", slug="loop"),
        _comment("1", "3", resolved=False),
        _comment("2", "1", resolved=False),
        _comment("3", "2", resolved=False),
    ]
    write_html(records, tmp_path)
    doc = page(tmp_path, "threads/loop.html")
    assert nearest_comment(element(doc, "3")) is None
    assert nearest_comment(element(doc, "1")) is element(doc, "3")
    assert nearest_comment(element(doc, "2")) is element(doc, "1")
