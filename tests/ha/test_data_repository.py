"""The household's own data repository: created (or adopted) by the config flow, read back with git."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.nem_flex_telemetry.data_repo import parse_household_file
from custom_components.nem_flex_telemetry.intake import Request, parse_request
from custom_components.nem_flex_telemetry.record import SCHEMA_VERSION
from tests.github_server import GitHubServer

from .conftest import DATA_OWNER, DATA_REPO, LOGIN, PROJECT_OWNER, PROJECT_REPO, Household
from .test_config_flow import HOUSEHOLD, limits, options_configure, options_step, signed_in_start, step, suggested

PACKAGE = Path(__file__).resolve().parents[2] / "custom_components" / "nem_flex_telemetry"
NEW_NAME = "our-flex-data"


def show(github: GitHubServer, owner: str, name: str, spec: str) -> str:
    path = github.repo(owner, name).git.path
    return subprocess.run(
        ["git", "--git-dir", str(path), "show", spec], capture_output=True, text=True, check=True
    ).stdout


def files(github: GitHubServer, owner: str, name: str) -> list[str]:
    path = github.repo(owner, name).git.path
    command = ["git", "--git-dir", str(path), "ls-tree", "--name-only", "main"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()


async def through_consent(hass: HomeAssistant, github: GitHubServer, name: str) -> dict[str, Any]:
    """Sign in, name the repository, keep the mapping and the battery: the consent form."""
    result = await signed_in_start(hass, github)
    result = await step(hass, result, {**HOUSEHOLD, "repository": name})
    assert result["step_id"] == "mapping", result.get("errors")
    result = await step(hass, result, limits(suggested(result)))
    battery = suggested(result) | {"capacity_kwh": 13.5, "max_charge_kw": 5.0, "max_discharge_kw": 5.0}
    result = await step(hass, result, battery)
    assert result["step_id"] == "more_assets"
    result = await step(hass, result, {"next_step_id": "consent"})
    assert result["step_id"] == "consent"
    return result


async def test_the_flow_creates_a_public_repository_with_its_files_and_asks_to_join(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    assert github.state.repo(LOGIN, NEW_NAME) is None
    result = await through_consent(hass, github, NEW_NAME)
    repo = github.repo(LOGIN, NEW_NAME)
    assert not repo.private
    assert result["description_placeholders"]["repository_url"] == f"{github.url}/{LOGIN}/{NEW_NAME}"
    result = await step(hass, result, {"agree": True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.options["repository"] == f"{LOGIN}/{NEW_NAME}"
    assert files(github, LOGIN, NEW_NAME) == ["LICENSE", "README.md", "household.json"]
    household = parse_household_file(show(github, LOGIN, NEW_NAME, "main:household.json").encode())
    assert not isinstance(household, str), household
    manifest = json.loads((PACKAGE / "manifest.json").read_text())
    assert (household.household_id, household.region, household.postcode_prefix) == (
        entry.data["household_id"],
        "QLD1",
        "410",
    )
    assert household.consent_time_utc == entry.data["consent_time"]
    assert household.integration_version == manifest["version"]
    assert household.schema_version == SCHEMA_VERSION
    licence = show(github, LOGIN, NEW_NAME, "main:LICENSE")
    assert licence.startswith("Creative Commons Attribution 4.0 International")
    readme = show(github, LOGIN, NEW_NAME, "main:README.md")
    assert "CC-BY-4.0" in readme and f"{github.url}/{LOGIN}/{NEW_NAME}/settings" in readme
    await hass.async_block_till_done(wait_background_tasks=True)
    (issue,) = github.repo(PROJECT_OWNER, PROJECT_REPO).issues  # the join request, once, after setup
    assert issue.user == LOGIN
    expected = Request("join", entry.data["household_id"], f"{LOGIN}/{NEW_NAME}", SCHEMA_VERSION)
    assert parse_request(issue.title, issue.body) == expected
    assert entry.data["registration"] == "registered"


def test_the_shipped_licence_is_the_projects_data_licence() -> None:
    root = (PACKAGE.parents[1] / "data" / "LICENSE").read_text(encoding="utf-8")
    assert root.endswith((PACKAGE / "cc-by-4.0.txt").read_text(encoding="utf-8"))


async def test_an_emptied_repository_is_adopted_and_another_households_is_not(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    other = '{"household_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7"}'
    github.commit(DATA_OWNER, DATA_REPO, {"household.json": other.encode(), "raw/2026/11/01.jsonl": b"{}\n"})
    result = await signed_in_start(hass, github)
    result = await step(hass, result, HOUSEHOLD)
    assert result["errors"] == {"repository": "repository_not_adoptable"}
    github.commit(DATA_OWNER, DATA_REPO, {"household.json": None, "raw/2026/11/01.jsonl": None})
    result = await step(hass, result, HOUSEHOLD)
    assert result["step_id"] == "mapping"  # only GitHub's README left: empty enough


async def test_the_project_repository_is_never_the_data_repository(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    github.add_user(PROJECT_OWNER)
    github.state.tokens.clear()
    result = await signed_in_start(hass, github)  # signed in as the household
    result = await step(hass, result, {**HOUSEHOLD, "repository": PROJECT_REPO})
    assert result["step_id"] == "mapping"  # household/nem-flex-telemetry is the household's own: fine
    assert github.state.repo(LOGIN, PROJECT_REPO) is not None


async def test_options_move_to_a_new_repository_and_ask_to_join_again(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    result = await step(hass, await through_consent(hass, github, DATA_REPO), {"agree": True})
    entry = result["result"]
    await hass.async_block_till_done(wait_background_tasks=True)
    result = await options_step(hass, entry, "publishing")
    assert result["description_placeholders"]["repository_url"] == f"{LOGIN}/{DATA_REPO}"
    result = await options_configure(hass, result, {"paused": False, "repository": NEW_NAME})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options["repository"] == f"{LOGIN}/{NEW_NAME}"
    assert "household.json" in files(github, LOGIN, NEW_NAME)
    issues = github.repo(PROJECT_OWNER, PROJECT_REPO).issues
    assert [parse_request(i.title, i.body).repository for i in issues] == [  # type: ignore[union-attr]
        f"{LOGIN}/{DATA_REPO}",
        f"{LOGIN}/{NEW_NAME}",
    ]
    # Moving back: the first repository holds this household's household.json, so it is adopted.
    result = await options_step(hass, entry, "publishing")
    result = await options_configure(hass, result, {"paused": False, "repository": DATA_REPO})
    assert result["type"] is FlowResultType.CREATE_ENTRY
