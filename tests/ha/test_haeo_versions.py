"""Discovery, the flow's defaults, sampling and building on HAEO's real layouts, for every supported version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nem_flex_telemetry.const import DOMAIN, SUPPORTED_HAEO_VERSIONS
from custom_components.nem_flex_telemetry.discovery import asset_candidates, default_mapping, discover
from custom_components.nem_flex_telemetry.entity_refs import to_registry_ids
from custom_components.nem_flex_telemetry.record import validate
from tests.github_server import GitHubServer

from .conftest import DATA_REPO
from .haeo_fixtures import Installed, InstalledHub, install

VERSIONS = pytest.mark.parametrize("version", SUPPORTED_HAEO_VERSIONS)
# The grid's price numbers: v0.4 names them by direction, v0.3 by meaning.
PRICE_FIELDS = {"v0.3.3": ("import_price", "export_price")} | dict.fromkeys(
    ("v0.4.1", "main"), ("price_source_target", "price_target_source")
)
LIMIT_FIELDS = {"v0.3.3": ("import_limit", "export_limit")} | dict.fromkeys(
    ("v0.4.1", "main"), ("max_power_source_target", "max_power_target_source")
)
HOUSEHOLD = {"region": "qld1", "postcode_prefix": "410", "repository": DATA_REPO}


def expected_mapping(version: str, hub: InstalledHub, house_loads: list[str]) -> dict[str, Any]:
    """What discovery should propose for HAEO's scenario-1 elements, by (title, HAEO name)."""
    import_price, export_price = PRICE_FIELDS[version]
    import_limit, export_limit = LIMIT_FIELDS[version]
    return {
        "grid_power": hub.id("Grid", "grid_power_active"),
        "solar_powers": [hub.id("Solar", "solar_power")],
        "load_powers": [hub.id(title, "load_power") for title in house_loads],
        "import_price": hub.id("Grid", import_price),
        "export_price": hub.id("Grid", export_price),
        "import_limit": hub.id("Grid", import_limit),
        "export_limit": hub.id("Grid", export_limit),
        "energy_dual": hub.id("Switchboard", "node_power_balance"),
        "load_forecast_dual": hub.id(house_loads[0], "load_forecast_limit_price"),
        "solar_forecast_dual": hub.id("Solar", "solar_forecast_limit"),
        "import_envelope_dual": hub.id("Grid", "grid_power_max_import_price"),
        "export_envelope_dual": hub.id("Grid", "grid_power_max_export_price"),
        "optimizer_status": hub.id("System", "network_optimization_status"),
    }


def house_loads(version: str) -> list[str]:
    """v0.4+ marks loads curtailable or not; v0.3 has no such data, so every load counts as house load."""
    return ["Constant Load", "EV Charger"] if version == "v0.3.3" else ["Constant Load"]


@VERSIONS
async def test_discovery_proposes_haeos_own_inputs(hass: HomeAssistant, version: str) -> None:
    installed = install(hass, version, "household")
    hub = installed.hub
    discovery = discover(hass)
    mapping = default_mapping(discovery)
    assert mapping == expected_mapping(version, hub, house_loads(version))
    # HAEO's price numbers carry no unit (their values are in the upstream sensor's currency per kWh).
    assert "unit_of_measurement" not in hass.states.get(mapping["import_price"]).attributes  # type: ignore[union-attr]
    assert hass.states.get(mapping["import_price"]).state == "0.15"  # type: ignore[union-attr]


@VERSIONS
async def test_assets_proposed_with_names_from_the_devices(hass: HomeAssistant, version: str) -> None:
    hub = install(hass, version, "household").hub
    candidates = {c["asset_id"]: c for c in asset_candidates(discover(hass))}
    battery = candidates["battery"]
    assert (battery["name"], battery["kind"]) == ("Battery", "stationary_battery")
    assert battery["power_entity"] == hub.id("Battery", "battery_power_active")
    assert battery["soc_entity"] == hub.id("Battery", "battery_state_of_charge")
    assert battery["dual_entity"] == hub.id("Battery", "battery_power_balance")
    section = candidates["battery_module"]  # a battery_section: proposed, its own outputs, no SOC output
    assert section["kind"] == "stationary_battery"
    assert section["power_entity"] == hub.id("Battery Module", "battery_section_power_active")
    assert section["dual_entity"] == hub.id("Battery Module", "battery_section_power_balance")
    assert "soc_entity" not in section
    assert candidates["car"]["kind"] == "ev"  # an EV modelled as a HAEO battery
    ev = candidates["ev_charger"]  # an EV modelled as a HAEO load
    assert (ev["kind"], ev["power_sign"]) == ("ev", "charge_positive")
    assert ev["power_entity"] == hub.id("EV Charger", "load_power")
    # The house load is chosen by HAEO's element data: a fixed load is never an EV candidate on v0.4+.
    assert ("constant_load" in candidates) is (version == "v0.3.3")


@VERSIONS
async def test_before_haeos_first_run_names_come_from_the_devices(hass: HomeAssistant, version: str) -> None:
    """After a restart HAEO's entities are registered but have no state until it runs."""
    hub = install(hass, version, "household", ran=False).hub
    assert hass.states.get(hub.id("Grid", "grid_power_active")) is None
    discovery = discover(hass)
    names = {element.name for element in discovery.hubs[0].elements}
    assert {"Grid", "Solar", "Battery", "Constant Load", "EV Charger", "Car", "Battery Module"} <= names
    assert not any(name.startswith(("sensor", "number")) for name in names)
    # Prices and limits are found by translation key and unique id alone.
    assert default_mapping(discovery) == expected_mapping(version, hub, house_loads(version))
    ids = {c["asset_id"] for c in asset_candidates(discovery)}
    assert {"battery", "battery_module", "car", "ev_charger"} <= ids


@VERSIONS
async def test_two_hubs_each_can_be_chosen(hass: HomeAssistant, version: str) -> None:
    home, flat = install(hass, version, "two_hubs").hubs
    discovery = discover(hass)
    assert [hub.title for hub in discovery.grid_hubs] == ["Granny Flat", "Home"]
    chosen = default_mapping(discovery, home.entry.entry_id)
    assert chosen["grid_power"] == home.id("Grid", "grid_power_active")
    assert chosen["optimizer_status"] == "sensor.optimizer_status"
    other = default_mapping(discovery, flat.entry.entry_id)
    assert other["grid_power"] == flat.id("Flat Grid", "grid_power_active")
    assert other["load_powers"] == [flat.id("Flat Load", "load_power")]
    assert other["optimizer_status"] == "sensor.optimizer_status_2"  # the second hub's Optimizer collides


def _entry(hass: HomeAssistant, installed: Installed, *, minor_version: int = 2) -> MockConfigEntry:
    """A configured household on discovery's proposal, its declared battery, stored as the flow stores it."""
    discovery = discover(hass)
    mapping = default_mapping(discovery)
    battery = next(c for c in asset_candidates(discovery) if c["asset_id"] == "battery")
    battery |= {"capacity_kwh": 32.2, "max_charge_kw": 16.8, "max_discharge_kw": 19.2}
    assets = [battery]
    if minor_version >= 2:
        mapping, assets = to_registry_ids(hass, mapping, assets)
    return MockConfigEntry(
        domain=DOMAIN,
        title="NEM Flex Telemetry",
        unique_id="0f8fad5b-d9cb-469f-a165-70867728950e",
        minor_version=minor_version,
        data={
            "household_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "region": "QLD1",
            "postcode_prefix": "410",
            "licence": "CC-BY-4.0",
            "consent_time": "2026-11-22T00:00:00+00:00",
        },
        options={"mapping": mapping, "assets": assets, "repository": "o/r", "branch": "main", "paused": False},
    )


async def _sample(hass: HomeAssistant, entry: MockConfigEntry, installed: Installed) -> dict[str, Any]:
    """HAEO runs, then one sample at the boundary; the record kept in the outbox."""
    from .haeo_fixtures import publish

    now = dt_util.utcnow()
    publish(hass, installed, now=now)
    assert await entry.runtime_data.sampler.async_sample(now)
    return _outbox_lines(hass, entry.entry_id)[-1]


def _outbox_lines(hass: HomeAssistant, entry_id: str) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for path in sorted(Path(hass.config.path(".storage", DOMAIN, entry_id)).glob("*.jsonl")):
        lines.extend(json.loads(line) for line in path.read_text().splitlines())
    return lines


@VERSIONS
async def test_sampling_reads_what_discovery_found(hass: HomeAssistant, version: str) -> None:
    installed = install(hass, version, "household")
    entry = _entry(hass, installed)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    record = await _sample(hass, entry, installed)
    assert validate(record) == []
    hub = installed.hub
    state = hass.states.get
    assert record["net_import_kw"] == float(state(hub.id("Grid", "grid_power_active")).state)  # type: ignore[union-attr]
    assert record["price_signal_seen"] == 0.15  # HAEO's import price number (no unit: $/kWh as published)
    assert record["price_export_seen"] == 0.06
    assert record["envelope_import_limit_kw"] == 55.0  # HAEO's own grid limits
    assert record["envelope_export_limit_kw"] == 30.0
    loads = sum(float(state(hub.id(t, "load_power")).state) for t in house_loads(version))  # type: ignore[union-attr]
    assert record["house_load_kw"] == pytest.approx(loads)
    [battery] = record["assets"]
    assert battery["asset_id"] == "battery"
    assert battery["soc_pct"] == float(state(hub.id("Battery", "battery_state_of_charge")).state)  # type: ignore[union-attr]


@VERSIONS
async def test_renamed_entity_keeps_sampling(hass: HomeAssistant, version: str) -> None:
    installed = install(hass, version, "household")
    entry = _entry(hass, installed)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    hub = installed.hub
    er.async_get(hass).async_update_entity(hub.id("Grid", "grid_power_active"), new_entity_id="sensor.meter_net")
    hub.entity_ids[("Grid", "grid_power_active")] = "sensor.meter_net"
    record = await _sample(hass, entry, installed)
    assert record["net_import_kw"] == float(hass.states.get("sensor.meter_net").state)  # type: ignore[union-attr]


@VERSIONS
async def test_entry_with_entity_ids_is_migrated(hass: HomeAssistant, version: str) -> None:
    installed = install(hass, version, "household")
    entry = _entry(hass, installed, minor_version=1)
    old_grid = entry.options["mapping"]["grid_power"]
    assert old_grid == "sensor.grid_active_power"
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    registry = er.async_get(hass)
    grid = registry.async_get(old_grid)
    assert grid is not None
    assert entry.minor_version == 2
    assert entry.options["mapping"]["grid_power"] == grid.id
    assert (
        entry.options["assets"][0]["power_entity"]
        == registry.async_get(installed.hub.id("Battery", "battery_power_active")).id
    )  # type: ignore[union-attr]
    record = await _sample(hass, entry, installed)
    assert record["price_signal_seen"] == 0.15


async def _flow_to_mapping(hass: HomeAssistant, github: GitHubServer) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    github.approve(result["description_placeholders"]["code"])
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"], HOUSEHOLD))


def _suggested(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


@VERSIONS
async def test_flow_asks_for_the_hub_and_proposes_its_entities(
    hass: HomeAssistant, version: str, github: GitHubServer
) -> None:
    _home, flat = install(hass, version, "two_hubs").hubs
    result = await _flow_to_mapping(hass, github)
    assert result["step_id"] == "hub"
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], {"hub": flat.entry.entry_id}))
    assert result["step_id"] == "mapping"
    proposed = _suggested(result)
    assert proposed["grid_power"] == flat.id("Flat Grid", "grid_power_active")
    assert proposed["import_price"] == flat.id("Flat Grid", PRICE_FIELDS[version][0])
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], proposed))
    # Batteries of every hub are offered (here only Home's); loads come from the chosen hub.
    assert result["step_id"] == "asset"
    assert result["description_placeholders"]["name"] == "Battery"


@VERSIONS
async def test_flow_adds_an_asset_discovery_missed(hass: HomeAssistant, version: str, github: GitHubServer) -> None:
    install(hass, version, "scenario1")
    hass.states.async_set("sensor.zappi_power", "3.0", {"unit_of_measurement": "kW"})
    hass.states.async_set("sensor.car_soc", "62", {"unit_of_measurement": "%"})
    hass.states.async_set("binary_sensor.car_plugged_in", "on")
    result = await _flow_to_mapping(hass, github)
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], _suggested(result)))
    assert result["description_placeholders"]["name"] == "Battery"
    result = dict(
        await hass.config_entries.flow.async_configure(result["flow_id"], {**_suggested(result), "include": False})
    )
    if result["step_id"] == "asset":  # v0.3: the fixed load is offered too
        result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], _suggested(result)))
    assert result["type"] is FlowResultType.MENU and result["step_id"] == "more_assets"
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "manual_asset"}))
    assert result["step_id"] == "asset"
    car = {
        "include": True,
        "asset_id": "zappi",
        "kind": "ev",
        "capacity_kwh": 60.0,
        "bidirectional": False,
        "max_charge_kw": 7.0,
        "power_entity": "sensor.zappi_power",
        "soc_entity": "sensor.car_soc",
    }
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], car))
    assert result["errors"] == {"plug_entity": "plug_recommended"}  # no evidence it is home without one
    car["plug_entity"] = "binary_sensor.car_plugged_in"
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], car))
    assert result["step_id"] == "more_assets"
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "consent"}))
    shown = json.loads(result["description_placeholders"]["record"])
    assert [(a["asset_id"], a["setpoint_kw"]) for a in shown["assets"]] == [("zappi", 3.0)]
