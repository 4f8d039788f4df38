"""Cost of publishing against the local GitHub server: requests and bytes per hourly flush,
and the time to flush a 7-day backlog (2016 records) in one commit.

    scripts/run python scripts/bench_github.py [--hours 24] [--latency 0.0]

``--latency`` adds that many seconds to every request (a rough stand-in for the real
round trip to api.github.com, which this machine cannot reach).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
HOUSEHOLD = "3f2b6c1e-8d4a-4b7e-9c2d-1a5e7f9b0c3d"
BACKLOG_HOUSEHOLD = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


async def bench(hours: int, latency: float) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    import aiohttp

    from custom_components.nem_flex_telemetry.github_api import Endpoints, GitHubClient, Token
    from tests.github_server import GitHubServer
    from tests.github_server.conftest import make_records

    with tempfile.TemporaryDirectory() as folder:
        async with GitHubServer(Path(folder)) as server, aiohttp.ClientSession() as session:
            server.add_user("household")
            server.create_repo("nem-flex", "nem-flex-data")
            server.add_collaborator("nem-flex", "nem-flex-data", "household")
            server.set_latency(latency)
            token = Token(server.issue_token("household"), "public_repo")
            client = GitHubClient(session, token, endpoints=Endpoints.local(server.url))
            repository = "nem-flex/nem-flex-data"

            day = make_records("2026-07-14T00:00:00Z", 12 * hours)
            flushes = []
            for hour in range(hours):
                result = await client.publish(repository, HOUSEHOLD, day[hour * 12 : hour * 12 + 12])
                flushes.append(result.stats)
            first, rest = flushes[0], flushes[1:] or flushes
            print(f"Hourly flush (12 records, one day file), {hours} hours, latency {latency * 1000:.0f} ms/request:")
            print(
                f"  first flush (includes GET /user): {first.requests} requests, "
                f"{first.bytes_sent} B sent, {first.bytes_received} B received"
            )
            print(
                f"  later flushes: {statistics.mean(s.requests for s in rest):.1f} requests, "
                f"{statistics.mean(s.bytes_sent for s in rest):.0f} B sent (mean), "
                f"{max(s.bytes_sent for s in rest)} B sent (max, end of day), "
                f"{statistics.mean(s.bytes_received for s in rest):.0f} B received (mean)"
            )

            backlog = make_records("2026-07-01T00:00:00Z", 2016)
            server.clear_log()
            started = time.perf_counter()
            result = await client.publish(repository, BACKLOG_HOUSEHOLD, backlog)
            elapsed = time.perf_counter() - started
            stats = result.stats
            print(f"7-day backlog ({len(backlog)} records, {len(result.files)} day files, one commit):")
            print(
                f"  {elapsed:.2f} s, {stats.requests} requests, {stats.bytes_sent / 1024:.0f} KiB sent, "
                f"{stats.bytes_received / 1024:.0f} KiB received"
            )
            print(f"  server log: {len(server.log)} requests, statuses {sorted({e.status for e in server.log})}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=int, default=24, help="hourly flushes to measure (default 24)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    args = parser.parse_args()
    asyncio.run(bench(args.hours, args.latency))


if __name__ == "__main__":
    main()
