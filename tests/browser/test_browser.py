"""The HTML archive in a real browser: headless Chromium, offline.

lxml shows what the files say; only a browser shows what a reader gets:
whether planted script runs, whether the page tries to fetch anything,
whether replies render inside their parents.  These tests use the system's
Chromium (Debian's ``chromium`` package) through Playwright, never a
browser Playwright downloads.  Without Chromium or Playwright they are
skipped on a workstation and fail under CI (``CI`` set), so a CI image that
lost its browser cannot pass silently.

A screenshot of the thread page is saved in the test's folder, and copied
into ``WXRBRIDGE_SCREENSHOT_DIR`` when that is set (a path, relative to the
repository; ``1`` or ``true`` mean ``test-output/``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wxrbridge.formats.html import write_html
from wxrbridge.records import Comment, Record, Source, Thread, User

REPO = Path(__file__).resolve().parents[2]
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TITLE = "A thread with a trap in it"
# Each planted payload would change the title, set a global or open a dialog.
PLANTED = (
    "<script>document.title = 'pwned-by-script'; window.pwned = 'script';</script>"
    "<img src=x onerror=\"document.title = 'pwned-by-img'; window.pwned = 'img'; alert(2)\">"
    '<svg onload="window.pwned = \'svg\'"></svg>'
    "<a href=\"javascript:window.pwned = 'link'; alert(3)\">click me</a>"
    '<iframe src="https://tracker.example.net/frame"></iframe>'
    '<p style="background: url(https://tracker.example.net/pixel.png)">styled</p>'
)


def _chromium() -> str | None:
    explicit = os.environ.get("WXRBRIDGE_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(
            f"{reason}; CI must run the browser tests "
            "(apt-get install chromium; pip install playwright)"
        )
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    executable = _chromium()
    if executable is None:
        _unavailable("no chromium executable found")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=LAUNCH_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


def _records() -> list[Record]:
    def comment(key: str, parent: str | None = None, **fields: str) -> Comment:
        values = {"author_name": f"Reader {key}", "content": f"Comment {key}.",
                  "wp_approved": "1", "created_at": "2024-05-01 10:00:00",
                  "created_at_local": "2024-05-01 12:00:00"}
        values.update(fields)
        return Comment(origin="wxr", key=key, thread="7", parent=parent or "0",
                       parent_key=parent, **values)  # type: ignore[arg-type]

    return [
        Source(origin="wxr", site="https://blog.example.com", title="Browser Blog"),
        User(origin="wxr", wp_id="3", login="editor"),
        Thread(origin="wxr", key="7", title=TITLE, slug="trap",
               link="https://blog.example.com/trap/", created_at="2024-05-01 09:00:00"),
        comment("1"),
        comment("2", "1", author_name="The Editor", wp_user_id="3"),
        comment("3", "2"),
        comment("4", "3", content="Deepest reply.\n\nWith two paragraphs."),
        comment("5", author_name="Mallory", author_url="javascript:alert(1)",
                content=PLANTED),
        comment("6", author_name="Citing Post", author_url="https://cite.example.net/",
                wp_type="pingback", content="[…] linked […]"),
    ]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    write_html(_records(), folder)
    return folder


class _OfflinePage:
    """A page in an offline context that records every attempt to reach
    anything but the archive's own files."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context()
        self.context.set_offline(True)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.aborted: list[str] = []
        self.requested: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda request: self.requested.append(request.url))
        self.page.route("**/*", self._route)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.aborted.append(route.request.url)
            route.abort()

    def outside_requests(self) -> list[str]:
        return [url for url in self.requested if not url.startswith("file:")]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def offline(browser: Any) -> Iterator[_OfflinePage]:
    handle = _OfflinePage(browser)
    try:
        yield handle
    finally:
        handle.close()


def _save_screenshot(page: Any, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    wanted = os.environ.get("WXRBRIDGE_SCREENSHOT_DIR")
    if wanted:
        target = REPO / "test-output" if wanted.lower() in ("1", "true", "yes") else REPO / wanted
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, target / name)
    return shot


def test_thread_page_renders_offline_with_replies_nested(
    archive: Path, offline: _OfflinePage, tmp_path: Path
) -> None:
    page = offline.page
    page.goto((archive / "threads" / "trap.html").as_uri())
    page.wait_for_load_state("load")

    assert page.title().startswith(TITLE)
    # Each reply's element is inside its parent's.
    assert page.locator("#comment-1 #comment-2").count() == 1
    assert page.locator("#comment-2 #comment-3 #comment-4").count() == 1
    parent_of = page.evaluate(
        "key => document.getElementById('comment-' + key)"
        ".parentElement.closest('article.comment').id",
        "4",
    )
    assert parent_of == "comment-3"
    assert page.locator("#comment-5 #comment-1").count() == 0
    # The stylesheet applied: replies are indented to the right of parents.
    outer = page.locator("#comment-1").bounding_box()
    inner = page.locator("#comment-4").bounding_box()
    assert outer is not None and inner is not None and inner["x"] > outer["x"]
    assert page.locator("#comment-2 .badge").first.inner_text().strip().lower() == "author"
    assert page.locator("section.mentions #comment-6").count() == 1
    assert page.locator("#comment-4 .body p").count() == 2

    _save_screenshot(page, tmp_path, "thread.png")
    assert offline.aborted == []
    assert offline.outside_requests() == []


def test_planted_script_never_runs(archive: Path, offline: _OfflinePage) -> None:
    page = offline.page
    page.goto((archive / "threads" / "trap.html").as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # time for an onerror or onload to fire, had it survived

    assert "pwned" not in page.title()
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("script, img, svg, iframe").count() == 0
    planted = page.locator("#comment-5")
    assert "click me" in planted.inner_text()
    planted.get_by_text("click me").click()
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.url.endswith("/threads/trap.html")
    assert offline.dialogs == []
    assert offline.aborted == []
    assert offline.outside_requests() == []


def test_index_leads_to_the_thread_offline(
    archive: Path, offline: _OfflinePage, tmp_path: Path
) -> None:
    page = offline.page
    page.goto((archive / "index.html").as_uri())
    assert page.locator("h1").inner_text() == "Browser Blog"
    _save_screenshot(page, tmp_path, "index.png")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state("load")
    assert page.url == (archive / "threads" / "trap.html").as_uri()
    assert page.locator("#comment-4").is_visible()
    assert offline.aborted == []
    assert offline.outside_requests() == []
