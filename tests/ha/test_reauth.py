"""Reauth keeps the household's GitHub account: another account is refused, push access is checked again."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.github_server import GitHubServer

from .conftest import DATA_OWNER, DATA_REPO, LOGIN, Household, signed_in
from .e2e_households import approve_as
from .test_config_flow import step

REPOSITORY = f"{DATA_OWNER}/{DATA_REPO}"


async def reauth(hass: HomeAssistant, household: Household, github: GitHubServer) -> tuple[MockConfigEntry, Any]:
    """A loaded entry whose token GitHub revoked, and its reauth flow at the device-code step."""
    entry = signed_in(household.entry(), github)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = dict(await entry.start_reauth_flow(hass))
    assert result["step_id"] == "reauth_confirm"
    return entry, await step(hass, result, {})


async def test_another_account_is_refused_and_the_old_sign_in_kept(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    entry, result = await reauth(hass, battery_only, github)
    old_token = entry.data["token"]["access_token"]
    github.add_user("someone-else")
    github.add_collaborator(DATA_OWNER, DATA_REPO, "someone-else")  # even with push access
    result = await approve_as(hass, github, result, "someone-else")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_wrong_account"
    assert result["description_placeholders"] == {"login": "someone-else", "expected": LOGIN}
    assert entry.data["token"]["access_token"] == old_token
    assert entry.data["login"] == LOGIN


async def test_lost_push_access_is_refused(hass: HomeAssistant, battery_only: Household, github: GitHubServer) -> None:
    entry, result = await reauth(hass, battery_only, github)
    old_token = entry.data["token"]["access_token"]
    github.add_user("new-owner")
    github.transfer_repo(DATA_OWNER, DATA_REPO, "new-owner")  # the household's repository moved away
    result = await approve_as(hass, github, result, LOGIN)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_no_push_access"
    assert result["description_placeholders"] == {"login": LOGIN, "repository": REPOSITORY}
    assert entry.data["token"]["access_token"] == old_token


async def test_github_busy_during_the_check_offers_a_retry(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    entry, result = await reauth(hass, battery_only, github)
    old_token = entry.data["token"]["access_token"]
    github.approve(result["description_placeholders"]["code"], login=LOGIN)
    await hass.async_block_till_done()  # signed in: the new token and its login are known
    limit = github.exhaust_rate_limit(LOGIN)  # ... but GitHub will not answer the access check
    result = await step(hass, result, {})
    assert result["step_id"] == "reauth_check"
    assert result["errors"] == {"base": "cannot_connect"}
    assert result["description_placeholders"]["repository"] == REPOSITORY
    assert entry.data["token"]["access_token"] == old_token  # nothing stored before the check passes
    limit.used = 0
    result = await step(hass, result, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["token"]["access_token"] != old_token
