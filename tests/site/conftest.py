"""Dashboard test harness: build site/dist variants into tmp folders, serve each on 127.0.0.1 in a
thread, and drive Debian's Chromium through Playwright (never a downloaded browser).

Every page a test opens records console errors, page errors and any request that would leave
127.0.0.1; the fixture fails the test if there were any.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.site import fixture_views

# Debian's Chromium; CI on GitHub points NFT_CHROMIUM at the runner's preinstalled browser.
CHROMIUM = os.environ.get("NFT_CHROMIUM", "/usr/bin/chromium")

REPO = Path(__file__).resolve().parents[2]
# Screenshots and other files for a reviewer: artifacts/ at the repository root unless NFT_ARTIFACTS says.
ARTIFACTS = Path(os.environ.get("NFT_ARTIFACTS") or REPO / "artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEW_IDS = ["overview", "flex", "price-response", "curtailment", "ledger", "spread", "assets", "shadow", "data"]


def _serve_site_module() -> Any:
    spec = importlib.util.spec_from_file_location("serve_site", REPO / "scripts" / "serve_site.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


serve_site = _serve_site_module()


def build_site(out: Path, *, data: Path | None, demo: Path | None, cohort: Path | None = None) -> Path:
    """Runs the real build script (scripts/build_site.sh) with the given view and cohort folders."""
    missing = out.parent / "no-such-folder"
    command = ["bash", str(REPO / "scripts" / "build_site.sh"), "--out", str(out)]
    command += ["--data", str(data or missing), "--demo", str(demo or missing), "--cohort", str(cohort or missing)]
    subprocess.run(command, check=True, capture_output=True, text=True)
    return out


@dataclass
class Site:
    """A built dist folder served on 127.0.0.1."""

    folder: Path
    url: str


def serve_folder(folder: Path) -> Iterator[Site]:
    server = serve_site.make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(folder, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def demo_views(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_views.write_views(tmp_path_factory.mktemp("demo-views"), demo=True)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory, demo_views: Path) -> Iterator[Site]:
    """Real (non-demo) data in data/, the synthetic sample in demo/."""
    data = fixture_views.write_views(tmp_path_factory.mktemp("real-views"))
    yield from serve_folder(build_site(tmp_path_factory.mktemp("real-site") / "dist", data=data, demo=demo_views))


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory, demo_views: Path) -> Iterator[Site]:
    """No real data yet: only the synthetic sample."""
    yield from serve_folder(build_site(tmp_path_factory.mktemp("demo-site") / "dist", data=None, demo=demo_views))


@pytest.fixture(scope="session")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Real data with flex.json and status.json corrupt and shadow.json empty; the demo lacks shadow.json."""
    data = fixture_views.write_views(tmp_path_factory.mktemp("broken-views"))
    (data / "status.json").write_text("[]", encoding="utf-8")
    (data / "flex.json").write_text('{"meta": {"view": "flex"', encoding="utf-8")
    (data / "shadow.json").write_text("", encoding="utf-8")
    demo = fixture_views.write_views(tmp_path_factory.mktemp("broken-demo"), demo=True)
    (demo / "shadow.json").unlink()
    yield from serve_folder(build_site(tmp_path_factory.mktemp("broken-site") / "dist", data=data, demo=demo))


@pytest.fixture(scope="session")
def young_site(tmp_path_factory: pytest.TempPathFactory, demo_views: Path) -> Iterator[Site]:
    """A real cohort of 2 households: every cell suppressed."""
    views = fixture_views.young_cohort(fixture_views.all_views(2))
    data = fixture_views.write(tmp_path_factory.mktemp("young-views"), views)
    yield from serve_folder(build_site(tmp_path_factory.mktemp("young-site") / "dist", data=data, demo=demo_views))


def aggregation(*args: str) -> None:
    """Runs `python -m aggregation ...` (the real generator and build) from the repository root."""
    subprocess.run([sys.executable, "-m", "aggregation", *args], cwd=REPO, check=True, capture_output=True, text=True)


@pytest.fixture(scope="session")
def aggregated_views(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Views of a synthetic cohort run through `python -m aggregation simulate` and `build`: 30
    households over 3 days, enough for NEM, QLD1 and VIC1 to publish while SA1 stays suppressed."""
    root = tmp_path_factory.mktemp("aggregated")
    aggregation("simulate", "--households", "30", "--days", "3", "--seed", "7", "--out", str(root / "raw"))
    aggregation("build", "--raw", str(root / "raw"), "--out", str(root / "cohort"), "--views", str(root / "views"))
    return root / "views"


@pytest.fixture(scope="session")
def aggregated_site(tmp_path_factory: pytest.TempPathFactory, aggregated_views: Path) -> Iterator[Site]:
    """The aggregation's views as the real data, and as the demo sample behind them."""
    out = tmp_path_factory.mktemp("aggregated-site") / "dist"
    cohort = aggregated_views.parent / "cohort"  # its Parquet and datapackage.json, as views.json's downloads name
    yield from serve_folder(build_site(out, data=aggregated_views, demo=aggregated_views, cohort=cohort))


def edited_views(tmp: Path, views: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of real build output with edit(views by name) applied: one bad value in real data."""
    folder = tmp / "views"
    folder.mkdir(parents=True)
    bodies = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in views.glob("*.json")}
    edit(bodies)
    for name, body in bodies.items():
        (folder / f"{name}.json").write_text(json.dumps(body), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageLog:
    """What a page did that a visitor (or a privacy reviewer) would object to."""

    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., tuple[Page, PageLog]]]:
    """open_page(url, width=1280) -> (page, log); asserts at teardown: no console errors, no request off 127.0.0.1."""
    contexts = []
    logs: list[PageLog] = []

    def opener(
        url: str,
        width: int = 1280,
        color_scheme: str = "light",
        height: int = 900,
        downloads: bool = False,
        init_script: Path | None = None,
    ) -> tuple[Page, PageLog]:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=color_scheme,  # type: ignore[arg-type]
            accept_downloads=downloads,
        )
        contexts.append(context)
        if init_script is not None:
            # Added through the browser, not the page, so the page's Content-Security-Policy allows it.
            context.add_init_script(path=init_script)
        log = PageLog()
        logs.append(log)

        def route(route: Route) -> None:
            request_url = route.request.url
            log.requests.append(request_url)
            if urlsplit(request_url).hostname != "127.0.0.1":
                log.foreign_requests.append(request_url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and log.errors.append(message.text))
        page.on("pageerror", lambda error: log.errors.append(str(error)))
        page.goto(url)
        return page, log

    yield opener
    for context in contexts:
        context.close()
    for log in logs:
        assert log.errors == [], f"console errors: {log.errors}"
        assert log.foreign_requests == [], f"requests leaving 127.0.0.1: {log.foreign_requests}"


def wait_for_view(page: Page, view: str) -> None:
    """Waits until the view's panel finished loading and every chart in it has been drawn."""
    page.wait_for_selector(f"#panel-{view}:not([hidden])[data-state=ready], #panel-{view}[data-state=error]")
    page.wait_for_function(
        """view => [...document.querySelectorAll(`#panel-${view} .chart-body`)]
            .every(body => body.dataset.drawn === "true" || body.querySelector('[data-testid=chart-error]'))""",
        arg=view,
    )
