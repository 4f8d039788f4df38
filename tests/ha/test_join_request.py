"""The join request survives a reload in the middle of it: one household, one request on file.

This file runs on the real clock (no freezer): the local GitHub's latency has to elapse by itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
from homeassistant.core import HomeAssistant

from custom_components.nem_flex_telemetry.intake import Request, format_join_request, parse_request
from custom_components.nem_flex_telemetry.record import SCHEMA_VERSION
from tests.github_server import GitHubServer

from .conftest import DATA_OWNER, DATA_REPO, HOUSEHOLD_ID, LOGIN, PROJECT_OWNER, PROJECT_REPO, Household, signed_in

LATENCY = 0.3  # seconds the local GitHub holds each answer back, after handling the request
ISSUES = f"/repos/{PROJECT_OWNER}/{PROJECT_REPO}/issues"


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_a_reload_while_the_join_request_is_in_flight_leaves_one_request(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    project = github.repo(PROJECT_OWNER, PROJECT_REPO)
    entry = signed_in(battery_only.entry(), github)
    entry.add_to_hass(hass)
    github.set_answer_latency(LATENCY)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await until(lambda: f"POST {ISSUES}" in github.waiting, "the join request is handled, its answer on the way")
    (issue,) = project.issues
    # The entry reloads (saving its options does this) before the answer arrives: the cancelled task
    # loses it, and the reloaded entry, still pending, asks again.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert project.issues == [issue]  # it found its own open request instead of opening another
    assert issue.user == LOGIN
    assert parse_request(issue.title, issue.body) == Request(
        "join", HOUSEHOLD_ID, f"{DATA_OWNER}/{DATA_REPO}", SCHEMA_VERSION
    )
    assert entry.data["registration"] == "registered"
    assert entry.data["registration_issue"].endswith(f"/{PROJECT_OWNER}/{PROJECT_REPO}/issues/{issue.number}")
    github.set_answer_latency(0)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(project.issues) == 1  # registered: never asked again


async def test_only_an_open_request_of_this_account_for_this_repository_counts(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    """Look-alikes (another account's, another repository's, a closed one) do not stop the request."""
    project = github.repo(PROJECT_OWNER, PROJECT_REPO)
    github.add_user("someone-else")
    others = [
        ("someone-else", format_join_request(HOUSEHOLD_ID, f"{DATA_OWNER}/{DATA_REPO}")),
        (LOGIN, format_join_request(HOUSEHOLD_ID, f"{DATA_OWNER}/another-repository")),
        (LOGIN, format_join_request(HOUSEHOLD_ID, f"{DATA_OWNER}/{DATA_REPO}")),  # closed below
    ]
    async with aiohttp.ClientSession() as http:
        for login, (title, body) in others:
            headers = {"Authorization": f"Bearer {github.issue_token(login)}"}
            async with http.post(f"{github.url}{ISSUES}", json={"title": title, "body": body}, headers=headers) as r:
                assert r.status == 201
    project.issues[-1].state = "closed"
    entry = signed_in(battery_only.entry(), github)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(project.issues) == len(others) + 1
    mine = project.issues[-1]
    assert (mine.user, mine.state) == (LOGIN, "open")
    assert entry.data["registration_issue"].endswith(f"/issues/{mine.number}")
