"""Fixtures: a running local GitHub server with one data repository and a household user."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.nem_flex_telemetry.github_api import Endpoints, GitHubClient, Token
from tests.record.examples import record as example_record

from .server import GitHubServer

OWNER, REPO = "nem-flex", "nem-flex-data"
LOGIN = "household"


class FakeClock:
    """Time that moves only when told to; ``sleep`` advances it instead of waiting."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def github(tmp_path: Path) -> AsyncIterator[GitHubServer]:
    async with GitHubServer(tmp_path / "git") as server:
        server.add_user(LOGIN, name="A Household")
        server.create_repo(OWNER, REPO)
        server.add_collaborator(OWNER, REPO, LOGIN)
        yield server


@pytest.fixture
def token(github: GitHubServer) -> str:
    return github.issue_token(LOGIN)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def git(server: GitHubServer, *args: str) -> str:
    """Run git against the data repository's bare directory (read-back independent of the server)."""
    path = server.repo(OWNER, REPO).git.path
    return subprocess.run(["git", "--git-dir", str(path), *args], capture_output=True, text=True, check=True).stdout


AUTH = "Authorization"


def bearer(token: str) -> dict[str, str]:
    return {AUTH: f"Bearer {token}"}


@pytest.fixture
async def clocked_github(tmp_path: Path, clock: FakeClock) -> AsyncIterator[GitHubServer]:
    """A server whose device codes and token expiry follow the fake clock."""
    async with GitHubServer(tmp_path / "git-clocked", clock=clock) as server:
        server.add_user(LOGIN, name="A Household")
        server.create_repo(OWNER, REPO)
        server.add_collaborator(OWNER, REPO, LOGIN)
        yield server


HOUSEHOLD = "3f2b6c1e-8d4a-4b7e-9c2d-1a5e7f9b0c3d"
OTHER_HOUSEHOLD = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
REPOSITORY = f"{OWNER}/{REPO}"


def make_records(start: str, count: int) -> list[dict[str, Any]]:
    """``count`` consecutive valid records from ``start`` (UTC), each with a distinct net import."""
    first = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return [
        example_record(
            interval_start_utc=(first + timedelta(minutes=5 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            net_import_kw=round(-3.2 + n / 1000, 4),
        )
        for n in range(count)
    ]


class SleepRecorder:
    """Stands in for asyncio.sleep in the client: records back-off delays without waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(github: GitHubServer, token: str, http: aiohttp.ClientSession, sleeps: SleepRecorder) -> GitHubClient:
    return GitHubClient(http, Token(token, "public_repo"), endpoints=Endpoints.local(github.url), sleep=sleeps)
