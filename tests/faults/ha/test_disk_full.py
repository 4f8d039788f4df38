"""A full disk while sampling: a repair says so, nothing half-written stays, sampling resumes by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from custom_components.nem_flex_telemetry.const import ISSUE_DISK_FULL
from custom_components.nem_flex_telemetry.record import format_utc
from tests.faults.disk import fill
from tests.github_server import GitHubServer
from tests.ha.conftest import Household

from .helpers import intervals_in_git, issue, outbox_lines, publish_now, start

FIRST = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)


async def test_full_disk_raises_a_repair_loses_nothing_and_sampling_resumes(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, small_disk: Path
) -> None:
    hass.config.config_dir = str(small_disk)
    entry = await start(hass, battery_only, github)
    sampler = entry.runtime_data.sampler
    moments = [FIRST + STEP * n for n in range(12)]
    kept = [format_utc(m) for m in moments[:2] if await sampler.async_sample(m)]
    assert len(kept) == 2

    filler = fill(small_disk)
    outcomes = [await sampler.async_sample(moment) for moment in moments[2:8]]
    kept += [format_utc(m) for m, ok in zip(moments[2:8], outcomes, strict=True) if ok]
    assert not all(outcomes)  # the disk is full: intervals are skipped, the entry keeps running
    assert entry.state is ConfigEntryState.LOADED
    full = issue(hass, entry, ISSUE_DISK_FULL)
    assert full is not None and "No space left on device" in (full.translation_placeholders or {})["error"]
    assert sampler.status.last_skip_reason == "outbox not writable: No space left on device"
    # a failed append is cut back: every line on disk is a whole record, exactly those kept
    assert [line.decode().split('"interval_start_utc":"')[1][:20] for line in outbox_lines(hass, entry)] == kept

    filler.unlink()  # space returns: the next boundary samples again, the repair goes
    assert await sampler.async_sample(moments[8])
    kept.append(format_utc(moments[8]))
    assert issue(hass, entry, ISSUE_DISK_FULL) is None

    assert await hass.config_entries.async_reload(entry.entry_id)  # a restart keeps them all
    await hass.async_block_till_done()
    assert await entry.runtime_data.sampler.async_sample(moments[9])
    kept.append(format_utc(moments[9]))
    assert await publish_now(hass) == {"records_added": len(kept), "pending": 0}
    published = intervals_in_git(github)
    assert sorted(published) == kept and set(published.values()) == {1}
