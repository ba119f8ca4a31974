"""wp-db against a real WordPress: Debian's ``wordpress`` package installed
by its own ``wp_install()`` into a MariaDB database of the test's own, its
comments made by ``wp_insert_comment()``; WordPress itself (``get_comments``,
``get_post``, core's ``export_wp``) then reads what wxrbridge wrote.

Runs when ``WXRBRIDGE_TEST_MYSQL_URL`` is set; it needs ``php`` with its
MySQL module and WordPress in /usr/share/wordpress (``.ci/run`` installs
them).
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MYSQL_URL, mysql_database
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from wxrbridge import api
from wxrbridge.records import Thread

HARNESS = Path(__file__).with_name("wp_real.php")
HOME = "http://wp.example.test"

pytestmark = pytest.mark.skipif(not MYSQL_URL, reason="needs WXRBRIDGE_TEST_MYSQL_URL")

DISQUS = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="81">
    <id>evening</id><forum>realsite</forum>
    <link>https://www.wp.example.test/2024/02/evening-tide</link>
    <title>Evening tide</title><createdAt>2024-02-01T09:00:00Z</createdAt>
    <isClosed>false</isClosed><isDeleted>false</isDeleted>
  </thread>
  <post dsq:id="902">
    <message>Answering before the question arrives.</message>
    <createdAt>2024-03-01T11:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam><isApproved>true</isApproved>
    <author><name>Keeper</name><username>keeper_dsq</username>
      <isAnonymous>false</isAnonymous></author>
    <thread dsq:id="81" /><parent dsq:id="901" />
  </post>
  <post dsq:id="903">
    <message>A reply to the reply.</message>
    <createdAt>2024-03-01T12:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam><isApproved>true</isApproved>
    <author><name>Dee</name><isAnonymous>true</isAnonymous></author>
    <thread dsq:id="81" /><parent dsq:id="902" />
  </post>
  <post dsq:id="901">
    <message>What is the tide doing?</message>
    <createdAt>2024-03-01T10:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam><isApproved>true</isApproved>
    <author><name>Eli</name><isAnonymous>true</isAnonymous></author>
    <thread dsq:id="81" />
  </post>
  <post dsq:id="904">
    <message>Spam, kept as spam.</message>
    <createdAt>2024-03-01T13:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>true</isSpam><isApproved>false</isApproved>
    <author><name>Spammer</name><isAnonymous>true</isAnonymous></author>
    <thread dsq:id="81" />
  </post>
</disqus>
"""


class Site:
    def __init__(self, url: str, content: Path) -> None:
        self.url = url
        self.name = make_url(url).database or ""
        self.content = content

    def php(self, action: str, **more: str) -> str:
        url = make_url(self.url)
        env = {**os.environ, "WXRB_DB_NAME": self.name,
               "WXRB_DB_HOST": f"{url.host or '127.0.0.1'}:{url.port or 3306}",
               "WXRB_DB_USER": url.username or "root", "WXRB_DB_PASSWORD": url.password or "",
               "WXRB_CONTENT_DIR": str(self.content), **more}
        done = subprocess.run(["php", str(HARNESS), action], env=env, capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def read(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.php("read"))
        return found


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with mysql_database(f"wxrb_wpdb_{uuid.uuid4().hex[:12]}") as url:
        made = Site(url, tmp_path)
        made.php("install")
        yield made


# Permalink structures, each tag among them, the PATHINFO kind and none.
STRUCTURES = ["/%year%/%monthnum%/%day%/%postname%/", "/%category%/%post_id%",
              "/index.php/%author%/%postname%/", "/archives/%hour%%minute%%second%-%post_id%/",
              ""]


def test_links_are_wordpress_permalinks(site: Site) -> None:
    """Posts, pages under pages, an attachment, a post in a child category,
    private and scheduled posts: get_permalink's link, for each structure."""
    for structure in STRUCTURES:
        wordpress = {int(k): v for k, v in
                     json.loads(site.php("links", WXRB_STRUCTURE=structure)).items()}
        ours = {int(t.key): t.link for t in api.read(f"wp:{site.url}") if isinstance(t, Thread)}
        assert {k: ours.get(k) for k in wordpress} == wordpress, structure


def test_a_disqus_export_written_in_is_what_wordpress_shows(site: Site, tmp_path: Path
                                                              ) -> None:
    source = tmp_path / "disqus.xml"
    source.write_text(DISQUS, encoding="utf-8")
    before = site.read()
    result = api.convert(source, f"wp:{site.url}", user_map={"keeper_dsq": "keeper"})
    assert result.written.written["comment"] == 4
    after = site.read()
    new = {c["dsq_post_id"]: c for c in after["comments"] if c["dsq_post_id"]}
    assert set(new) == {"901", "902", "903", "904"}
    assert new["901"]["parent"] == 0
    assert new["902"]["parent"] == new["901"]["id"]
    assert new["903"]["parent"] == new["902"]["id"]
    assert new["902"]["user"] == 1 and new["901"]["user"] == 0  # keeper's account
    assert new["904"]["approved"] == "spam"
    evening = next(p for p in after["posts"] if p["link"].endswith("/evening-tide/"))
    assert {c["post"] for c in new.values()} == {evening["id"]}
    # Approved comments only, as WordPress counts them: three, not the spam.
    assert evening["comment_count"] == 3
    assert len(after["comments"]) == len(before["comments"]) + 4
    again = api.convert(source, f"wp:{site.url}", user_map={"keeper_dsq": "keeper"})
    assert again.written.written["comment"] == 0
    assert len(site.read()["comments"]) == len(after["comments"])
    # Core's own export has every comment, under its parent, but the spam
    # one: WordPress's exporter leaves spam out, the database keeps it.
    export = tmp_path / "after.wxr.xml"
    export.write_text(site.php("export"), encoding="utf-8")
    report = api.verify(f"wp:{site.url}", export)
    assert report.comments == (9, 8)
    assert [str(d) for d in report.differences] == [f"comment {new['904']['id']}: in A, not in B"]


def test_reading_is_cores_export_and_writing_it_adds_only_what_is_new(
    site: Site, tmp_path: Path
) -> None:
    """The site read straight is the site core's export shows; that export
    written back adds nothing, and after its comments are gone from the
    site, gives them back threaded, with their author, counted."""
    export = tmp_path / "core.wxr.xml"
    export.write_text(site.php("export"), encoding="utf-8")
    report = api.verify(f"wp:{site.url}", export)
    assert report.equivalent, [str(d) for d in report.differences]
    assert report.comments == (5, 5)
    same = api.convert(export, f"wp:{site.url}")
    assert same.written.written["comment"] == 0
    # The same site's export, its comments removed from the site first.
    engine = create_engine(site.url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM wp_comments WHERE comment_post_ID = 4"))
        connection.execute(text("DELETE FROM wp_commentmeta"))
        connection.execute(text("UPDATE wp_posts SET comment_count = 0"))
    engine.dispose()
    back = api.convert(export, f"wp:{site.url}")
    assert back.written.written["comment"] == 3
    shown = site.read()
    walk = [c for c in shown["comments"] if c["post"] == 4]
    by_content = {c["content"]: c for c in walk}
    first = by_content["A first word."]
    answer = by_content["The author answers."]
    assert answer["parent"] == first["id"] and answer["user"] == 1
    assert by_content["And a reply to the author."]["parent"] == answer["id"]
    assert next(p for p in shown["posts"] if p["id"] == 4)["comment_count"] == 3
    rebuilt = tmp_path / "rebuilt.wxr.xml"
    rebuilt.write_text(site.php("export"), encoding="utf-8")
    report = api.verify(export, rebuilt)
    assert [str(d) for d in report.differences] == []
