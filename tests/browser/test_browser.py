"""The HTML archive in a real browser: headless Chromium, offline.

lxml shows what the files say; only a browser shows what a reader gets:
whether planted script runs, whether the page tries to fetch anything,
whether replies render inside their parents.  These tests use the system's
Chromium (Debian's ``chromium`` package) through Playwright, never a
browser Playwright downloads.  Without Chromium or Playwright they are
skipped on a workstation and fail under CI (``CI`` set), so a CI image that
lost its browser cannot pass silently.

Deep threads are measured at 390 and 1280 px: every comment's text keeps
at least 60% of the screen (of the 46rem reading column on a wide one) and
nothing scrolls sideways.  axe-core checks the pages against WCAG 2.1 AA in
the light and the dark colour scheme; it is injected from a file
(``WXRBRIDGE_AXE``, else ``.ci/axe/node_modules/axe-core/axe.min.js``, which
``npm install --prefix .ci/axe axe-core`` puts there), never fetched.

Screenshots of the thread page, and of a 10-deep and a 50-deep thread at
390 px, are saved in the tests' folders, and copied into
``WXRBRIDGE_SCREENSHOT_DIR`` when that is set (a path, relative to the
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
        # Shown with its status label (the archive fixture asks for pending).
        comment("7", "1", wp_approved="0", content="Awaiting moderation."),
    ]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    write_html(_records(), folder, statuses=("pending",))
    return folder


class _OfflinePage:
    """A page in an offline context that records every attempt to reach
    anything but the archive's own files."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.context = browser.new_context(**options)
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
    # The labels axe checks for contrast are on the page.
    assert page.locator("#comment-7 .status").inner_text().strip().lower() == "pending"
    assert page.locator("#comment-6 .kind").inner_text().strip().lower() == "pingback"

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


# -- reading at any depth, on any screen ------------------------------------

PHONE, DESKTOP = 390, 1280
# The pages set their text in a column of at most 46rem (736 px): on a wide
# screen a comment's text is measured against that column, on a narrow one
# against the screen itself.
COLUMN = 736
NARROWEST = 0.6


def _chain(depth: int, slug: str) -> list[Record]:
    records: list[Record] = [
        Source(origin="wxr", site="https://blog.example.com", title="Browser Blog"),
        Thread(origin="wxr", key=slug, title=f"A {depth}-deep thread", slug=slug,
               created_at="2024-05-01 09:00:00"),
    ]
    for n in range(1, depth + 1):
        records.append(Comment(
            origin="wxr", key=f"{slug}-{n}", thread=slug, parent="0" if n == 1 else "x",
            parent_key=None if n == 1 else f"{slug}-{n - 1}", wp_approved="1",
            author_name=f"Reader {n}", created_at="2024-05-01 10:00:00",
            content=f"Reply at level {n}: a sentence long enough to wrap on a phone.",
        ))
    return records


@pytest.fixture(scope="module")
def deep_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("deep") / "archive"
    records: list[Record] = []
    for depth in (10, 50, 100):
        records += _chain(depth, f"deep-{depth}")
    write_html(records, folder)
    return folder


def _narrowest_text(page: Any) -> dict[str, float]:
    return dict(page.evaluate(
        """() => {
            const widths = [...document.querySelectorAll('article.comment > .card > .body')]
                .map(b => b.getBoundingClientRect().width);
            return {narrowest: Math.min(...widths), count: widths.length,
                    scroll: document.documentElement.scrollWidth,
                    viewport: window.innerWidth};
        }"""
    ))


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("depth", [10, 50, 100])
def test_text_keeps_its_width_at_any_depth(
    browser: Any, deep_archive: Path, tmp_path: Path, depth: int, width: int
) -> None:
    handle = _OfflinePage(browser, viewport={"width": width, "height": 900})
    try:
        page = handle.page
        page.goto((deep_archive / "threads" / f"deep-{depth}.html").as_uri())
        page.wait_for_load_state("load")
        measured = _narrowest_text(page)
        assert measured["count"] == depth
        assert measured["narrowest"] >= NARROWEST * min(width, COLUMN), measured
        assert measured["scroll"] <= measured["viewport"], "the page scrolls sideways"
        # The deepest reply is still visibly a reply: indented, and naming
        # the comment it answers.
        first = page.locator(f"#comment-deep-{depth}-1 > .card").bounding_box()
        last = page.locator(f"#comment-deep-{depth}-{depth} > .card").bounding_box()
        assert first is not None and last is not None and last["x"] > first["x"]
        note = page.locator(f"#comment-deep-{depth}-{depth} .reply-to a")
        assert note.inner_text() == f"In reply to Reader {depth - 1}"
        if width == PHONE and depth in (10, 50):
            _save_screenshot(page, tmp_path, f"deep-{depth}-{width}px.png")
        assert handle.outside_requests() == []
    finally:
        handle.close()


# -- accessibility, checked by axe-core in the browser ------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_script() -> Path | None:
    explicit = os.environ.get("WXRBRIDGE_AXE")
    candidates = [Path(explicit)] if explicit else []
    candidates += [
        REPO / ".ci" / "axe" / "node_modules" / "axe-core" / "axe.min.js",
        REPO / "node_modules" / "axe-core" / "axe.min.js",
        Path("/usr/share/nodejs/axe-core/axe.min.js"),
    ]
    return next((path for path in candidates if path.is_file()), None)


@pytest.fixture(scope="module")
def axe() -> Path:
    script = _axe_script()
    if script is None:
        _unavailable("axe-core not found (npm install --prefix .ci/axe axe-core)")
    assert script is not None
    return script


def _axe_violations(browser: Any, url: str, script: Path, scheme: str) -> list[str]:
    # The pages forbid script; only the test may inject axe into them.
    handle = _OfflinePage(browser, bypass_csp=True, color_scheme=scheme)
    try:
        handle.page.goto(url)
        handle.page.wait_for_load_state("load")
        handle.page.add_script_tag(path=str(script))
        result = handle.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        assert handle.outside_requests() == []
    finally:
        handle.close()
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_pass_axe_in_both_colour_schemes(
    browser: Any, archive: Path, axe: Path, scheme: str
) -> None:
    for name in ("index.html", "threads/trap.html"):
        url = (archive / name).as_uri()
        assert _axe_violations(browser, url, axe, scheme) == [], name
