"""A damaged outbox after a crash: unreadable lines are set aside and counted, the index is rebuilt,
every readable record is published once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from custom_components.nem_flex_telemetry.const import DOMAIN, ISSUE_OUTBOX_UNREADABLE
from custom_components.nem_flex_telemetry.diagnostics import async_get_config_entry_diagnostics
from custom_components.nem_flex_telemetry.outbox import BAD_FILE, INDEX_FILE
from custom_components.nem_flex_telemetry.record import format_utc
from tests.github_server import GitHubServer
from tests.ha.conftest import Household

from .helpers import intervals_in_git, issue, outbox_lines, publish_now, segments, start

FIRST = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)
DAMAGE = [
    b"\0" * 512 + b"\n",  # a block of zeros where the filesystem lost data
    b'{"schema_version":"2.0","interval_start_utc":"2026-11-22T02:2\n',  # half a line, then a newline
    b'{"schema_version":"2.0","region":"QLD1"}\n',  # a line without its interval
]
TORN = b'{"schema_version":"2.0","interval_start_utc":"2026-11-22T02:3'  # the power went mid-write


async def test_damaged_outbox_and_empty_index_are_repaired_and_nothing_is_published_twice(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer
) -> None:
    entry = await start(hass, battery_only, github)
    moments = [FIRST + STEP * n for n in range(8)]
    folder = Path(hass.config.path(".storage", DOMAIN, entry.entry_id))
    for moment in moments[:3]:
        assert await entry.runtime_data.sampler.async_sample(moment)
    [published] = segments(folder)
    kept = published.read_bytes()
    assert await publish_now(hass) == {"records_added": 3, "pending": 0}
    for moment in moments[3:5]:
        assert await entry.runtime_data.sampler.async_sample(moment)
    assert await hass.config_entries.async_unload(entry.entry_id)

    [segment] = segments(folder)
    with segment.open("ab") as handle:
        handle.write(b"".join(DAMAGE) + TORN)
    # the same crash: the published segment's deletion never reached the disk, the index is empty
    published.write_bytes(kept)
    (folder / INDEX_FILE).write_bytes(b"")

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    found = issue(hass, entry, ISSUE_OUTBOX_UNREADABLE)
    assert found is not None and found.translation_placeholders == {"count": "4", "file": BAD_FILE}
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["outbox"]["unreadable_lines"] == 4 and diagnostics["outbox"]["index_rebuilt"] is True
    assert (folder / BAD_FILE).read_bytes().count(b"\n") == 4
    assert len(outbox_lines(hass, entry)) == 5  # the readable records, nothing torn

    for moment in moments[5:]:
        assert await entry.runtime_data.sampler.async_sample(moment)
    # the rebuilt index sends the 3 published records again; the merge keeps each interval once
    assert await publish_now(hass) == {"records_added": 5, "pending": 0}
    assert not (folder / "index.json.tmp").exists()
    assert intervals_in_git(github) == {format_utc(m): 1 for m in moments}
