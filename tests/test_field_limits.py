"""What one backend stores, every backend stores; what one refuses, every one
refuses, with the same line."""

from __future__ import annotations

import pytest

from wxrbridge.errors import ValueTooLongError
from wxrbridge.records import Comment, Source, Thread, User
from wxrbridge.store import open_store

BIG = 100_000


def _site(*comments: Comment, user: User | None = None) -> list:
    return [
        Source(origin="wxr", site="limits.example", name="limits.xml"),
        *([user] if user else []),
        Thread(origin="wxr", key="1", wp_post_id="1", title="Post"),
        *comments,
    ]


def test_long_free_text_is_kept_whole(store_url: str) -> None:
    long_comment = Comment(
        origin="wxr", key="1", thread="1", wp_id="1", parent="0",
        author_name="n" * BIG, author_email="e" * BIG + "@example.org",
        author_url="https://example.org/" + "u" * BIG, author_ip="i" * BIG,
        content="c" * (2 * BIG), meta=[("k" * BIG, "v" * BIG)],
    )
    user = User(origin="wxr", wp_id="1", login="admin", email="m" * BIG,
                display_name="d" * BIG)
    with open_store(store_url) as store:
        store.load(_site(long_comment, user=user))
        stored = {type(r).__name__: r for r in store.records()}
    comment = stored["Comment"]
    assert comment.author_name == long_comment.author_name
    assert comment.author_email == long_comment.author_email
    assert comment.author_url == long_comment.author_url
    assert comment.author_ip == long_comment.author_ip
    assert comment.meta == long_comment.meta
    assert stored["User"].email == user.email
    assert stored["User"].display_name == user.display_name


@pytest.mark.parametrize(("comment", "message"), [
    (Comment(origin="wxr", key="7", thread="1", wp_type="t" * 65),
     "limits.xml: comment 7: type is 65 characters, more than the 64 the store keeps; "
     "nothing was stored"),
    (Comment(origin="wxr", key="k" * 300, thread="1"),
     f"limits.xml: comment {'k' * 60}…: key is 300 characters, more than the 255 the "
     "store keeps; nothing was stored"),
    (Comment(origin="wxr", key="8", thread="1", dsq_id="9" * 70),
     "limits.xml: comment 8: dsq_id is 70 characters, more than the 64 the store keeps; "
     "nothing was stored"),
])
def test_a_bounded_value_too_long_is_refused_alike(
    store_url: str, comment: Comment, message: str
) -> None:
    fine = Comment(origin="wxr", key="1", thread="1", parent="0", content="kept?")
    with open_store(store_url) as store:
        with pytest.raises(ValueTooLongError) as caught:
            store.load(_site(fine, comment))
        assert str(caught.value) == message
        assert store.stats()["comments"] == 0


def test_a_store_of_revision_0001_upgrades_with_its_comments(store_url: str) -> None:
    from alembic import command

    from wxrbridge.store import migrate as store_schema

    records = _site(Comment(origin="wxr", key="1", thread="1", parent="0",
                            author_email="a@example.org", content="kept"))
    with open_store(store_url) as store:
        store.load(records)
        before = list(store.records())
        config = store_schema.alembic_config(store.engine)
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
        store_schema.upgrade(store.engine)
        assert store_schema.current_revision(store.engine) == "0003"
        assert list(store.records()) == before
        store.load([*records[:2], Comment(origin="wxr", key="1", thread="1", parent="0",
                                          author_email="b" * BIG, content="kept")])
        assert store.stats()["changed"] == 1
