"""Records built from known HAEO states equal hand-computed records; bad inputs null or skip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.nem_flex_telemetry.builder import (
    EvMemory,
    Identity,
    SkipInterval,
    build_record,
    period_hours,
)
from custom_components.nem_flex_telemetry.record import canonical_record, validate

from .conftest import Household

IDENTITY = Identity("QLD1", "410")
INTERVAL = datetime(2026, 11, 22, 3, 5, tzinfo=UTC)


def build(hass: HomeAssistant, household: Household, memory: EvMemory | None = None, **kwargs: Any) -> dict[str, Any]:
    record = build_record(hass, IDENTITY, household.mapping, household.assets, INTERVAL, memory or EvMemory(), **kwargs)
    assert validate(canonical_record(record)) == []
    return canonical_record(record)


BATTERY = {
    "asset_id": "battery",
    "kind": "stationary_battery",
    "bidirectional_capable": True,
    "capacity_kwh": 13.5,
    "soc_pct": 56.0,
    "setpoint_kw": 2.0,  # HAEO active -2.0 = charging 2 kW
    "available_up_kw": 3.0,  # 5 max charge - 2
    "available_down_kw": 7.0,  # 2 + 5 max discharge
    "shadow_power_balance_price": 0.058,  # HAEO's -0.058 in the Switchboard's sign
}


async def test_battery_only_record_is_hand_computed(hass: HomeAssistant, battery_only: Household) -> None:
    assert build(hass, battery_only) == {
        "schema_version": "2.0",
        "interval_start_utc": "2026-11-22T03:05:00Z",
        "region": "QLD1",
        "postcode_prefix": "410",
        "net_import_kw": 1.5,
        "solar_kw": 3.0,
        "house_load_kw": 2.5,
        "deferrable_load_kw": 0.0,
        "naive_baseline_kw": -0.5,  # 1.5 - 2.0 (battery removed)
        "naive_baseline_method": "subtraction",
        "price_signal_seen": 0.3,
        "price_export_seen": 0.05,
        "envelope_import_limit_kw": 15.0,
        "envelope_export_limit_kw": 5.0,
        "flex_available_up_kw": 3.0,  # min(3, 15 - 1.5)
        "flex_available_down_kw": 6.5,  # min(7, 5 + 1.5)
        "shadow_energy_price": 0.06,
        "shadow_load_forecast_price": 0.06,
        "shadow_solar_forecast_price": -0.06,
        "shadow_envelope_import_price": 0.0,
        "shadow_envelope_export_price": 0.0,
        "assets": [BATTERY],
        "deferrable_loads": [],
    }


async def test_ev_as_load(hass: HomeAssistant, battery_and_ev: Household) -> None:
    record = build(hass, battery_and_ev)
    assert record["house_load_kw"] == 2.5  # the EV charger's 4 kW is not house load
    assert record["naive_baseline_kw"] == 3.5  # 5.5 - battery 2.0; EV charging kept
    assert record["assets"][1] == {
        "asset_id": "ev1",
        "kind": "ev",
        "bidirectional_capable": False,
        "capacity_kwh": 60.0,
        "soc_pct": 40.0,
        "setpoint_kw": 4.0,
        "available_up_kw": 3.0,
        "available_down_kw": 4.0,  # can stop charging, cannot discharge
        "shadow_power_balance_price": 0.06,
        "connection_state": "charging",
        "power_flow_capability": "charge_only",
        "departure_target_pct": None,
        "departure_time_utc": None,
    }
    assert record["flex_available_up_kw"] == 6.0  # min(3 + 3, 15 - 5.5)
    assert record["flex_available_down_kw"] == 10.5  # min(7 + 4, 5 + 5.5)


async def test_unplugged_ev(hass: HomeAssistant, battery_and_ev: Household) -> None:
    hass.states.async_set("binary_sensor.ev_plugged_in", "off")
    hass.states.async_set(battery_and_ev.hubs[0].id("EV Charger", "load_power"), "unavailable")
    ev = build(hass, battery_and_ev)["assets"][1]
    assert ev["connection_state"] == "unplugged"
    assert ev["power_flow_capability"] == "none"
    assert ev["setpoint_kw"] is None
    assert (ev["available_up_kw"], ev["available_down_kw"]) == (0.0, 0.0)


async def test_ev_departure_fields(hass: HomeAssistant, battery_and_ev: Household) -> None:
    battery_and_ev.assets[1] |= {
        "departure_target_entity": "number.ev_target",
        "departure_time_entity": "sensor.ev_departure",
    }
    hass.states.async_set("number.ev_target", "80")
    hass.states.async_set("sensor.ev_departure", "2026-11-22T17:30:00+10:00")
    ev = build(hass, battery_and_ev)["assets"][1]
    assert ev["departure_target_pct"] == 80.0
    assert ev["departure_time_utc"] == "2026-11-22T07:30:00Z"
    hass.states.async_set("number.ev_target", "150")
    hass.states.async_set("sensor.ev_departure", "soon")
    ev = build(hass, battery_and_ev)["assets"][1]
    assert ev["departure_target_pct"] is None
    assert ev["departure_time_utc"] is None


@pytest.mark.parametrize(
    ("plug", "power", "soc_change", "dual", "expected"),
    [
        (None, 0.0, -2.0, 0.06, "driving"),  # no plug sensor, SOC falling fast (HAEO still publishes the dual)
        (None, 0.0, 1.5, 0.06, "unplugged"),  # SOC rising somewhere: not known to be home
        (None, 4.0, 0.0, 0.06, "unplugged"),  # HAEO plans charging whether or not the car is there
        (None, -3.0, 0.0, 0.06, "unplugged"),
        (None, 0.0, 0.0, 0.06, "unplugged"),
        (None, 0.0, 0.0, None, "unplugged"),
        ("on", 0.0, 1.5, 0.06, "charging"),  # plugged in, SOC rising
        ("on", -3.0, 0.0, 0.06, "discharging"),
        ("on", 0.0, 0.0, None, "plugged_idle"),
        ("off", 0.0, -2.0, 0.06, "unplugged"),
        ("unavailable", 0.0, -2.0, 0.06, "driving"),  # plug unknown: like no plug sensor
        ("unavailable", 4.0, 0.0, 0.06, "unplugged"),
    ],
)
async def test_ev_connection_state_inference(
    hass: HomeAssistant,
    battery_and_ev: Household,
    plug: str | None,
    power: float,
    soc_change: float,
    dual: float | None,
    expected: str,
) -> None:
    ev = battery_and_ev.assets[1]
    ev["bidirectional"] = True
    ev["max_discharge_kw"] = 7.0
    if plug is None:
        del ev["plug_entity"]
    memory = EvMemory({"ev1": (INTERVAL - timedelta(minutes=5), 40.0 - soc_change)})
    battery_and_ev.values[0][("EV Charger", "load_power")] = power
    battery_and_ev.values[0][("EV Charger", "load_forecast_limit_price")] = dual if dual is not None else "unavailable"
    battery_and_ev.values[0][("Grid", "grid_power_active")] = 1.5 + power
    battery_and_ev.publish(hass)
    if plug is not None:
        hass.states.async_set("binary_sensor.ev_plugged_in", plug)
    asset = build(hass, battery_and_ev, memory)["assets"][1]
    assert asset["connection_state"] == expected
    assert asset["power_flow_capability"] == ("none" if expected in ("driving", "unplugged") else "bidirectional")


async def test_legacy_per_kw_duals_are_converted(hass: HomeAssistant, two_hubs_legacy: Household) -> None:
    record = build(hass, two_hubs_legacy)
    assert record["shadow_energy_price"] == 0.06  # 0.005 $/kW per 5-minute period / (5/60 h)
    assert record["shadow_solar_forecast_price"] == pytest.approx(-0.72)  # -0.06 / (5/60)
    assert [a["asset_id"] for a in record["assets"]] == ["battery", "garage_battery"]
    assert record["assets"][1]["setpoint_kw"] == -1.0
    assert record["naive_baseline_kw"] == -0.5  # 0.5 - (2.0 - 1.0)


def test_period_hours_needs_two_times() -> None:
    assert period_hours(None) is None
    assert period_hours([{"time": "2026-11-22T00:00:00+00:00"}]) is None
    assert period_hours([{"time": "x"}, {"time": "y"}]) is None
    assert period_hours([{"time": "2026-11-22T00:05:00+00:00"}, {"time": "2026-11-22T00:00:00+00:00"}]) is None
    start = dt_util.utcnow()
    assert period_hours([{"time": start}, {"time": start + timedelta(minutes=30)}]) == 0.5


async def test_duals_without_period_become_null(hass: HomeAssistant, two_hubs_legacy: Household) -> None:
    entity_id = two_hubs_legacy.hubs[0].id("Switchboard", "node_power_balance")
    state = hass.states.get(entity_id)
    assert state
    hass.states.async_set(entity_id, state.state, {**state.attributes, "forecast": []})
    assert build(hass, two_hubs_legacy)["shadow_energy_price"] is None


@pytest.mark.parametrize("bad", ["unavailable", "unknown", "garbage", "nan", "inf"])
async def test_bad_dual_is_null(hass: HomeAssistant, battery_only: Household, bad: str) -> None:
    battery_only.values[0][("Switchboard", "node_power_balance")] = bad
    battery_only.values[0][("Battery", "battery_power_balance")] = bad
    battery_only.publish(hass)
    record = build(hass, battery_only)
    assert record["shadow_energy_price"] is None
    assert record["assets"][0]["shadow_power_balance_price"] is None


@pytest.mark.parametrize(
    ("key", "bad", "reason"),
    [
        (("Grid", "grid_power_active"), "unavailable", "is unavailable"),
        (("Grid", "grid_power_active"), "unknown", "is unknown"),
        (("Grid", "grid_power_active"), "garbage", "is not numeric"),
        (("Grid", "grid_power_active"), "nan", "is not finite"),
        (("Solar", "solar_power"), "-1.0", r"solar power \(kW\) -1 is outside 0 to 200"),
        (("Solar", "solar_power"), "-0.011", r"solar power \(kW\) -0.011 is outside"),  # beyond the tolerance
        (("Grid", "import_price"), "unavailable", "is unavailable"),
        (("Battery", "battery_state_of_charge"), "unavailable", "is unavailable"),
        (("Battery", "battery_state_of_charge"), "120", "state of charge .* 120 is outside 0 to 100"),
        (("Battery", "battery_state_of_charge"), "100.011", "100.011 is outside 0 to 100"),
        (("Battery", "battery_power_active"), "unavailable", "baseline needs it"),
    ],
)
async def test_bad_required_input_skips(
    hass: HomeAssistant, battery_only: Household, key: tuple[str, str], bad: str, reason: str
) -> None:
    battery_only.values[0][key] = bad
    battery_only.publish(hass)
    with pytest.raises(SkipInterval, match=reason):
        build(hass, battery_only)


async def test_missing_entity_and_unmapped_inputs_skip(hass: HomeAssistant, battery_only: Household) -> None:
    mapping = battery_only.mapping
    for change, reason in [
        ({"grid_power": "sensor.nope"}, "does not exist"),
        ({"grid_power": None}, "no grid power is mapped"),
        ({"import_price": None}, "no import or export price"),
        ({"import_limit_kw": None}, "no import limit"),
    ]:
        battery_only.mapping = {**mapping, **change}
        with pytest.raises(SkipInterval, match=reason):
            build(hass, battery_only)


async def test_stale_haeo_output_skips(
    hass: HomeAssistant, battery_only: Household, freezer: FrozenDateTimeFactory
) -> None:
    freezer.tick(timedelta(minutes=16))  # HAEO wrote nothing for 16 minutes
    with pytest.raises(SkipInterval, match="is stale"):
        build(hass, battery_only)
    battery_only.publish(hass)  # HAEO ran again (same values: only last_reported moves)
    assert build(hass, battery_only)["net_import_kw"] == 1.5


async def test_prices_may_sit_still(
    hass: HomeAssistant, battery_only: Household, freezer: FrozenDateTimeFactory
) -> None:
    freezer.tick(timedelta(hours=2))
    values = {k: v for k, v in battery_only.values[0].items() if not k[1].endswith("_price") or "max" in k[1]}
    battery_only.values[0] = values
    battery_only.publish(hass)  # every HAEO output fresh, the price numbers 2 h old
    assert build(hass, battery_only)["price_signal_seen"] == 0.3


async def test_units_are_converted(hass: HomeAssistant, battery_only: Household) -> None:
    grid = battery_only.mapping["grid_power"]
    state = hass.states.get(grid)
    assert state
    hass.states.async_set(grid, "1500", {**state.attributes, "unit_of_measurement": "W"})
    price = battery_only.mapping["import_price"]
    hass.states.async_set(price, "30", {"unit_of_measurement": "c/kWh"})
    hass.states.async_set(battery_only.mapping["export_price"], "50", {"unit_of_measurement": "$/MWh"})
    record = build(hass, battery_only)
    assert (record["net_import_kw"], record["price_signal_seen"], record["price_export_seen"]) == (1.5, 0.3, 0.05)
    for unit in ("kWh", None):
        hass.states.async_set(grid, "1500", {**state.attributes, "unit_of_measurement": unit})
        with pytest.raises(SkipInterval, match="not a power"):
            build(hass, battery_only)


async def test_limits_from_entities_and_full_empty_battery(hass: HomeAssistant, battery_only: Household) -> None:
    battery_only.mapping |= {"import_limit": "number.dnsp_import", "export_limit": "number.dnsp_export"}
    hass.states.async_set("number.dnsp_import", "10", {"unit_of_measurement": "kW"})
    # A signed export limit in W (as a DNSP's envelope sensor may report it) is published in kW as a magnitude.
    hass.states.async_set("number.dnsp_export", "-1500", {"unit_of_measurement": "W"})
    record = build(hass, battery_only)
    assert (record["envelope_import_limit_kw"], record["envelope_export_limit_kw"]) == (10.0, 1.5)
    battery_only.values[0][("Battery", "battery_state_of_charge")] = 100.0
    battery_only.publish(hass)
    battery = build(hass, battery_only)["assets"][0]
    assert battery["available_up_kw"] == 0.0  # full and charging: nothing more
    battery_only.values[0][("Battery", "battery_state_of_charge")] = 0.0
    battery_only.values[0][("Battery", "battery_power_active")] = 0.0
    battery_only.values[0][("Grid", "grid_power_active")] = -0.5
    battery_only.publish(hass)
    battery = build(hass, battery_only)["assets"][0]
    assert (battery["available_up_kw"], battery["available_down_kw"]) == (5.0, 0.0)  # empty: cannot discharge


async def test_haeo_battery_marked_as_ev(hass: HomeAssistant, two_hubs_legacy: Household) -> None:
    """A V2G car modelled as a HAEO battery: + active power is discharge into the house."""
    garage = two_hubs_legacy.assets[1]
    garage |= {"kind": "ev"}
    asset = build(hass, two_hubs_legacy)["assets"][1]
    # No plug sensor: HAEO's plan to discharge it says nothing about the car being there.
    assert (asset["connection_state"], asset["power_flow_capability"]) == ("unplugged", "none")
    assert (asset["available_up_kw"], asset["available_down_kw"]) == (0.0, 0.0)
    garage["plug_entity"] = "binary_sensor.garage_car_plugged_in"
    hass.states.async_set("binary_sensor.garage_car_plugged_in", "on")
    asset = build(hass, two_hubs_legacy)["assets"][1]
    assert asset["setpoint_kw"] == -1.0
    assert asset["connection_state"] == "discharging"
    assert asset["power_flow_capability"] == "bidirectional"
    assert (asset["available_up_kw"], asset["available_down_kw"]) == (3.5, 1.5)  # 2.5 + 1; -1 + 2.5
    # EV setpoints are not removed by the baseline: only the main battery's 2 kW is.
    assert build(hass, two_hubs_legacy)["naive_baseline_kw"] == -1.5
