"""Read what the dashboard's overview shows, in headless Chromium: ``python -m tests.ha.e2e_browser DIST``.

Serves the built site (DIST) on 127.0.0.1, opens the overview in Debian's Chromium through
Playwright (the site tests' harness: never a downloaded browser), and prints one JSON object with
what a visitor sees. Playwright's sync API cannot run inside Home Assistant's event loop, so the
end-to-end test runs this in a subprocess; the server stops when it is done.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, sync_playwright

from tests.site.conftest import CHROMIUM, CHROMIUM_ARGS, serve_folder, wait_for_view


def read_overview(page: Page) -> dict[str, Any]:
    """The overview's cards, region table and chart, data-quality line and the demo banner."""
    wait_for_view(page, "overview")
    panel = page.locator("#panel-overview")
    cards = {
        card.locator(".label").inner_text().strip(): card.locator(".value").inner_text().strip()
        for card in panel.locator(".card").all()
    }
    panel.locator("details.table summary").first.click()  # the table's rows appear when it is opened
    panel.locator("details.table tbody tr").first.wait_for()
    rows = [
        [cell.inner_text().strip() for cell in row.locator("td").all()]
        for row in panel.locator("details.table tbody tr").all()
    ]
    return {
        "demo_banner_visible": page.locator("#demo-banner").is_visible(),
        "source": panel.get_attribute("data-source"),
        "errors_shown": panel.locator("[data-testid=view-error], [data-testid=chart-error]").count(),
        "cards": cards,
        "region_rows": rows,
        "bars": panel.locator("g.regions-households rect").count(),
        "suppressed_bars": panel.locator("g.regions-suppressed rect").count(),
        "quality": panel.locator("h3:text-is('Data quality') + p").inner_text().strip(),
    }


def main(dist: Path) -> dict[str, Any]:
    errors: list[str] = []
    foreign: list[str] = []
    with contextmanager(serve_folder)(dist) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def route(route: Route) -> None:
            if urlsplit(route.request.url).hostname != "127.0.0.1":
                foreign.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(site.url)
        shown = read_overview(page)
        browser.close()
    return shown | {"console_errors": errors, "foreign_requests": foreign}


if __name__ == "__main__":
    json.dump(main(Path(sys.argv[1])), sys.stdout)
