"""Open a Lovelace dashboard of a running Home Assistant in headless Chromium, read it, screenshot it.

``python -m tests.ha.lovelace_browser`` reads one JSON object on stdin: ``url`` (the dashboard's page
on 127.0.0.1), ``tokens`` (what the frontend keeps in localStorage as ``hassTokens`` after a login),
``now`` (Home Assistant's clock in Unix seconds: the page's clock starts there), ``time_zone``,
``viewport`` (width and least height), ``wait_for`` (texts that must show before the page counts as
rendered) and ``screenshot`` (where the PNG goes). It prints one JSON object: each card's visible
texts, the texts that never showed, the charts drawn, console and page errors, every request the page
made and those that would have left 127.0.0.1 (all of those blocked). Playwright's sync API cannot
run inside Home Assistant's event loop (nor under the test's frozen clock): hence a process of its own.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, WebSocketRoute, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.site.conftest import CHROMIUM, CHROMIUM_ARGS

# The core cards the view is made of, by the custom element each renders as.
CARD_ELEMENTS = "hui-tile-card, hui-glance-card, hui-entities-card, hui-history-graph-card"
CHARTS = "hui-history-graph-card ha-chart-base canvas"
# The texts laid out under a node, in order. innerText stops at shadow roots, and Lovelace is web
# components all the way down: walk the composed tree (each shadow root, and what each slot shows).
VISIBLE_TEXTS = """root => {
    const texts = [];
    const walk = node => {
        if (node.nodeType === Node.TEXT_NODE) {
            const text = node.textContent.trim();
            const range = document.createRange();  // laid out, whatever its element's display
            range.selectNodeContents(node);
            if (text && range.getClientRects().length) texts.push(text);
            return;
        }
        if (node.nodeType !== Node.ELEMENT_NODE || ["STYLE", "SCRIPT"].includes(node.tagName)) return;
        const children = node.localName === "slot" ? node.assignedNodes({flatten: true})
            : (node.shadowRoot ?? node).childNodes;
        children.forEach(walk);
    };
    walk(root);
    return texts;
}"""
TEXTS_ON_PAGE = f"() => ({VISIBLE_TEXTS})(document.body)"
ALL_SHOWN = f"wanted => {{ const shown = ({TEXTS_ON_PAGE})(); return wanted.every(t => shown.includes(t)) }}"
CARDS_BOTTOM = "cards => Math.max(...cards.map(card => card.getBoundingClientRect().bottom))"
# Console errors and unhandled rejections as text (the frontend rejects with plain objects, which
# Playwright's page errors show as "Object").
KEEP_ERRORS = """
window.pageErrors = [];
const asText = arg => {
    if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
    try { return typeof arg === "string" ? arg : JSON.stringify(arg); } catch { return String(arg); }
};
const logError = console.error.bind(console);
console.error = (...args) => {
    window.pageErrors.push(args.map(asText).join(" "));
    logError(...args);
};
window.addEventListener("error", event => window.pageErrors.push(`uncaught: ${asText(event.error)}`));
window.addEventListener("unhandledrejection", event => window.pageErrors.push(`unhandled: ${asText(event.reason)}`));
"""


def card_texts(page: Page) -> list[dict[str, Any]]:
    """Each card of the view in page order: its element and the texts a visitor reads in it."""
    return [
        {"card": card.evaluate("node => node.localName"), "texts": card.evaluate(VISIBLE_TEXTS)}
        for card in page.locator(CARD_ELEMENTS).all()
    ]


def main(request: dict[str, Any]) -> dict[str, Any]:
    requests: list[str] = []
    foreign: list[str] = []
    viewport = request["viewport"]
    screenshot = Path(request["screenshot"])
    screenshot.parent.mkdir(parents=True, exist_ok=True)

    def route(route: Route) -> None:
        requests.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    def route_socket(socket: WebSocketRoute) -> None:
        requests.append(socket.url)
        if urlsplit(socket.url).hostname == "127.0.0.1":
            socket.connect_to_server()
        else:
            foreign.append(socket.url)
            socket.close()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport=viewport,
            color_scheme="light",
            locale="en-AU",
            timezone_id=request["time_zone"],
            service_workers="block",  # every request goes through the routes below, none from a cache
        )
        context.route("**/*", route)
        context.route_web_socket(re.compile(".*"), route_socket)
        # Where the frontend looks for a login's tokens before it opens the websocket.
        context.add_init_script(f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(request['tokens']))});")
        context.add_init_script(KEEP_ERRORS)
        page = context.new_page()
        page.clock.install(time=request["now"])
        page.goto(request["url"])
        # Rendered once every wanted text shows (the states arrive over the websocket after the cards).
        wanted = request["wait_for"]
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(ALL_SHOWN, arg=wanted, timeout=60_000)
        texts = page.evaluate(TEXTS_ON_PAGE)
        missing = [text for text in wanted if text not in texts]
        if not missing:  # then the charts drawn and nothing more being fetched
            page.locator(CHARTS).first.wait_for()
            page.wait_for_load_state("networkidle")
            # A window as tall as the view: a full-page capture would resize it mid-shot, and the
            # view's masonry layout lays its cards out again on every resize.
            bottom = math.ceil(page.locator("ha-card").evaluate_all(CARDS_BOTTOM)) + 8
            page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], bottom)})
            page.wait_for_function(ALL_SHOWN, arg=wanted)
            page.wait_for_timeout(500)  # the layout settles after the resize
        shown = card_texts(page)
        charts = page.locator(CHARTS).count()
        page.screenshot(path=screenshot, animations="disabled")
        errors = page.evaluate("window.pageErrors")
        browser.close()
    return {
        "cards": shown,
        "missing": missing,
        "charts": charts,
        "errors": errors,
        "requests": requests,
        "foreign_requests": foreign,
    }


if __name__ == "__main__":
    json.dump(main(json.load(sys.stdin)), sys.stdout)
