"""Serve the built dashboard (site/dist) on 127.0.0.1 for local viewing: ``make serve``.

usage: python scripts/serve_site.py [--port 8000] [--dir site/dist]
"""

from __future__ import annotations

import argparse
import functools
import http.server
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the JSON and JS types GitHub Pages uses, and no caching while developing."""

    protocol_version = "HTTP/1.1"  # keep-alive: the page loads a dozen small modules

    extensions_map = {  # noqa: RUF012 - the base class declares it as a plain class attribute
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".css": "text/css",
    }

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def make_server(folder: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """A server for folder on 127.0.0.1 (port 0 picks a free port); the caller runs and stops it."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve site/dist on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0 = any free port)")
    parser.add_argument("--dir", type=Path, default=REPO / "site" / "dist", help="folder to serve (default site/dist)")
    args = parser.parse_args()
    if not (args.dir / "index.html").is_file():
        print(f"{args.dir} has no index.html: build the site first (make site, or node site/build.mjs)")
        return 2
    server = make_server(args.dir, args.port)
    host, port = server.server_address[:2]
    print(f"serving {args.dir} at http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
