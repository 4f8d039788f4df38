"""Sampling on the UTC clock into the outbox, across a day and a restart."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.nem_flex_telemetry import entry as entry_module
from custom_components.nem_flex_telemetry.const import DOMAIN
from custom_components.nem_flex_telemetry.record import validate

from .conftest import STANDARD_ELEMENTS, Household
from .haeo import add_hub

DAY = datetime(2026, 11, 22, tzinfo=UTC)
STEP = timedelta(minutes=5)


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household, when: datetime) -> None:
    """HAEO runs just before the boundary; then the clock reaches it."""
    freezer.move_to(when - timedelta(seconds=20))
    household.publish(hass)
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done(wait_background_tasks=True)


def outbox_records(hass: HomeAssistant, entry_id: str) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for path in sorted(Path(hass.config.path(".storage", DOMAIN, entry_id)).glob("*.jsonl")):
        lines.extend(json.loads(line) for line in path.read_text().splitlines())
    return lines


async def test_one_record_per_boundary_for_a_whole_day(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_and_ev: Household, setup_entry: Callable[..., Any]
) -> None:
    freezer.move_to(DAY - timedelta(minutes=2, seconds=13))  # start-up is not on a boundary
    entry = await setup_entry(battery_and_ev)
    for index in range(288):
        await tick(hass, freezer, battery_and_ev, DAY + STEP * index)
    records = outbox_records(hass, entry.entry_id)
    intervals = [record["interval_start_utc"] for record in records]
    assert len(intervals) == 288
    assert intervals == sorted(set(intervals))
    assert intervals[0] == "2026-11-22T00:00:00Z"
    assert intervals[-1] == "2026-11-22T23:55:00Z"
    assert all(validate(record) == [] for record in records)
    assert entry.runtime_data.outbox.pending_count() == 288
    state = hass.states.get("sensor.nem_flex_telemetry_records_sampled_today")
    assert state is not None and state.state == "288"
    assert hass.states.get("sensor.nem_flex_telemetry_last_sample").state == "2026-11-22T23:55:00+00:00"


async def test_no_sample_between_boundaries(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_only: Household, setup_entry: Callable[..., Any]
) -> None:
    freezer.move_to(DAY + timedelta(seconds=30))
    entry = await setup_entry(battery_only)
    for seconds in (60, 120, 299):
        freezer.move_to(DAY + timedelta(seconds=seconds))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert outbox_records(hass, entry.entry_id) == []
    await tick(hass, freezer, battery_only, DAY + STEP)
    assert [r["interval_start_utc"] for r in outbox_records(hass, entry.entry_id)] == ["2026-11-22T00:05:00Z"]


async def test_restart_mid_day_loses_and_duplicates_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_only: Household, setup_entry: Callable[..., Any]
) -> None:
    freezer.move_to(DAY - timedelta(seconds=40))
    entry = await setup_entry(battery_only)
    for index in range(144):
        await tick(hass, freezer, battery_only, DAY + STEP * index)
    freezer.move_to(DAY + STEP * 143 + timedelta(seconds=30))
    assert await hass.config_entries.async_reload(entry.entry_id)  # restart within the interval
    await hass.async_block_till_done()
    # The same boundary fired again (e.g. a clock step back) is not a second record.
    await entry.runtime_data.sampler.async_sample(DAY + STEP * 143)
    for index in range(144, 288):
        await tick(hass, freezer, battery_only, DAY + STEP * index)
    intervals = [r["interval_start_utc"] for r in outbox_records(hass, entry.entry_id)]
    assert len(intervals) == 288
    assert len(set(intervals)) == 288
    assert entry.runtime_data.sampler.status.last_skip_reason.startswith("duplicate interval")


async def test_unavailable_inputs_skip_and_log_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    battery_only: Household,
    setup_entry: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    freezer.move_to(DAY - timedelta(seconds=40))
    entry = await setup_entry(battery_only)
    await tick(hass, freezer, battery_only, DAY)
    battery_only.values[0][("Grid", "grid_power_active")] = "unavailable"
    caplog.set_level(logging.INFO)
    for index in range(1, 4):
        await tick(hass, freezer, battery_only, DAY + STEP * index)
    assert caplog.text.count("Interval skipped") == 1
    assert hass.states.get("sensor.nem_flex_telemetry_intervals_skipped_today").state == "3"
    reason = hass.states.get("sensor.nem_flex_telemetry_last_skip_reason").state
    assert reason == "sensor.grid_active_power is unavailable"
    battery_only.values[0][("Grid", "grid_power_active")] = 1.5
    await tick(hass, freezer, battery_only, DAY + STEP * 4)
    await tick(hass, freezer, battery_only, DAY + STEP * 5)
    assert caplog.text.count("usable again") == 1
    assert len(outbox_records(hass, entry.entry_id)) == 3


async def test_invalid_record_is_counted_and_logged_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    battery_only: Household,
    setup_entry: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    battery_only.values[0][("Grid", "import_price")] = 25.0  # above the schema's 20 $/kWh
    freezer.move_to(DAY - timedelta(seconds=40))
    entry = await setup_entry(battery_only)
    for index in range(3):
        await tick(hass, freezer, battery_only, DAY + STEP * index)
    status = entry.runtime_data.sampler.status
    assert status.invalid_total == 3
    assert "price_signal_seen" in (status.last_skip_reason or "")
    assert caplog.text.count("Record not kept") == 1
    assert outbox_records(hass, entry.entry_id) == []


async def test_paused_samples_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_only: Household, setup_entry: Callable[..., Any]
) -> None:
    freezer.move_to(DAY - timedelta(seconds=40))
    entry = await setup_entry(battery_only, paused=True)
    await tick(hass, freezer, battery_only, DAY)
    assert outbox_records(hass, entry.entry_id) == []
    assert hass.states.get("sensor.nem_flex_telemetry_publishing").state == "paused"


async def test_sensors_start_unknown_and_upload_fields_filled_by_transport(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_only: Household, setup_entry: Callable[..., Any]
) -> None:
    freezer.move_to(DAY - timedelta(seconds=40))
    entry = await setup_entry(battery_only)
    assert hass.states.get("sensor.nem_flex_telemetry_last_sample").state == "unknown"
    assert hass.states.get("sensor.nem_flex_telemetry_last_upload").state == "unknown"
    assert hass.states.get("sensor.nem_flex_telemetry_last_upload_status").state == "unknown"
    assert hass.states.get("sensor.nem_flex_telemetry_publishing").state == "active"
    await tick(hass, freezer, battery_only, DAY)
    assert hass.states.get("sensor.nem_flex_telemetry_records_waiting").state == "1"
    outbox = entry.runtime_data.outbox
    pending = await hass.async_add_executor_job(outbox.pending, 100)
    await hass.async_add_executor_job(outbox.acknowledge, pending[-1]["interval_start_utc"])
    entry.runtime_data.sampler.async_set_upload_result(DAY + STEP, "committed 1 record", needs_attention=False)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.nem_flex_telemetry_records_waiting").state == "0"
    assert hass.states.get("sensor.nem_flex_telemetry_last_upload").state == "2026-11-22T00:05:00+00:00"
    assert hass.states.get("sensor.nem_flex_telemetry_last_upload_status").state == "committed 1 record"
    entry.runtime_data.sampler.async_set_upload_result(DAY + STEP, "token revoked", needs_attention=True)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.nem_flex_telemetry_publishing").state == "needs_attention"


async def test_repair_issues(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_only: Household, setup_entry: Callable[..., Any]
) -> None:
    freezer.move_to(DAY - timedelta(seconds=40))
    entry = await setup_entry(battery_only)
    issues = ir.async_get(hass)
    status_entity = battery_only.mapping["optimizer_status"]
    battery_only.values[0][("Optimizer", "network_optimization_status")] = "failed"
    for index in range(12):
        await tick(hass, freezer, battery_only, DAY + STEP * index)
    assert issues.async_get_issue(DOMAIN, f"haeo_failing_{entry.entry_id}") is None  # 55 minutes
    await tick(hass, freezer, battery_only, DAY + STEP * 12)
    issue = issues.async_get_issue(DOMAIN, f"haeo_failing_{entry.entry_id}")
    assert issue is not None and issue.translation_placeholders == {"entity": status_entity}
    assert hass.states.get("sensor.nem_flex_telemetry_publishing").state == "needs_attention"
    battery_only.values[0][("Optimizer", "network_optimization_status")] = "success"
    await tick(hass, freezer, battery_only, DAY + STEP * 13)
    assert issues.async_get_issue(DOMAIN, f"haeo_failing_{entry.entry_id}") is None
    # A mapped entity removed from HA.
    entry.runtime_data.sampler.entry  # noqa: B018
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "mapping": {**entry.options["mapping"], "grid_power": "sensor.gone"}}
    )
    await hass.async_block_till_done()
    await tick(hass, freezer, battery_only, DAY + STEP * 14)
    issue = issues.async_get_issue(DOMAIN, f"mapped_entity_gone_{entry.entry_id}")
    assert issue is not None and issue.translation_placeholders == {"entities": "sensor.gone"}


async def test_haeo_not_found_issue_until_haeo_appears(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_only: Household
) -> None:
    registry = er.async_get(hass)
    removed = list(battery_only.hubs[0].entities.values())
    for entity_id in removed:
        registry.async_remove(entity_id)
    freezer.move_to(DAY - timedelta(seconds=40))
    entry = battery_only.entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue_id = f"haeo_not_found_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get("sensor.nem_flex_telemetry_publishing").state == "needs_attention"
    battery_only.hubs = [add_hub(hass, STANDARD_ELEMENTS)]  # HAEO installed; same entity ids again
    await tick(hass, freezer, battery_only, DAY)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert len(outbox_records(hass, entry.entry_id)) == 1


async def test_unload_leaves_nothing_running(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_only: Household, setup_entry: Callable[..., Any]
) -> None:
    freezer.move_to(DAY - timedelta(seconds=40))
    entry = await setup_entry(battery_only)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    await tick(hass, freezer, battery_only, DAY)
    assert outbox_records(hass, entry.entry_id) == []
    assert hass.states.get("sensor.nem_flex_telemetry_publishing").state == "unavailable"
    # Removing the entry deletes its outbox (entry.async_remove_entry; see the report about __init__).
    directory = Path(hass.config.path(".storage", DOMAIN, entry.entry_id))
    assert await hass.async_add_executor_job(directory.exists)
    await entry_module.async_remove_entry(hass, entry)
    assert not await hass.async_add_executor_job(directory.exists)
