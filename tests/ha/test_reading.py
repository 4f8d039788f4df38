"""Reading HAEO's values as a real HAEO publishes them: float noise, units, v0.3 staleness, EV evidence, dual signs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from custom_components.nem_flex_telemetry.builder import EvMemory, Identity, SkipInterval, build_record
from custom_components.nem_flex_telemetry.record import canonical_json, canonical_record, validate
from custom_components.nem_flex_telemetry.sampler import preview
from custom_components.nem_flex_telemetry.units import UnitError, to_kw, to_kwh, to_per_kwh

from .conftest import Household

IDENTITY = Identity("QLD1", "410")
INTERVAL = datetime(2026, 11, 22, 3, 5, tzinfo=UTC)
FULL = 100.00000000000003  # HAEO's state of charge of a full battery: (energy + floor) / capacity x 100


def build(hass: HomeAssistant, household: Household, memory: EvMemory | None = None) -> dict[str, Any]:
    record = build_record(hass, IDENTITY, household.mapping, household.assets, INTERVAL, memory or EvMemory())
    assert validate(canonical_record(record)) == []
    return canonical_record(record)


def set_attributes(hass: HomeAssistant, entity_id: str, state: str | None = None, **changes: Any) -> None:
    current = hass.states.get(entity_id)
    assert current
    attributes = {key: value for key, value in {**current.attributes, **changes}.items() if value is not None}
    hass.states.async_set(entity_id, current.state if state is None else state, attributes)


# Tolerance before range checks ---------------------------------------------------------------
@pytest.mark.parametrize(("soc", "published"), [(FULL, 100.0), (-1e-9, 0.0), (100.009, 100.0), (-0.0099, 0.0)])
async def test_float_noise_on_state_of_charge_is_clamped(
    hass: HomeAssistant, battery_only: Household, soc: float, published: float
) -> None:
    battery_only.values[0][("Battery", "battery_state_of_charge")] = soc
    battery_only.values[0][("Battery", "battery_power_active")] = 0.0
    battery_only.values[0][("Grid", "grid_power_active")] = -0.5
    battery_only.publish(hass)
    battery = build(hass, battery_only)["assets"][0]
    assert battery["soc_pct"] == published
    if published == 100.0:
        assert battery["available_up_kw"] == 0.0  # full: counts as full, not as room to charge
    else:
        assert battery["available_down_kw"] == 0.0  # empty: nothing to discharge


async def test_float_noise_on_powers_is_clamped(hass: HomeAssistant, battery_only: Household) -> None:
    battery_only.values[0][("Solar", "solar_power")] = -1e-9  # HAEO's LP at night
    battery_only.values[0][("House Load", "load_power")] = 2.5 - 1e-12
    battery_only.publish(hass)
    record = build(hass, battery_only)
    assert (record["solar_kw"], record["house_load_kw"]) == (0.0, 2.5)


async def test_consent_preview_builds_while_the_battery_is_full(hass: HomeAssistant, battery_only: Household) -> None:
    battery_only.values[0][("Battery", "battery_state_of_charge")] = FULL
    battery_only.values[0][("Battery", "battery_power_active")] = 1.0  # full, discharging 1 kW
    battery_only.values[0][("Grid", "grid_power_active")] = -1.5
    battery_only.publish(hass)
    line, reason = preview(hass, IDENTITY, battery_only.mapping, battery_only.assets)
    assert reason is None
    assert line is not None
    battery = json.loads(line)["assets"][0]
    assert (battery["soc_pct"], battery["available_up_kw"]) == (100.0, 1.0)  # it can stop discharging


async def test_departure_target_noise_is_clamped_and_nonsense_nulled(
    hass: HomeAssistant, battery_and_ev: Household
) -> None:
    battery_and_ev.assets[1]["departure_target_entity"] = "number.ev_target"
    hass.states.async_set("number.ev_target", str(FULL))
    assert build(hass, battery_and_ev)["assets"][1]["departure_target_pct"] == 100.0
    hass.states.async_set("number.ev_target", "100.5")
    assert build(hass, battery_and_ev)["assets"][1]["departure_target_pct"] is None


# EV availability needs evidence that the car is home -------------------------------------------
async def test_ev_without_plug_sensor_adds_no_flexibility(hass: HomeAssistant, battery_and_ev: Household) -> None:
    """HAEO publishes the EV load's plan and dual whether or not the car is there."""
    with_plug = build(hass, battery_and_ev)
    del battery_and_ev.assets[1]["plug_entity"]
    without = build(hass, battery_and_ev)
    ev = without["assets"][1]
    assert (ev["connection_state"], ev["power_flow_capability"]) == ("unplugged", "none")
    assert (ev["available_up_kw"], ev["available_down_kw"]) == (0.0, 0.0)
    assert ev["setpoint_kw"] == 4.0  # HAEO's planned charging is still reported as it was planned
    assert ev["shadow_power_balance_price"] == 0.06  # and so is its dual
    battery = with_plug["assets"][0]
    assert without["flex_available_up_kw"] == min(battery["available_up_kw"], 15 - 5.5)
    assert without["flex_available_down_kw"] == min(battery["available_down_kw"], 5 + 5.5)
    assert with_plug["flex_available_up_kw"] > without["flex_available_up_kw"]
    assert with_plug["flex_available_down_kw"] > without["flex_available_down_kw"]


async def test_home_charger_sensor_is_evidence(hass: HomeAssistant, battery_and_ev: Household) -> None:
    del battery_and_ev.assets[1]["plug_entity"]
    battery_and_ev.assets[1]["charging_entity"] = "binary_sensor.wallbox_charging"
    hass.states.async_set("binary_sensor.wallbox_charging", "on")
    ev = build(hass, battery_and_ev)["assets"][1]
    assert (ev["connection_state"], ev["available_up_kw"], ev["available_down_kw"]) == ("charging", 3.0, 4.0)
    hass.states.async_set("binary_sensor.wallbox_charging", "off")
    ev = build(hass, battery_and_ev)["assets"][1]
    assert (ev["connection_state"], ev["available_up_kw"]) == ("unplugged", 0.0)


# Units ----------------------------------------------------------------------------------------
def test_conversion_table() -> None:
    assert (to_kw(5000, "W"), to_kw(5, "kW"), to_kw(0.005, "MW")) == (5.0, 5.0, 5.0)
    assert (to_kwh(13500, "Wh"), to_kwh(13.5, "kWh"), to_kwh(0.0135, "MWh")) == (13.5, 13.5, 13.5)
    assert to_per_kwh(30, "c/kWh") == pytest.approx(0.3)
    assert to_per_kwh(30, "¢/kWh") == pytest.approx(0.3)
    assert to_per_kwh(300, "AUD/MWh") == pytest.approx(0.3)
    assert to_per_kwh(0.3, "$/kWh") == to_per_kwh(0.3, "€/kWh") == to_per_kwh(0.3, None) == 0.3
    for bad_power in (None, "", "kWh", "A"):
        with pytest.raises(UnitError, match="not a power"):
            to_kw(1.0, bad_power)
    with pytest.raises(UnitError, match="not an energy"):
        to_kwh(1.0, "kW")
    with pytest.raises(UnitError, match="not a price"):
        to_per_kwh(1.0, "kW")


async def test_limit_entities_are_converted(hass: HomeAssistant, battery_only: Household) -> None:
    battery_only.mapping |= {"import_limit": "number.doe_import", "export_limit": "sensor.doe_export"}
    hass.states.async_set("number.doe_import", "5000", {"unit_of_measurement": "W"})  # 5,000 W is 5 kW
    hass.states.async_set("sensor.doe_export", "0.0015", {"unit_of_measurement": "MW"})
    record = build(hass, battery_only)
    assert (record["envelope_import_limit_kw"], record["envelope_export_limit_kw"]) == (5.0, 1.5)
    assert record["flex_available_up_kw"] == 3.0  # min(3, 5 - 1.5)
    hass.states.async_set("number.doe_import", "5000")  # a power without a unit is not guessed
    with pytest.raises(SkipInterval, match=r"number.doe_import has unit None, not a power"):
        build(hass, battery_only)
    hass.states.async_set("number.doe_import", "250", {"unit_of_measurement": "kW"})
    with pytest.raises(SkipInterval, match=r"import limit, kW\) 250 is outside 0 to 200"):
        build(hass, battery_only)


async def test_price_units(hass: HomeAssistant, battery_only: Household) -> None:
    price = battery_only.mapping["import_price"]
    set_attributes(hass, price, "0.31", unit_of_measurement=None)  # HAEO's price numbers carry no unit
    assert build(hass, battery_only)["price_signal_seen"] == 0.31
    hass.states.async_set(price, "31.5", {"unit_of_measurement": "c/kWh"})  # e.g. a retailer's sensor in cents
    assert build(hass, battery_only)["price_signal_seen"] == 0.315
    hass.states.async_set(price, "31.5", {"unit_of_measurement": "kW"})
    with pytest.raises(SkipInterval, match="not a price"):
        build(hass, battery_only)


# Staleness of HAEO v0.3 outputs (no source_role) ----------------------------------------------
async def test_v03_outputs_go_stale(
    hass: HomeAssistant, two_hubs_legacy: Household, freezer: FrozenDateTimeFactory
) -> None:
    grid = two_hubs_legacy.mapping["grid_power"]
    for hub, values in zip(two_hubs_legacy.hubs, two_hubs_legacy.values, strict=True):
        for key in values:
            if key[1] not in ("network_optimization_status", "import_price", "export_price"):
                set_attributes(hass, hub.id(*key), source_role=None)  # v0.3.x: no source_role
    assert "source_role" not in hass.states.get(grid).attributes  # type: ignore[union-attr]
    assert build(hass, two_hubs_legacy)["net_import_kw"] == 0.5
    freezer.tick(timedelta(minutes=16))
    with pytest.raises(SkipInterval, match=r"is stale \(not reported for 16 min\)"):
        build(hass, two_hubs_legacy)


async def test_haeo_sensor_without_output_attributes_goes_stale(
    hass: HomeAssistant, battery_only: Household, freezer: FrozenDateTimeFactory
) -> None:
    """Identified by its registry entry (platform haeo, a sensor) when no attribute says so."""
    grid = battery_only.mapping["grid_power"]
    hass.states.async_set(grid, "1.5", {"unit_of_measurement": "kW"})
    freezer.tick(timedelta(minutes=16))
    battery_only.values[0].pop(("Grid", "grid_power_active"))
    battery_only.publish(hass)  # the rest of HAEO stays fresh
    with pytest.raises(SkipInterval, match=f"{grid} is stale"):
        build(hass, battery_only)


async def test_other_inputs_never_go_stale(
    hass: HomeAssistant, battery_only: Household, freezer: FrozenDateTimeFactory
) -> None:
    battery_only.mapping |= {"import_limit": "sensor.doe_import"}
    hass.states.async_set("sensor.doe_import", "10", {"unit_of_measurement": "kW"})  # not HAEO's
    freezer.tick(timedelta(hours=3))
    battery_only.publish(hass)  # HAEO fresh; the envelope sensor and prices 3 h old
    hass.states.async_set(battery_only.mapping["import_price"], "0.3", {"unit_of_measurement": "$/kWh"})
    assert build(hass, battery_only)["envelope_import_limit_kw"] == 10.0


# Asset duals in one sign convention -----------------------------------------------------------
async def test_asset_duals_share_the_switchboards_sign(hass: HomeAssistant, battery_and_ev: Household) -> None:
    """HAEO main, scenario 1 at its first period: Switchboard 0.06, battery -0.058, a fixed load 0.06."""
    record = build(hass, battery_and_ev)
    battery, ev = record["assets"]
    assert record["shadow_energy_price"] == 0.06
    assert battery["shadow_power_balance_price"] == 0.058  # HAEO's battery row has the opposite sign
    assert ev["shadow_power_balance_price"] == 0.06  # a fixed load's forecast limit: already that sign
    assert all(value > 0 for value in (record["shadow_energy_price"], battery["shadow_power_balance_price"]))


async def test_asset_duals_of_unknown_meaning_are_null(hass: HomeAssistant, battery_and_ev: Household) -> None:
    ev_power = battery_and_ev.assets[1]["power_entity"]
    set_attributes(hass, ev_power, fixed=False)  # HAEO >= 0.4: a curtailable load's limit is an inequality
    assert build(hass, battery_and_ev)["assets"][1]["shadow_power_balance_price"] is None
    set_attributes(hass, ev_power, fixed=True)
    assert build(hass, battery_and_ev)["assets"][1]["shadow_power_balance_price"] == 0.06
    battery_and_ev.assets[0]["dual_entity"] = "sensor.some_other_price"  # not a HAEO dual: sign unknown
    hass.states.async_set("sensor.some_other_price", "0.2", {"unit_of_measurement": "$/kWh"})
    assert build(hass, battery_and_ev)["assets"][0]["shadow_power_balance_price"] is None


async def test_asset_dual_source_from_registry_when_attributes_lack_it(
    hass: HomeAssistant, battery_only: Household
) -> None:
    dual = battery_only.assets[0]["dual_entity"]
    set_attributes(hass, dual, output_name=None)
    assert build(hass, battery_only)["assets"][0]["shadow_power_balance_price"] == 0.058  # translation key


async def test_canonical_line_of_a_full_battery_is_valid(hass: HomeAssistant, battery_only: Household) -> None:
    battery_only.values[0][("Battery", "battery_state_of_charge")] = FULL
    battery_only.publish(hass)
    record = build_record(hass, IDENTITY, battery_only.mapping, battery_only.assets, INTERVAL, EvMemory())
    assert json.loads(canonical_json(record))["assets"][0]["soc_pct"] == 100.0
