"""WXR files as they come from the wild: wordpress.com and multisite exports
with prefixes nobody declared, files re-saved by a pretty-printer."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cli_oracle import php_read, run
from lxml import etree

from wxrbridge.errors import InputError
from wxrbridge.formats.wxr import read_wxr
from wxrbridge.records import ImportIssue, Record, Source

# The channel head of a wordpress.com export: what the rss2_head hook adds,
# written without the declarations the feed would have had.
WPCOM = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" \
xmlns:content="http://purl.org/rss/1.0/modules/content/" \
xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" \
xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
\t<title>Notes from the shed</title>
\t<link>https://shednotes.example.com</link>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>http://wordpress.com/</wp:base_site_url>
\t<wp:base_blog_url>https://shednotes.example.com</wp:base_blog_url>
\t<generator>http://wordpress.com/</generator>
\t<atom:link rel="search" type="application/opensearchdescription+xml" \
href="https://shednotes.example.com/osd.xml" title="Notes from the shed" />
\t<atom:link rel='hub' href='https://shednotes.example.com/?pushpress=hub'/>
\t<itunes:explicit>no</itunes:explicit>
\t<shed:mood kind="calm">sunny</shed:mood>
\t<item>
\t\t<title>Hinges</title>
\t\t<wp:post_id>12</wp:post_id>
\t\t<wp:post_type><![CDATA[post]]></wp:post_type>
\t\t<wp:comment>
\t\t\t<wp:comment_id>5</wp:comment_id>
\t\t\t<wp:comment_author><![CDATA[Rosa]]></wp:comment_author>
\t\t\t<wp:comment_content><![CDATA[Oil them twice a year.]]></wp:comment_content>
\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>
\t\t\t<wp:comment_parent>0</wp:comment_parent>
\t\t</wp:comment>
\t\t<wp:comment>
\t\t\t<wp:comment_id>6</wp:comment_id>
\t\t\t<wp:comment_author><![CDATA[Ivo]]></wp:comment_author>
\t\t\t<wp:comment_content><![CDATA[Thanks, will do.]]></wp:comment_content>
\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>
\t\t\t<wp:comment_parent>5</wp:comment_parent>
\t\t</wp:comment>
\t</item>
</channel>
</rss>
"""


def read(data: bytes) -> list[Record]:
    return list(read_wxr(io.BytesIO(data), name="wpcom.xml"))


def test_undeclared_prefixes_are_read_bound_and_reported_once() -> None:
    records = read(WPCOM)
    source = records[0]
    assert isinstance(source, Source)
    # The file's own declarations only.
    assert "atom" not in source.namespaces and "shed" not in source.namespaces
    kept = {e.name: e.value for e in source.extras if e.kind == "element"}
    atom = "{http://www.w3.org/2005/Atom}link"
    assert atom in kept and 'xmlns:atom="http://www.w3.org/2005/Atom"' in kept[atom]
    assert "{http://www.itunes.com/dtds/podcast-1.0.dtd}explicit" in kept
    # An unknown prefix is kept too, in a namespace made up for it.
    assert kept["{urn:wxrbridge:undeclared-prefix:shed}mood"] == (
        '<shed:mood xmlns:shed="urn:wxrbridge:undeclared-prefix:shed" kind="calm">sunny'
        "</shed:mood>")
    issues = [r for r in records if isinstance(r, ImportIssue)]
    assert sorted((i.code, i.severity, i.line) for i in issues) == [
        ("undeclared-prefix", "repaired", 10), ("undeclared-prefix", "repaired", 12),
        ("undeclared-prefix", "repaired", 13)]
    assert "atom:" in issues[0].reason and "http://www.w3.org/2005/Atom" in issues[0].reason


def test_keep_ids_copy_is_read_by_wordpress_as_the_original(tmp_path: Path) -> None:
    original = tmp_path / "wpcom.xml"
    original.write_bytes(WPCOM)
    copy = tmp_path / "copy.xml"
    run("convert", original, copy, "--to", "wxr", "--keep-ids")
    assert php_read(copy) == php_read(original)
    written = copy.read_bytes()
    # Written back where they were, each with its declaration.
    document = etree.fromstring(written)
    channel = document.find("channel")
    assert channel is not None
    tags = [child.tag for child in channel]
    assert tags.index("{http://www.w3.org/2005/Atom}link") == tags.index("generator") + 1
    assert tags.count("{http://www.w3.org/2005/Atom}link") == 2
    assert b"sunny</shed:mood>" in written


def test_recover_mode_keeps_them_too(tmp_path: Path) -> None:
    original = tmp_path / "wpcom.xml"
    original.write_bytes(WPCOM)
    copy = tmp_path / "copy.xml"
    output = run("convert", "--recover", original, copy, "--to", "wxr", "--keep-ids")
    assert "damaged" not in output and "undeclared-prefix" in output
    document = etree.parse(str(copy)).getroot()
    assert len(document.findall("channel/{http://www.w3.org/2005/Atom}link")) == 2
    assert php_read(copy) == php_read(original)


def test_strict_mode_stays_strict_with_the_file_s_own_places() -> None:
    # One line: the declarations added to the root's tag must not move the
    # column of an error after it.
    broken = WPCOM.replace(b"\n", b" ").replace(b"<title>Hinges</title>", b"<title>Hinges</ttle>")
    with pytest.raises(InputError) as caught:
        read(broken)
    parser = etree.XMLParser(recover=True)
    etree.fromstring(broken, parser)
    first = next(e for e in parser.error_log if e.type_name != "NS_ERR_UNDEFINED_NAMESPACE")
    assert (caught.value.line, caught.value.column) == (first.line, first.column)
    assert "Opening and ending tag mismatch" in caught.value.reason


def test_an_undeclared_prefix_in_an_item_is_still_refused() -> None:
    # Only the channel's head gets what plugins add; inside an item it is
    # the damage it looks like, and --recover is the way to read it.
    with pytest.raises(InputError, match="Namespace prefix zz on note is not defined"):
        read(WPCOM.replace(b"<title>Hinges</title>", b"<title>Hinges</title><zz:note/>"))
