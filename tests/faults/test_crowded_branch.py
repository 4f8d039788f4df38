"""Crowded branches: twelve writers commit to one household repository's branch at the same moment
(each its own day file: a Home Assistant restored from a backup beside the live one, a catch-up after
an outage) against the local GitHub with latency, and ten aggregation runs push to one repository at
once; all succeed and git holds every record once. With the back-off before (5 attempts of 1-8 s)
about 2 in 10 such writers gave up. ``scripts/bench_conflicts.py`` measures thirty writers at 150 ms
per request (minutes, too long for the suite).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import uuid
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from custom_components.nem_flex_telemetry.github_api import (
    CONFLICT_ATTEMPTS,
    CONFLICT_MAX_WINDOW,
    Endpoints,
    GitHubClient,
    Token,
    conflict_delay,
)
from tests.github_server import GitHubServer
from tests.github_server.conftest import make_records

REPO_ROOT = Path(__file__).resolve().parents[2]
WRITERS = 12
LATENCY = 0.05  # seconds per request: a third of the benchmark's, to keep the test short
OWNER, NAME = "nem-flex", "crowded"


def test_conflict_back_off_doubles_with_full_jitter_up_to_its_cap() -> None:
    assert [conflict_delay(n, jitter=lambda: 1.0) for n in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert conflict_delay(5, jitter=lambda: 0.0) == 0
    assert sum(conflict_delay(n, jitter=lambda: 1.0) for n in range(CONFLICT_ATTEMPTS - 1)) < 3600  # one flush


@pytest.mark.slow
async def test_simultaneous_writers_all_commit_and_nothing_is_duplicated(tmp_path: Path) -> None:
    household = str(uuid.UUID(int=1, version=4))
    days = {index: make_records(f"2026-07-{10 + index:02d}T00:00:00Z", 12) for index in range(WRITERS)}

    async with GitHubServer(tmp_path / "git") as server, aiohttp.ClientSession() as session:
        server.create_repo(OWNER, NAME)
        server.set_latency(LATENCY)

        async def publish(index: int) -> int:
            token = Token(server.issue_token(OWNER), "public_repo")
            client = GitHubClient(session, token, endpoints=Endpoints.local(server.url))
            result = await client.publish(f"{OWNER}/{NAME}", household, days[index])
            assert result.records_added == len(days[index])
            return result.stats.retries

        # every writer finishes before the server stops, whatever happens to the others
        outcomes = await asyncio.gather(*(publish(n) for n in range(WRITERS)), return_exceptions=True)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    retries = [o for o in outcomes if isinstance(o, int)]
    assert max(retries) > 0  # they did collide
    assert max(retries) < CONFLICT_ATTEMPTS
    git_dir = str(server.repo(OWNER, NAME).git.path)

    def git(*args: str) -> str:
        return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, text=True, check=True).stdout

    found: Counter[str] = Counter()
    for path in git("ls-tree", "-r", "--name-only", "main", "--", "raw").splitlines():
        found.update(json.loads(line)["interval_start_utc"] for line in git("show", f"main:{path}").splitlines())
    assert found == {record["interval_start_utc"]: 1 for records in days.values() for record in records}
    assert int(git("rev-list", "--count", "main")) == 1 + WRITERS  # one commit each, after the initial one


def test_simultaneous_aggregation_pushes_all_land(tmp_path: Path) -> None:
    """Ten clones push at once through scripts/push_with_backoff.sh: each rebases and retries until it lands."""
    bare = tmp_path / "origin.git"
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}

    def run(*args: str, cwd: Path | None = None) -> str:
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout

    run("git", "init", "-q", "--bare", "-b", "main", str(bare))
    seed = tmp_path / "seed"
    run("git", "clone", "-q", str(bare), str(seed))
    (seed / "README").write_text("seed\n")
    run("git", "add", "README", cwd=seed)
    run("git", "commit", "-qm", "seed", cwd=seed)
    run("git", "push", "-q", "origin", "main", cwd=seed)
    clones = []
    for n in range(10):
        clone = tmp_path / f"run{n}"
        run("git", "clone", "-q", str(bare), str(clone))
        (clone / f"view{n}.json").write_text(f"{n}\n")
        run("git", "add", ".", cwd=clone)
        run("git", "commit", "-qm", f"aggregate {n}", cwd=clone)
        clones.append(clone)
    script = str(REPO_ROOT / "scripts" / "push_with_backoff.sh")
    pushes = [
        subprocess.Popen(["bash", script], cwd=c, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for c in clones
    ]
    outputs = [p.communicate()[0].decode() for p in pushes]
    assert [p.returncode for p in pushes] == [0] * 10, outputs
    assert any("push rejected" in output for output in outputs)  # they did collide
    log = run("git", "--git-dir", str(bare), "log", "--format=%s", "main").splitlines()
    assert sorted(log) == sorted([f"aggregate {n}" for n in range(10)] + ["seed"])
    files = run("git", "--git-dir", str(bare), "ls-tree", "--name-only", "main").split()
    assert sorted(files) == sorted(["README", *(f"view{n}.json" for n in range(10))])
    assert CONFLICT_MAX_WINDOW == 30.0  # the window the docs state
