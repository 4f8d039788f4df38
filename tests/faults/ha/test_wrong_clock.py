"""A clock that was ahead: one sample stamped in the future never blocks the samples after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from custom_components.nem_flex_telemetry.const import ISSUE_CLOCK_AHEAD
from custom_components.nem_flex_telemetry.record import format_utc
from tests.github_server import GitHubServer
from tests.ha.conftest import Household

from .conftest import NOW
from .helpers import intervals_in_git, issue, publish_now, start

FIRST = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)
WRONG = datetime(2027, 6, 1, 9, 30, tzinfo=UTC)  # e.g. a board without a real-time clock, set by hand


async def test_future_stamp_raises_a_repair_and_later_samples_are_kept_across_restarts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_only: Household, github: GitHubServer
) -> None:
    entry = await start(hass, battery_only, github)
    freezer.move_to(WRONG)  # the whole system's clock is wrong, so HAEO's states are stamped by it too
    battery_only.publish(hass)
    assert await entry.runtime_data.sampler.async_sample(WRONG)
    freezer.move_to(NOW)  # time synchronisation puts it right
    battery_only.publish(hass)
    correct = [FIRST + STEP * n for n in range(4)]
    for moment in correct[:2]:
        assert await entry.runtime_data.sampler.async_sample(moment)
    ahead = issue(hass, entry, ISSUE_CLOCK_AHEAD)
    assert ahead is not None
    expected = {"latest": format_utc(WRONG), "now": format_utc(correct[1]), "tolerance": "10"}
    assert ahead.translation_placeholders == expected

    assert await hass.config_entries.async_reload(entry.entry_id)  # a restart does not bring the block back
    await hass.async_block_till_done()
    assert issue(hass, entry, ISSUE_CLOCK_AHEAD) is not None  # the outbox still holds the future stamp
    for moment in correct[2:]:
        assert await entry.runtime_data.sampler.async_sample(moment)
    assert not await entry.runtime_data.sampler.async_sample(correct[3])  # a true repeat is still refused

    assert await publish_now(hass) == {"records_added": 5, "pending": 0}
    published = intervals_in_git(github)
    assert published == {format_utc(m): 1 for m in [WRONG, *correct]}
    assert await entry.runtime_data.sampler.async_sample(correct[3] + STEP)
    assert issue(hass, entry, ISSUE_CLOCK_AHEAD) is None  # published: nothing ahead is kept any more
