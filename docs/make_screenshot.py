"""Takes docs/archive-screenshot.png: the sample thread's archive page in
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Run ``python docs/make_screenshot.py`` after changing the archive's look.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from wxrbridge import api

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "archive"
        api.convert(REPO / "samples" / "agency-blog.wxr.xml", archive, to="html")
        page_path = next((archive / "threads").glob("*.html"))
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
            browser.close()


if __name__ == "__main__":
    main()
