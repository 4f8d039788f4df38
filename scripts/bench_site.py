"""Measure the dashboard per view in headless Chromium on 127.0.0.1: bytes transferred and time to the
first chart drawn, from a cold cache. Prints figures; asserts nothing.

usage: python scripts/bench_site.py [--views DIR] [--runs 3]
  --views DIR: view JSON files to measure as the real data (default: site/dist as built).
Targets (from the issue): under 400 KB gzipped for the first view, under 1 s to the first chart.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from serve_site import make_server  # noqa: E402 - a script beside this one, not a package

# Debian's Chromium; CI on GitHub points NFT_CHROMIUM at the runner's preinstalled browser.
CHROMIUM = os.environ.get("NFT_CHROMIUM", "/usr/bin/chromium")

VIEWS = ["overview", "flex", "price-response", "curtailment", "ledger", "spread", "assets", "shadow"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def measure(folder: Path, runs: int) -> None:
    server = make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    print(
        f"{'view':<16}{'requests':>9}{'raw KB':>10}{'gzip KB':>10}{'first chart ms (median of ' + str(runs) + ')':>34}"
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for view in VIEWS:
                times, paths = [], set()
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    urls: list[str] = []
                    page.on("request", lambda request, urls=urls: urls.append(request.url))
                    page.goto(f"{base}#{view}")
                    page.wait_for_function("() => performance.getEntriesByName('nft-first-chart').length > 0")
                    times.append(page.evaluate("performance.getEntriesByName('nft-first-chart')[0].startTime"))
                    paths = {urlsplit(url).path for url in urls if url.startswith(base)}
                    context.close()
                files = [folder / (path.lstrip("/") or "index.html") for path in paths]
                files = [file for file in files if file.is_file()]
                raw = sum(file.stat().st_size for file in files)
                packed = sum(gzip_size(file) for file in files)
                median = statistics.median(times)
                print(f"{view:<16}{len(files):>9}{raw / 1024:>10.1f}{packed / 1024:>10.1f}{median:>34.0f}")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=Path, help="view JSON folder to measure as the real data")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.views is None:
        measure(REPO / "site" / "dist", args.runs)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dist"
        subprocess.run(
            ["bash", str(REPO / "scripts" / "build_site.sh"), "--data", str(args.views), "--out", str(out)], check=True
        )
        for name in sorted(args.views.glob("*.json")):
            print(f"  {name.name:<22}{name.stat().st_size / 1024:>9.1f} KB raw {gzip_size(name) / 1024:>8.1f} KB gzip")
        measure(out, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
