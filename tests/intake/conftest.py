"""Fixture: a project repository on a local GitHub server, ready for households to join."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.github_server import GitHubServer

from .world import PROJECT_NAME, PROJECT_OWNER, World


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with GitHubServer(tmp_path / "git") as github, aiohttp.ClientSession() as http:
        github.create_repo(PROJECT_OWNER, PROJECT_NAME)
        yield World(github, http)
