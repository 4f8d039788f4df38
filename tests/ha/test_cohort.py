"""The cohort feed: read hourly and conditionally; failures keep the last size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.nem_flex_telemetry.const import LOGGER
from tests.github_server import GitHubServer

from .conftest import Household, StatusSite, signed_in

NOW = datetime(2026, 11, 22, 3, 7, tzinfo=UTC)


def cohort_state(hass: HomeAssistant) -> str:
    found = hass.states.get("sensor.nem_flex_telemetry_households_publishing")
    assert found is not None
    return found.state


async def test_cohort_size_hourly_and_failures_keep_it(
    hass: HomeAssistant,
    battery_only: Household,
    github: GitHubServer,
    status_site: StatusSite,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    freezer.move_to(NOW)
    entry = signed_in(battery_only.entry(), github)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={**entry.options, "status_url": status_site.url})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert cohort_state(hass) == "unknown"
    later = NOW + timedelta(hours=1, seconds=1)
    freezer.move_to(later)
    async_fire_time_changed(hass, later)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert cohort_state(hass) == "42"

    status_site.body = "<html>not json</html>"
    await entry.runtime_data.cohort.async_refresh()
    status_site.body = '{"cohort_size": "many"}'
    await entry.runtime_data.cohort.async_refresh()
    assert cohort_state(hass) == "42"
    warnings = [r for r in caplog.records if "Cohort size not updated" in r.message and r.levelname == "WARNING"]
    assert len(warnings) == 1  # then quiet: the size is only informative
    status_site.body = '{"cohort_size": 57}'
    await entry.runtime_data.cohort.async_refresh()
    assert cohort_state(hass) == "57"
    await entry.runtime_data.cohort.async_refresh()  # unchanged: one request, answered 304, nothing re-read
    assert status_site.requests[-2:] == [200, 304]
    assert cohort_state(hass) == "57"


async def test_only_signed_in_households_fetch_it(
    hass: HomeAssistant, battery_only: Household, setup_entry: Any
) -> None:
    entry = await setup_entry(battery_only)
    assert entry.runtime_data.cohort is None


def reachability_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == LOGGER.name and r.levelname == "INFO" and "reachable" in r.message
    ]


async def test_unreachable_feed_is_logged_once_and_once_when_back(
    hass: HomeAssistant,
    battery_only: Household,
    github: GitHubServer,
    status_site: StatusSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    entry = signed_in(battery_only.entry(), github)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={**entry.options, "status_url": status_site.url})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    cohort = entry.runtime_data.cohort
    await cohort.async_refresh()
    assert reachability_lines(caplog) == []  # reachable from the start: nothing to say

    status_site.status = 503
    for _ in range(3):
        await cohort.async_refresh()
    assert reachability_lines(caplog) == [
        f"The cohort feed is unreachable ({status_site.url}: ClientResponseError); will keep trying"
    ]
    assert cohort_state(hass) == "42"  # the last size stays

    status_site.status, status_site.body = 200, '{"cohort_size": 43}'
    for _ in range(2):
        await cohort.async_refresh()
    assert reachability_lines(caplog)[1:] == ["The cohort feed is reachable again"]
    assert cohort_state(hass) == "43"
