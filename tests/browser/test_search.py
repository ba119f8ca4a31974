"""--search in Chromium: the search page finds comments from the archive's
own files, served as any static host would (a loopback server that only
hands out files), and asks nothing of anywhere else.

Pagefind's script loads its index with module imports and fetches, which
Chromium refuses to pages opened from ``file:``; any static host works.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import REPO, browser  # noqa: F401  (the module's browser fixture)

from wxrbridge import api


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The sample archive with search, in a subfolder of a static host."""
    api.convert(REPO / "samples" / "agency-blog.wxr.xml", tmp_path / "site", to="html",
                search=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.RequestHandlerClass.log_message = lambda *args: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/site/"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_the_search_page_finds_a_comment_with_no_outside_request(
    browser: Any, served: str  # noqa: F811
) -> None:
    context = browser.new_context()
    elsewhere: list[str] = []

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith(served):
            request_route.continue_()
        else:
            elsewhere.append(request_route.request.url)
            request_route.abort()

    try:
        page = context.new_page()
        page.route("**/*", route)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(served + "search.html")
        page.fill(".pagefind-ui__search-input", "Fenner Bridge")
        results = page.locator(".pagefind-ui__result-link")
        results.first.wait_for(timeout=15_000)
        href = results.first.get_attribute("href")
        assert href == "/site/threads/have-your-say-millrace-river-walk.html"
        results.first.click()
        page.wait_for_load_state("load")
        assert page.url.startswith(served + "threads/")
        # The thread page, reached from the search, runs no script.
        assert page.locator("script").count() == 0
        assert errors == []
        assert elsewhere == []
    finally:
        context.close()
