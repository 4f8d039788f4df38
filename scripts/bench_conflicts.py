"""Crowded branches: N writers commit to one branch at the same moment, against the local GitHub
server with latency (the integration's git-data commits) and against a bare git repository
(the aggregation's ``git push``, through scripts/push_with_backoff.sh).

    scripts/run python scripts/bench_conflicts.py [--writers 30] [--latency 0.15] [--pushers 10]

For each it prints how many succeeded, the attempts they needed and the time to success, with
the client's conflict back-off (``conflict_delay``, ``CONFLICT_ATTEMPTS``) and, as the baseline
in the same run, the back-off the client had before (5 attempts, 1, 2, 4, 8 s with half jitter).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
PUSH_SCRIPT = REPO_ROOT / "scripts" / "push_with_backoff.sh"


@dataclass(slots=True)
class Outcome:
    """One writer's result."""

    succeeded: bool
    attempts: int
    seconds: float


def summary(label: str, outcomes: list[Outcome]) -> str:
    done = [o for o in outcomes if o.succeeded]
    if not done:
        return f"  {label}: 0/{len(outcomes)} succeeded"
    attempts = sorted(o.attempts for o in done)
    seconds = sorted(o.seconds for o in done)
    return (
        f"  {label}: {len(done)}/{len(outcomes)} succeeded; attempts median {statistics.median(attempts):.0f}, "
        f"max {attempts[-1]}; time to success median {statistics.median(seconds):.1f} s, max {seconds[-1]:.1f} s"
    )


async def crowd(
    server: Any, writers: int, conflict_attempts: int, delay: Callable[[int], float] | None
) -> list[Outcome]:
    """``writers`` households publish one hour each to the same branch at once."""
    import aiohttp

    from custom_components.nem_flex_telemetry import github_api
    from custom_components.nem_flex_telemetry.github_api import Endpoints, GitHubClient, Token, TransientError
    from tests.github_server.conftest import make_records

    name = f"crowd-{uuid.uuid4().hex[:8]}"
    server.create_repo("nem-flex", name)
    repository = f"nem-flex/{name}"
    records = make_records("2026-07-14T00:00:00Z", 12)
    original = github_api.conflict_delay
    if delay is not None:
        github_api.conflict_delay = delay  # type: ignore[assignment]  # the baseline's back-off
    try:
        async with aiohttp.ClientSession() as session:

            async def one(index: int) -> Outcome:
                login = f"household{index}"
                server.add_user(login)
                server.add_collaborator("nem-flex", name, login)
                client = GitHubClient(
                    session,
                    Token(server.issue_token(login), "public_repo"),
                    endpoints=Endpoints.local(server.url),
                    conflict_attempts=conflict_attempts,
                )
                started = time.perf_counter()
                try:
                    result = await client.publish(repository, str(uuid.UUID(int=index + 1, version=4)), records)
                except TransientError:
                    return Outcome(False, conflict_attempts, time.perf_counter() - started)
                return Outcome(True, result.stats.retries + 1, time.perf_counter() - started)

            return list(await asyncio.gather(*(one(i) for i in range(writers))))
    finally:
        github_api.conflict_delay = original  # type: ignore[assignment]


def legacy_delay(attempt: int) -> float:
    """The conflict back-off before: ``retry_delay({}, attempt)``, 1, 2, 4 ... s with half jitter."""
    from custom_components.nem_flex_telemetry.github_api import retry_delay

    return retry_delay({}, attempt, now=time.time())


async def bench_client(writers: int, latency: float) -> None:
    from custom_components.nem_flex_telemetry.github_api import CONFLICT_ATTEMPTS
    from tests.github_server import GitHubServer

    with tempfile.TemporaryDirectory() as folder:
        async with GitHubServer(Path(folder)) as server:
            server.set_latency(latency)
            print(f"{writers} writers commit one hour each to one branch at once, {latency * 1000:.0f} ms/request:")
            baseline = await crowd(server, writers, 5, legacy_delay)
            print(summary("before (5 attempts, 1-8 s)", baseline))
            current = await crowd(server, writers, CONFLICT_ATTEMPTS, None)
            print(summary(f"now ({CONFLICT_ATTEMPTS} attempts, full jitter)", current))


def bench_push(pushers: int, attempts: int | None) -> list[Outcome]:
    """``pushers`` clones commit a file each and push to one bare repository at once."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        bare = root / "origin.git"
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
        seed = root / "seed"
        subprocess.run(["git", "clone", "-q", str(bare), str(seed)], check=True, stderr=subprocess.DEVNULL)
        (seed / "README").write_text("seed\n")
        subprocess.run([*git, "-C", str(seed), "add", "README"], check=True)
        subprocess.run([*git, "-C", str(seed), "commit", "-qm", "seed"], check=True)
        subprocess.run(["git", "-C", str(seed), "push", "-q", "origin", "main"], check=True)
        clones = []
        for index in range(pushers):
            clone = root / f"clone{index}"
            subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
            (clone / f"file{index}").write_text(f"{index}\n")
            subprocess.run([*git, "-C", str(clone), "add", "."], check=True)
            subprocess.run([*git, "-C", str(clone), "commit", "-qm", f"writer {index}"], check=True)
            clones.append(clone)
        env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid"}
        env |= {"GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
        if attempts is not None:
            env["PUSH_ATTEMPTS"] = str(attempts)
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                ["bash", str(PUSH_SCRIPT)], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            for clone in clones
        ]
        outcomes = []
        for process in processes:
            output, _ = process.communicate()
            tries = output.decode().count("push rejected") + 1
            outcomes.append(Outcome(process.returncode == 0, tries, time.perf_counter() - started))
        return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=30, help="households committing at once (default 30)")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds added to every request (default 0.15)")
    parser.add_argument("--pushers", type=int, default=10, help="aggregation runs pushing at once (default 10)")
    args = parser.parse_args()
    asyncio.run(bench_client(args.writers, args.latency))
    print(f"{args.pushers} clones push one commit each to one bare repository at once (push_with_backoff.sh):")
    print(summary("with 1 attempt (no retry)", bench_push(args.pushers, 1)))
    print(summary("with the default attempts", bench_push(args.pushers, None)))


if __name__ == "__main__":
    main()
