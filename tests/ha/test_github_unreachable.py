"""GitHub going away and coming back is logged once each, at info (quality scale: log-when-unavailable)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from custom_components.nem_flex_telemetry.const import DOMAIN, LOGGER
from tests.github_server import GitHubServer

from .conftest import GitHubClock, Household, signed_in

NOW = datetime(2026, 11, 22, 3, 7, tzinfo=UTC)


def reachability_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == LOGGER.name and r.levelname == "INFO" and "reachable" in r.message
    ]


async def publish_now(hass: HomeAssistant) -> None:
    await hass.services.async_call(DOMAIN, "publish_now", {}, blocking=True, return_response=True)


async def test_github_unreachable_then_back_is_logged_once_each(
    hass: HomeAssistant,
    battery_only: Household,
    github: GitHubServer,
    github_clock: GitHubClock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    freezer.move_to(NOW)
    github_clock.now = NOW.timestamp()
    caplog.set_level("DEBUG")
    entry = signed_in(battery_only.entry(), github)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    sampler = entry.runtime_data.sampler
    assert await sampler.async_sample(datetime(2026, 11, 22, 2, 0, tzinfo=UTC))

    await github.set_down(True)
    for _ in range(3):
        with pytest.raises(HomeAssistantError, match="could not be reached"):
            await publish_now(hass)
    lines = reachability_lines(caplog)
    assert len(lines) == 1
    assert lines[0].startswith("GitHub is unreachable (") and lines[0].endswith("); will keep trying")
    assert entry.runtime_data.outbox.pending_count() == 1  # nothing lost while waiting

    await github.set_down(False)
    for n in range(2):
        assert await sampler.async_sample(datetime(2026, 11, 22, 2, 5, tzinfo=UTC) + timedelta(minutes=5 * n))
        await publish_now(hass)
    assert reachability_lines(caplog)[1:] == ["GitHub is reachable again"]
    assert entry.runtime_data.outbox.pending_count() == 0
