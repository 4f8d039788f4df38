"""The ingest figure of ``python -m aggregation bench``: N household repositories on the local GitHub server.

Each repository holds ``household.json`` and a day file of eleven hours; the bench ingests them all
(the first run fetches everything), commits one new hour to each and ingests again (every repository
changed), then ingests once more with nothing changed. It prints wall time, API requests, bytes served
(API and git) and the rate limit used, and projects the hourly ingest of 1,000 households from the
measured per-repository cost at the concurrency used. Development tool: it imports the local server
from ``tests/``.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from aggregation import registry as reg
from aggregation.ingest import ingest

LINE_BYTES = 900  # about one record of the contract
TARGET_SECONDS = 120.0
PROJECTED = 1000


def _hour(household_id: str, hour: int) -> bytes:
    pad = "x" * (LINE_BYTES - 120)
    return b"".join(
        json.dumps(
            {"household_id": household_id, "interval_start_utc": f"2026-11-02T{hour:02}:{m:02}:00Z", "pad": pad}
        ).encode()
        + b"\n"
        for m in range(0, 60, 5)
    )


class _ServerThread:
    """The local GitHub server on its own event loop in a background thread."""

    def __init__(self, root: Path) -> None:
        from tests.github_server import GitHubServer

        self.loop = asyncio.new_event_loop()
        self.server = GitHubServer(root)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result()

    def call[T](self, function: Callable[[], T]) -> T:
        async def wrapped() -> T:
            return function()

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


def _measure(label: str, server: Any, run: Callable[[], Any], households: int) -> float:
    server.call(server.server.clear_log)
    limit = server.call(lambda: server.server.state.rate_limit("nem-flex"))
    used = limit.used
    began = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - began
    log = server.call(lambda: list(server.server.log))
    api = [e for e in log if e.path.startswith("/repos/")]
    served = sum(e.response_bytes for e in log)
    statuses = ", ".join(f"{report.count(s)} {s}" for s in ("updated", "unchanged", "failed") if report.count(s))
    print(
        f"ingest {label:<22} {seconds:7.2f} s  {len(api) / households:.2f} API requests per repository "
        f"({sum(e.status == 304 for e in api)} answered 304), {len(log) - len(api)} git requests, "
        f"{served / 1e6:,.2f} MB served, rate limit used {limit.used - used}  [{statuses}]"
    )
    return seconds


def bench_ingest(households: int, concurrency: int, workdir: Path | None = None) -> None:
    base = workdir or Path(tempfile.mkdtemp(prefix="nft-bench-ingest-"))
    print(f"ingest: setting up {households} household repositories on the local GitHub server ...", flush=True)
    server = _ServerThread(base / "git")
    try:
        github = server.server
        token = server.call(lambda: github.issue_token("nem-flex", ("repo",)))
        bindings: reg.Registry = {}
        for n in range(households):
            login, household_id = f"household{n:04}", str(uuid.uuid4())
            files = {
                "household.json": json.dumps({"household_id": household_id}).encode(),
                "raw/2026/11/02.jsonl": b"".join(_hour(household_id, h) for h in range(11)),
            }
            repo = server.call(partial(github.create_repo, login, "nem-flex-telemetry-data", files=files))
            bindings[household_id] = reg.Binding(household_id, repo.full_name, login, repo.id, "2026-11-01T00:00:00Z")
        registry = base / "registry.json"
        registry.write_text(reg.dumps(bindings))
        work = base / "work"

        def once() -> Any:
            return ingest(github.url, token, registry, work, concurrency=concurrency)

        _measure("first (all new)", server, once, households)
        for household_id, binding in bindings.items():
            owner, name = binding.repository.split("/")
            day = b"".join(_hour(household_id, h) for h in range(12))
            server.call(partial(github.commit, owner, name, {"raw/2026/11/02.jsonl": day}))
        changed = _measure("one new hour each", server, once, households)
        _measure("unchanged", server, once, households)
        projected = changed / households * PROJECTED
        verdict = "met" if projected < TARGET_SECONDS else "NOT met"
        print(
            f"ingest projected for {PROJECTED:,} households, all changed, at concurrency {concurrency}: "
            f"{projected:,.0f} s (target < {TARGET_SECONDS:.0f} s: {verdict}; the local server serves git "
            f"from one process, GitHub from many)"
        )
    finally:
        server.stop()
