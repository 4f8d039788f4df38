"""The reading rules on HAEO's real layouts (v0.3.3, v0.4.1, main): the fixtures in haeo_fixtures/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from custom_components.nem_flex_telemetry.builder import EvMemory, Identity, SkipInterval, build_record
from custom_components.nem_flex_telemetry.const import SUPPORTED_HAEO_VERSIONS
from custom_components.nem_flex_telemetry.record import canonical_record, validate

from .haeo_fixtures import Installed, InstalledHub, install, publish

IDENTITY = Identity("NSW1", "200")
INTERVAL = datetime(2026, 11, 22, 3, 5, tzinfo=UTC)
FULL = "100.00000000000003"
EV_SOC = "sensor.ev_battery_level"


def _inputs(version: str) -> dict[str, str]:
    """HAEO's own grid inputs: v0.3 names them by meaning, v0.4 by direction."""
    if version == "v0.3.3":
        return {"import_price": "import_price", "export_price": "export_price", "import_limit": "import_limit"}
    return {
        "import_price": "price_source_target",
        "export_price": "price_target_source",
        "import_limit": "max_power_source_target",
    }


def _mapping(hub: InstalledHub, version: str) -> dict[str, Any]:
    inputs = _inputs(version)
    return {
        "grid_power": hub.id("Grid", "grid_power_active"),
        "solar_powers": [hub.id("Solar", "solar_power")],
        "load_powers": [hub.id("Constant Load", "load_power")],
        "import_price": hub.id("Grid", inputs["import_price"]),
        "export_price": hub.id("Grid", inputs["export_price"]),
        "import_limit": hub.id("Grid", inputs["import_limit"]),
        "export_limit_kw": 30.0,
        "energy_dual": hub.id("Switchboard", "node_power_balance"),
        "solar_forecast_dual": hub.id("Solar", "solar_forecast_limit"),
    }


def _battery(hub: InstalledHub) -> dict[str, Any]:
    return {
        "asset_id": "battery",
        "kind": "stationary_battery",
        "capacity_kwh": 32.2,
        "bidirectional": True,
        "max_charge_kw": 16.8,
        "max_discharge_kw": 19.2,
        "power_entity": hub.id("Battery", "battery_power_active"),
        "power_sign": "discharge_positive",
        "soc_entity": hub.id("Battery", "battery_state_of_charge"),
        "dual_entity": hub.id("Battery", "battery_power_balance"),
    }


def _ev(hub: InstalledHub) -> dict[str, Any]:
    return {
        "asset_id": "ev1",
        "kind": "ev",
        "capacity_kwh": 60.0,
        "bidirectional": False,
        "max_charge_kw": 7.0,
        "power_entity": hub.id("EV Charger", "load_power"),
        "power_sign": "charge_positive",
        "soc_entity": EV_SOC,
        "dual_entity": hub.id("EV Charger", "load_forecast_limit_price"),
    }


def _build(hass: HomeAssistant, installed: Installed, assets: list[dict[str, Any]]) -> dict[str, Any]:
    mapping = _mapping(installed.hub, installed.version)
    record = build_record(hass, IDENTITY, mapping, assets, INTERVAL, EvMemory())
    assert validate(canonical_record(record)) == []
    return canonical_record(record)


@pytest.mark.parametrize("version", SUPPORTED_HAEO_VERSIONS)
async def test_full_battery_publishes(hass: HomeAssistant, version: str) -> None:
    installed = install(hass, version, "household")
    publish(hass, installed, {("Battery", "battery_state_of_charge"): FULL})
    record = _build(hass, installed, [_battery(installed.hub)])
    battery = record["assets"][0]
    assert battery["soc_pct"] == 100.0
    discharging = float(installed.hub.states[("Battery", "battery_power_active")]["state"])  # 19.39 or 19.4 kW
    assert battery["available_up_kw"] == discharging  # full and discharging: only stopping is left


@pytest.mark.parametrize("version", SUPPORTED_HAEO_VERSIONS)
async def test_haeo_inputs_read_with_their_units(hass: HomeAssistant, version: str) -> None:
    installed = install(hass, version, "household")
    record = _build(hass, installed, [_battery(installed.hub)])
    # HAEO's price numbers carry no unit: $/kWh; its import limit number is in kW.
    assert (record["price_signal_seen"], record["price_export_seen"]) == (0.15, 0.06)
    assert record["envelope_import_limit_kw"] == 55.0
    limit = installed.hub.id("Grid", _inputs(version)["import_limit"])
    state = hass.states.get(limit)
    assert state
    hass.states.async_set(limit, "5000", {**state.attributes, "unit_of_measurement": "W"})
    assert _build(hass, installed, [_battery(installed.hub)])["envelope_import_limit_kw"] == 5.0


@pytest.mark.parametrize("version", SUPPORTED_HAEO_VERSIONS)
async def test_outputs_go_stale_inputs_do_not(
    hass: HomeAssistant, version: str, freezer: FrozenDateTimeFactory
) -> None:
    installed = install(hass, version, "household")
    assets = [_battery(installed.hub)]
    freezer.tick(timedelta(minutes=16))
    with pytest.raises(SkipInterval, match="is stale"):  # v0.3.3's outputs have no source_role
        _build(hass, installed, assets)
    freezer.tick(timedelta(hours=3))
    # HAEO ran again; only its sensors are rewritten, its input numbers (prices, limits) sit 3 h old.
    for key, spec in installed.hub.states.items():
        entity_id = installed.hub.id(*key)
        if entity_id.startswith("sensor."):
            current = hass.states.get(entity_id)
            assert current
            hass.states.async_set(entity_id, spec["state"], current.attributes, force_update=True)
    assert _build(hass, installed, assets)["price_signal_seen"] == 0.15


@pytest.mark.parametrize("version", SUPPORTED_HAEO_VERSIONS)
async def test_ev_without_plug_sensor_adds_no_flexibility(hass: HomeAssistant, version: str) -> None:
    """HAEO publishes the EV load's 7 kW plan and its dual whether or not the car is home."""
    installed = install(hass, version, "household")
    hass.states.async_set(EV_SOC, "40", {"unit_of_measurement": "%"})
    alone = _build(hass, installed, [_battery(installed.hub)])
    record = _build(hass, installed, [_battery(installed.hub), _ev(installed.hub)])
    ev = record["assets"][1]
    assert (ev["connection_state"], ev["power_flow_capability"]) == ("unplugged", "none")
    assert (ev["available_up_kw"], ev["available_down_kw"]) == (0.0, 0.0)
    assert (record["flex_available_up_kw"], record["flex_available_down_kw"]) == (
        alone["flex_available_up_kw"],
        alone["flex_available_down_kw"],
    )
    plugged = _ev(installed.hub) | {"plug_entity": "binary_sensor.ev_plugged_in"}
    hass.states.async_set("binary_sensor.ev_plugged_in", "on", {"device_class": "plug"})
    ev = _build(hass, installed, [_battery(installed.hub), plugged])["assets"][1]
    assert (ev["connection_state"], ev["available_down_kw"]) == ("charging", 7.0)


@pytest.mark.parametrize("version", ["v0.3.3", "main"])
async def test_battery_dual_in_the_switchboards_sign(hass: HomeAssistant, version: str) -> None:
    """HAEO's snapshots of these versions: the battery's row reads opposite to the Switchboard's."""
    installed = install(hass, version, "household")
    raw_battery = float(installed.hub.states[("Battery", "battery_power_balance")]["state"])
    record = _build(hass, installed, [_battery(installed.hub)])
    battery_dual = record["assets"][0]["shadow_power_balance_price"]
    assert raw_battery < 0 < record["shadow_energy_price"]
    assert battery_dual > 0  # normalised
    assert battery_dual == pytest.approx(0.058 if version == "main" else 0.036, abs=1e-3)


@pytest.mark.parametrize("version", SUPPORTED_HAEO_VERSIONS)
async def test_ev_load_dual_by_its_constraint(hass: HomeAssistant, version: str) -> None:
    """v0.3 loads are always fixed (an equality); the v0.4 fixture's EV charger is curtailable (fixed: false)."""
    installed = install(hass, version, "household")
    hass.states.async_set(EV_SOC, "40", {"unit_of_measurement": "%"})
    record = _build(hass, installed, [_battery(installed.hub), _ev(installed.hub)])
    ev_dual = record["assets"][1]["shadow_power_balance_price"]
    if version == "v0.3.3":
        assert ev_dual == pytest.approx(record["shadow_energy_price"])
    else:
        assert ev_dual is None
