"""Diagnostics redact secrets; the preview action returns the record that would be published."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.nem_flex_telemetry.const import DOMAIN
from custom_components.nem_flex_telemetry.diagnostics import async_get_config_entry_diagnostics

from .conftest import HOUSEHOLD_ID, Household

NOW = datetime(2026, 11, 22, 3, 7, tzinfo=UTC)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format in tests/ha/snapshots, whichever HA version runs the tests."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


async def test_diagnostics_redact_token_household_id_and_login(
    hass: HomeAssistant,
    battery_only: Household,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    freezer.move_to(NOW)
    battery_only.publish(hass)
    entry = battery_only.entry()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "token": "gho_SECRET_TOKEN_VALUE", "login": "household-login"}
    )
    # A household's own data repository carries its login as the owner.
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "repository": "household-login/nem-flex-telemetry-data"}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await entry.runtime_data.sampler.async_sample(NOW)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    text = json.dumps(diagnostics)
    assert "gho_SECRET_TOKEN_VALUE" not in text
    assert HOUSEHOLD_ID not in text
    assert "household-login" not in text
    assert diagnostics["data"]["login"] == "**REDACTED**"
    assert diagnostics["options"]["repository"] == "**REDACTED**/nem-flex-telemetry-data"
    assert diagnostics == snapshot


async def test_preview_action_returns_record(
    hass: HomeAssistant, battery_only: Household, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(NOW)
    battery_only.publish(hass)
    entry = battery_only.entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    response = await hass.services.async_call(DOMAIN, "preview_record", {}, blocking=True, return_response=True)
    assert response is not None
    assert response["record"]["interval_start_utc"] == "2026-11-22T03:05:00Z"
    assert json.loads(str(response["canonical_json"])) == response["record"]
    assert entry.runtime_data.outbox.pending_count() == 0  # a preview is never kept
    hass.states.async_set(battery_only.mapping["grid_power"], "unavailable")
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "preview_record", {}, blocking=True, return_response=True)
    assert err.value.translation_key == "preview_failed"
    freezer.tick(timedelta(seconds=1))
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "preview_record", {"config_entry_id": "other"}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "entry_not_loaded"
