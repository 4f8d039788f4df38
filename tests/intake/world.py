"""A cohort on the local GitHub server: the project repository, households with their own repositories."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from custom_components.nem_flex_telemetry.intake import format_join_request, format_leave_request
from tests.github_server import GitHubServer

PROJECT_OWNER, PROJECT_NAME = "nem-flex", "nem-flex-telemetry"
PROJECT = f"{PROJECT_OWNER}/{PROJECT_NAME}"
DATA_REPO = "nem-flex-telemetry-data"


def day_line(household_id: str, minute: int) -> bytes:
    return json.dumps({"household_id": household_id, "minute": minute}).encode() + b"\n"


@dataclass
class Household:
    login: str
    household_id: str
    token: str

    @property
    def repository(self) -> str:
        return f"{self.login}/{DATA_REPO}"


class World:
    def __init__(self, github: GitHubServer, http: aiohttp.ClientSession) -> None:
        self.github, self.http = github, http
        self.maintainer = github.issue_token(PROJECT_OWNER, ("repo",))

    def household(
        self, login: str, *, days: dict[str, bytes] | None = None, publish: bool = True, household_id: str | None = None
    ) -> Household:
        household_id = household_id or str(uuid.uuid4())
        self.github.add_user(login)
        files = {"household.json": json.dumps({"household_id": household_id, "schema_version": "2.0"}).encode()}
        if publish:
            files |= days or {"raw/2026/07/14.jsonl": day_line(household_id, 0)}
        self.github.create_repo(login, DATA_REPO, files=files)
        return Household(login, household_id, self.github.issue_token(login))

    async def open_issue(self, token: str, title: str, body: str | None) -> int:
        url = f"{self.github.url}/repos/{PROJECT}/issues"
        payload: dict[str, Any] = {"title": title} | ({"body": body} if body is not None else {})
        async with self.http.post(url, json=payload, headers={"Authorization": f"Bearer {token}"}) as r:
            assert r.status == 201, await r.text()
            return int((await r.json())["number"])

    async def join(self, household: Household, repository: str | None = None, household_id: str | None = None) -> int:
        title, body = format_join_request(household_id or household.household_id, repository or household.repository)
        return await self.open_issue(household.token, title, body)

    async def leave(self, household: Household) -> int:
        title, body = format_leave_request(household.household_id, household.repository)
        return await self.open_issue(household.token, title, body)

    def issue(self, number: int) -> Any:
        return next(i for i in self.github.repo(PROJECT_OWNER, PROJECT_NAME).issues if i.number == number)

    def registry(self) -> dict[str, Any]:
        data = self.github.read_file(PROJECT_OWNER, PROJECT_NAME, "data/registry.json")
        return json.loads(data) if data else {}

    async def register(self, **options: Any) -> Any:
        from aggregation.register import register

        sleeps: list[float] = []
        return await asyncio.to_thread(
            register, self.github.url, self.maintainer, PROJECT, sleep=sleeps.append, **options
        )

    def registry_file(self, folder: Path) -> Path:
        path = folder / "registry.json"
        path.write_bytes(self.github.read_file(PROJECT_OWNER, PROJECT_NAME, "data/registry.json") or b"")
        return path
