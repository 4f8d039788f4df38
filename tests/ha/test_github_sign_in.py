"""GitHub sign-in (device flow) in the config flow, repository checks and reauth, against the local GitHub."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from tests.github_server import GitHubServer

from .conftest import DATA_OWNER, DATA_REPO, LOGIN, GitHubClock, Household, signed_in
from .test_config_flow import HOUSEHOLD, approve, start, step


async def finish(hass: HomeAssistant, result: dict[str, Any]) -> dict[str, Any]:
    """The step after the sign-in task ended."""
    await hass.async_block_till_done()
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"]))


async def test_approve_leads_to_household_with_the_login(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    result = await start(hass)
    assert result["progress_action"] == "wait_for_device"
    assert result["description_placeholders"]["code"] in github.pending_user_codes()
    result = await approve(hass, github, result)
    assert result["step_id"] == "household"
    assert result["description_placeholders"] == {"login": LOGIN, "reason": "-"}


async def test_deny_aborts_with_a_reason(hass: HomeAssistant, battery_only: Household, github: GitHubServer) -> None:
    result = await start(hass)
    github.deny(result["description_placeholders"]["code"])
    result = await finish(hass, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "access_denied"


async def test_expired_code_offers_a_new_one(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, github_clock: GitHubClock
) -> None:
    result = await start(hass)
    first_code = result["description_placeholders"]["code"]
    github_clock.now += 901  # nobody entered the code in 15 minutes
    result = await finish(hass, result)
    assert result["step_id"] == "code_expired"
    result = await step(hass, result, {})
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["description_placeholders"]["code"] != first_code
    result = await approve(hass, github, result)
    assert result["step_id"] == "household"


async def test_slow_down_is_honoured(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, github_clock: GitHubClock
) -> None:
    github_clock.short_sleeps = 2  # the first two waits are too short: GitHub answers slow_down

    def approve_after_slow_down(sleeps: int) -> None:
        if sleeps == 3:  # the flow now waits the 10 s GitHub asked for
            github.approve(github.pending_user_codes()[0])

    github_clock.on_sleep = approve_after_slow_down
    result = await start(hass)
    result = await finish(hass, result)
    assert result["step_id"] == "household"
    assert github_clock.sleeps[:3] == [5, 5, 10]  # the interval GitHub asked for after slow_down


async def test_network_down_while_waiting_offers_a_retry(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    result = await start(hass)
    await github.set_down(True)
    result = await finish(hass, result)
    assert result["step_id"] == "github_unreachable"
    assert result["errors"] == {"base": "cannot_connect"}
    result = await step(hass, result, {})  # still down: the same advice again
    assert result["step_id"] == "github_unreachable"
    await github.set_down(False)
    result = await step(hass, result, {})
    result = await approve(hass, github, result)
    assert result["step_id"] == "household"


async def test_device_flow_disabled_aborts(hass: HomeAssistant, battery_only: Household, github: GitHubServer) -> None:
    github.state.device_flow_enabled = False
    result = await start(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "device_flow_misconfigured"


async def test_device_flow_disabled_while_waiting_aborts(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    result = await start(hass)
    github.state.device_flow_enabled = False
    result = await finish(hass, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "device_flow_misconfigured"


async def test_closing_the_dialog_stops_polling(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    result = await start(hass)
    task = hass.config_entries.flow._progress[result["flow_id"]]._sign_in_task
    assert task is not None
    hass.config_entries.flow.async_abort(result["flow_id"])
    await hass.async_block_till_done()
    assert task.cancelled()
    assert hass.config_entries.flow.async_progress() == []


async def test_a_repository_it_cannot_take_is_a_clear_form_error(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    result = await approve(hass, github, await start(hass))
    github.commit(DATA_OWNER, DATA_REPO, {"notes.txt": b"the owner's notes\n"})
    result = await step(hass, result, HOUSEHOLD)
    assert result["errors"] == {"repository": "repository_not_adoptable"}
    assert result["description_placeholders"]["reason"] == "it already holds other files"
    github.exhaust_rate_limit(LOGIN)
    result = await step(hass, result, HOUSEHOLD)
    assert result["errors"] == {"base": "cannot_connect"}


async def test_reauth_stores_the_new_token(hass: HomeAssistant, battery_only: Household, github: GitHubServer) -> None:
    old_token = github.issue_token(LOGIN)
    entry = signed_in(battery_only.entry(), github, old_token)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = dict(await entry.start_reauth_flow(hass))
    assert result["step_id"] == "reauth_confirm"
    result = await step(hass, result, {})
    result = await approve(hass, github, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["token"]["access_token"] != old_token
    assert entry.data["login"] == LOGIN
    assert entry.data["household_id"] == battery_only.entry().data["household_id"]
