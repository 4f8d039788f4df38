"""A week of 5-minute sampling and hourly publishing through outages, a revoked token and restarts.

Afterwards the data repository holds every sampled interval exactly once, each line a valid record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.nem_flex_telemetry.const import DOMAIN
from custom_components.nem_flex_telemetry.record import validate
from tests.github_server import GitHubServer

from .conftest import DATA_OWNER, DATA_REPO, LOGIN, GitHubClock, Household, signed_in

START = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
DAYS = 7
TICK = timedelta(minutes=5)


def at(day: int, hour: int) -> datetime:
    return START + timedelta(days=day, hours=hour)


async def sign_in_again(hass: HomeAssistant, github: GitHubServer) -> None:
    """The household answers the reauth notification: a new code, approved on GitHub."""
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    github.approve(result["description_placeholders"]["code"])
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_configure(flow["flow_id"])
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()


def published(github: GitHubServer) -> list[str]:
    """Every interval in the household's day files at the branch head (checked against the schema)."""
    intervals: list[str] = []
    for day in range(DAYS + 1):
        path = f"raw/{(START + timedelta(days=day)):%Y/%m/%d}.jsonl"
        text = github.read_file(DATA_OWNER, DATA_REPO, path)
        for line in (text or b"").decode().splitlines():
            record = json.loads(line)
            assert validate(record) == [], line
            intervals.append(record["interval_start_utc"])
    return intervals


async def test_a_week_of_faults_loses_and_duplicates_nothing(
    hass: HomeAssistant,
    battery_only: Household,
    github: GitHubServer,
    github_clock: GitHubClock,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(START)
    github_clock.now = START.timestamp()
    token = github.issue_token(LOGIN)
    entry = signed_in(battery_only.entry(), github, token)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    events = {
        at(1, 10): "network down",
        at(2, 0): "restart",
        at(3, 10): "network up",
        at(4, 6): "revoke token",
        at(4, 9): "sign in again",
        at(5, 2): "server errors",
        at(5, 7): "rate limit",
        at(5, 13): "another writer",
        at(6, 3): "restart",
    }
    now = START
    sampled = 0
    while now < START + timedelta(days=DAYS):
        now += TICK
        freezer.move_to(now)
        github_clock.now = now.timestamp()
        match events.get(now):
            case "network down":
                await github.set_down(True)
            case "network up":
                await github.set_down(False)
            case "restart":
                assert await hass.config_entries.async_reload(entry.entry_id)
            case "revoke token":
                github.revoke_token(token)
            case "sign in again":
                await sign_in_again(hass, github)
            case "server errors":
                github.fail_next(4, status=502)
            case "rate limit":
                github.exhaust_rate_limit(LOGIN)
            case "another writer":  # re-commits the household's day file as it is: the branch moves under us
                path = f"raw/{now:%Y/%m/%d}.jsonl"
                current = github.read_file(DATA_OWNER, DATA_REPO, path)
                github.race_next_ref_update(DATA_OWNER, DATA_REPO, {path: current, "NOTES.md": b"hello\n"})
        battery_only.publish(hass)  # HAEO keeps reporting
        before = entry.runtime_data.outbox.newest
        async_fire_time_changed(hass, now)
        await hass.async_block_till_done(wait_background_tasks=True)
        sampled += entry.runtime_data.outbox.newest != before

    await hass.services.async_call(DOMAIN, "publish_now", {}, blocking=True)
    intervals = published(github)
    assert len(intervals) == sampled == DAYS * 288
    assert len(set(intervals)) == len(intervals)
    expected = [f"{START + TICK * n:%Y-%m-%dT%H:%M:%SZ}" for n in range(1, DAYS * 288 + 1)]
    assert sorted(intervals) == expected
    assert entry.runtime_data.outbox.pending_count() == 0
    assert hass.states.get("sensor.nem_flex_telemetry_publishing").state == "active"
