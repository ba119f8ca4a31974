"""An element with tens of thousands of attributes is read in time linear in
their number, and every attribute is kept, on each element the WXR reader
keeps attributes of: ``<rss>``, ``<channel>``, an item, a comment and a
comment's field."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from wxrbridge import api
from wxrbridge.records import Comment, Source, Thread

WIDTH = 20_000
# Reading 20,000 attributes took some 3 s of CPU per element when each value
# was looked up by name; the linear read takes a few hundredths.  This only
# says it does not crawl, however busy the machine.
CPU_GUARD_SECONDS = 2.0


def wide(where: str) -> str:
    attributes = " ".join(f'a{i}="v{i}&amp;{i % 7}"' for i in range(WIDTH))

    def tag(name: str) -> str:
        return f"<{name} {attributes}>" if name.endswith(where) else f"<{name}>"

    rss = (f'<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" {attributes}>'
           if where == "rss" else '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{rss}{tag("channel")}'
        f'<wp:wxr_version>1.2</wp:wxr_version>{tag("item")}<title>t</title>'
        f'<wp:post_id>5</wp:post_id>{tag("wp:comment")}'
        f'{tag("wp:comment_author")}Ann</wp:comment_author>'
        "<wp:comment_id>1</wp:comment_id><wp:comment_content>hi</wp:comment_content>"
        "</wp:comment></item></channel></rss>\n"
    )


@pytest.mark.parametrize("where", ["rss", "channel", "item", "comment", "comment_author"])
def test_many_attributes_are_read_linearly_and_kept(tmp_path: Path, where: str) -> None:
    path = tmp_path / "wide.wxr.xml"
    path.write_text(wide(where), encoding="utf-8")
    started = time.process_time()
    records = list(api.read(path))
    spent = time.process_time() - started
    owner = {"rss": Source, "channel": Source, "item": Thread}.get(where, Comment)
    [holder] = [r for r in records if isinstance(r, owner)]
    kept = [(e.name, e.value) for e in holder.extras
            if e.kind == "attribute" and e.name.startswith("a")]
    assert kept == [(f"a{i}", f"v{i}&{i % 7}") for i in range(WIDTH)]
    if where == "comment_author":
        assert isinstance(holder, Comment) and holder.author_name == "Ann"
        assert {e.anchor for e in holder.extras} == {"comment_author"}
    assert spent < CPU_GUARD_SECONDS, f"{WIDTH} attributes took {spent:.1f} s of CPU"
