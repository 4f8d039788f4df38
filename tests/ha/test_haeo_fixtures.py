"""The HAEO fixtures: one per supported HAEO version, installed into a real HA as HAEO lays it out."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from custom_components.nem_flex_telemetry.const import SUPPORTED_HAEO_VERSIONS
from custom_components.nem_flex_telemetry.discovery import device_subentry

from .haeo_fixtures import fixture_path, install, load


@pytest.mark.parametrize("version", SUPPORTED_HAEO_VERSIONS)
def test_every_supported_haeo_version_has_a_fixture(version: str) -> None:
    assert fixture_path(version).exists(), f"HAEO {version} is supported but has no fixture (see docs/HAEO.md)"
    fixture = load(version)
    assert fixture["haeo_version"] == version
    assert len(fixture["derived_from"]["commit"]) == 40
    assert {"scenario1", "household", "two_hubs"} <= set(fixture["scenarios"])


def test_no_fixture_without_a_supported_version() -> None:
    on_disk = {path.stem for path in fixture_path("x").parent.glob("*.json")}
    assert on_disk == {fixture_path(version).stem for version in SUPPORTED_HAEO_VERSIONS}


@pytest.mark.parametrize("version", SUPPORTED_HAEO_VERSIONS)
async def test_installed_layout_is_haeos(hass: HomeAssistant, version: str) -> None:
    installed = install(hass, version, "two_hubs")
    home, flat = installed.hubs
    registry = er.async_get(hass)
    grid_power = registry.async_get(home.id("Grid", "grid_power_active"))
    assert grid_power is not None
    assert grid_power.entity_id == "sensor.grid_active_power"
    assert grid_power.unique_id.endswith("_grid_grid_power_active")
    assert grid_power.config_subentry_id is None  # HAEO adds entities without a subentry
    device = dr.async_get(hass).async_get(grid_power.device_id or "")
    assert device is not None and device.name == "Grid"
    grid_subentry = next(s.subentry_id for s in home.entry.subentries.values() if s.title == "Grid")
    owner = getattr(device, "config_entry_id", None) or device.primary_config_entry  # HA 2026.10 / 2026.1
    assert (owner, device_subentry(device)) == (home.entry.entry_id, grid_subentry)
    # The second hub's Optimizer collides with the first one's: HA adds a suffix.
    assert flat.id("System", "network_optimization_status") == "sensor.optimizer_status_2"
    import_price = hass.states.get(home.id("Grid", "price_source_target" if version != "v0.3.3" else "import_price"))
    assert import_price is not None and "unit_of_measurement" not in import_price.attributes
