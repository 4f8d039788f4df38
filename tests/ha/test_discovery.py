"""Discovery finds HAEO by what its entities are, not by their ids."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from custom_components.nem_flex_telemetry.discovery import (
    asset_candidates,
    default_mapping,
    discover,
    without_ev_loads,
)

from .conftest import Household, standard_mapping


async def test_battery_only_mapping_matches_haeo(hass: HomeAssistant, battery_only: Household) -> None:
    discovery = discover(hass)
    assert discovery.found
    hub = battery_only.hubs[0]
    expected = standard_mapping(hub)
    del expected["import_limit_kw"], expected["export_limit_kw"]
    # HAEO's own grid limits (v0.4: max_power_source_target / max_power_target_source) are proposed too.
    expected |= {"import_limit": hub.id("Grid", "max_power_source_target")}
    expected |= {"export_limit": hub.id("Grid", "max_power_target_source")}
    assert default_mapping(discovery) == expected
    [battery] = asset_candidates(discovery)
    assert battery["asset_id"] == "battery"
    assert battery["kind"] == "stationary_battery"
    assert battery["power_sign"] == "discharge_positive"
    assert battery["soc_entity"] == battery_only.hubs[0].id("Battery", "battery_state_of_charge")


async def test_ev_load_is_proposed_and_removed_from_house_load(hass: HomeAssistant, battery_and_ev: Household) -> None:
    discovery = discover(hass)
    candidates = asset_candidates(discovery)
    ev = next(c for c in candidates if c["asset_id"] == "ev_charger")
    assert ev["kind"] == "ev"
    assert ev["power_sign"] == "charge_positive"
    mapping = default_mapping(discovery)
    hub = battery_and_ev.hubs[0]
    # HAEO v0.4 marks the EV charger curtailable and the house load fixed: only the fixed one is house load.
    assert mapping["load_powers"] == [hub.id("House Load", "load_power")]
    assert without_ev_loads(mapping, [ev])["load_powers"] == [hub.id("House Load", "load_power")]
    # The house load's forecast dual is chosen, not the EV charger's.
    assert mapping["load_forecast_dual"] == hub.id("House Load", "load_forecast_limit_price")


async def test_two_hubs_renamed_entities_and_legacy_attributes(hass: HomeAssistant, two_hubs_legacy: Household) -> None:
    discovery = discover(hass)
    assert len(discovery.hubs) == 2
    assert discovery.hubs[0].hub_id == two_hubs_legacy.hubs[0].entry.entry_id  # the hub with the grid first
    mapping = default_mapping(discovery)
    assert mapping["grid_power"] == "sensor.meter_net_power"
    ids = {c["asset_id"]: c for c in asset_candidates(discovery)}
    # HAEO v0.3 loads carry no curtailment: the house load is offered too (not included unless chosen).
    assert set(ids) == {"battery", "garage_battery", "house_load"}
    assert ids["battery"]["soc_entity"] == "sensor.powerwall_soc"


async def test_no_haeo(hass: HomeAssistant) -> None:
    discovery = discover(hass)
    assert not discovery.found
    assert default_mapping(discovery) == {}


async def test_global_sweep_lists_candidates_outside_haeo(hass: HomeAssistant, battery_only: Household) -> None:
    hass.states.async_set("sensor.amber_general_price", "0.31", {"unit_of_measurement": "$/kWh"})
    hass.states.async_set("binary_sensor.tesla_charger_plugged", "on")
    hass.states.async_set("sensor.tesla_battery_level", "55")
    hass.states.async_set("number.dnsp_export_limit", "5")
    sweep = discover(hass).sweep
    assert sweep["price"] == ["sensor.amber_general_price"]
    assert sweep["plug"] == ["binary_sensor.tesla_charger_plugged"]
    assert sweep["soc"] == ["sensor.tesla_battery_level"]
    assert sweep["limit"] == ["number.dnsp_export_limit"]
    assert not any(entity.startswith("sensor.battery_") for entity in sweep["soc"])  # HAEO's own are excluded


async def test_disabled_outputs_are_found_and_read_as_null(hass: HomeAssistant) -> None:
    """HAEO's advanced outputs are disabled by default: registered, with no state."""
    from custom_components.nem_flex_telemetry.builder import EvMemory, Identity, build_record
    from custom_components.nem_flex_telemetry.record import interval_start

    from .conftest import BATTERY_ONLY_VALUES, STANDARD_ELEMENTS, battery_asset
    from .haeo import add_hub, publish

    disabled = {("Grid", "grid_power_max_export_price"), ("Switchboard", "node_power_balance")}
    hub = add_hub(hass, STANDARD_ELEMENTS, disabled=disabled)
    publish(hass, hub, {key: value for key, value in BATTERY_ONLY_VALUES.items() if key not in disabled})
    mapping = default_mapping(discover(hass))
    assert mapping["export_envelope_dual"] == hub.id("Grid", "grid_power_max_export_price")
    assert hass.states.get(mapping["export_envelope_dual"]) is None
    mapping |= {"import_limit_kw": 15.0, "export_limit_kw": 5.0}
    from homeassistant.util import dt as dt_util

    record = build_record(
        hass, Identity("VIC1", "300"), mapping, [battery_asset(hub)], interval_start(dt_util.utcnow()), EvMemory()
    )
    assert record["shadow_envelope_export_price"] is None
    assert record["shadow_energy_price"] is None
    assert record["shadow_envelope_import_price"] == 0.0
