"""Takes the README's screenshots in headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright):

- docs/archive-screenshot.png: the sample thread's archive page;
- docs/archive-search.png: its search page (``--search``) answering a
  query, served from a loopback static server, as Pagefind needs a host.

Run ``python docs/make_screenshot.py`` after changing the archive's look.
"""

from __future__ import annotations

import functools
import http.server
import os
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from wxrbridge import api

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "agency-blog.wxr.xml"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "archive"
        api.convert(SAMPLE, archive, to="html", search=True)
        page_path = next((archive / "threads").glob("*.html"))
        handler = functools.partial(_Quiet, directory=str(archive))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("WXRBRIDGE_CHROMIUM", "/usr/bin/chromium"),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 1000, "height": 1300})
            page.goto(page_path.as_uri())
            # The author's reply nested under a reader's comment, in view.
            page.locator("article.author-reply").first.scroll_into_view_if_needed()
            page.mouse.wheel(0, -350)
            page.screenshot(path=str(REPO / "docs" / "archive-screenshot.png"))
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(f"http://127.0.0.1:{server.server_port}/search.html")
            page.fill(".pagefind-ui__search-input", "Fenner Bridge")
            page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
            page.wait_for_timeout(500)  # the excerpts fill in after the links
            page.screenshot(path=str(REPO / "docs" / "archive-search.png"))
            browser.close()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
