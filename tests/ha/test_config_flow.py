"""Every path of the config, options and reconfigure flows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er

from custom_components.nem_flex_telemetry.const import DOMAIN
from tests.github_server import GitHubServer

from .conftest import DATA_OWNER, DATA_REPO, Household

CANDIDATES = "plug: binary_sensor.ev_plugged_in; soc: sensor.ev_battery_level"
HOUSEHOLD = {"region": "qld1", "postcode_prefix": "410", "repository": DATA_REPO}  # qld1: the option for QLD1


def limits(mapping: dict[str, Any]) -> dict[str, Any]:
    return {**mapping, "import_limit_kw": 15.0, "export_limit_kw": 5.0}


async def start(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return dict(result)


async def approve(hass: HomeAssistant, github: GitHubServer, result: dict[str, Any]) -> dict[str, Any]:
    """Approve the code the progress step shows, as the user would on GitHub; the next step."""
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["step_id"] == "github"
    assert result["description_placeholders"]["url"] == f"{github.url}/login/device"
    github.approve(result["description_placeholders"]["code"])
    await hass.async_block_till_done()
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"]))


async def signed_in_start(hass: HomeAssistant, github: GitHubServer) -> dict[str, Any]:
    return await approve(hass, github, await start(hass))


async def step(hass: HomeAssistant, result: dict[str, Any], user_input: dict[str, Any]) -> dict[str, Any]:
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"], user_input))


def suggested(result: dict[str, Any]) -> dict[str, Any]:
    """Values the form shows pre-filled."""
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


async def test_full_flow_with_errors(hass: HomeAssistant, battery_and_ev: Household, github: GitHubServer) -> None:
    hub = battery_and_ev.hubs[0]
    result = await signed_in_start(hass, github)
    assert result["step_id"] == "household"
    result = await step(hass, result, {**HOUSEHOLD, "postcode_prefix": "41", "repository": "someone/data"})
    assert result["errors"] == {"postcode_prefix": "invalid_postcode_prefix", "repository": "invalid_repository"}
    result = await step(hass, result, HOUSEHOLD)
    assert result["step_id"] == "mapping"
    assert result["description_placeholders"] == {"candidates": CANDIDATES}
    discovered = suggested(result)
    assert discovered["grid_power"] == hub.id("Grid", "grid_power_active")
    assert discovered["import_price"] == hub.id("Grid", "import_price")
    # HAEO's own grid limits are proposed; without them (or a declared value) the form refuses.
    assert discovered["import_limit"] == hub.id("Grid", "max_power_source_target")
    no_limits = {key: value for key, value in discovered.items() if key not in ("import_limit", "export_limit")}
    result = await step(hass, result, no_limits)
    assert result["errors"] == {"import_limit_kw": "limit_required", "export_limit_kw": "limit_required"}
    result = await step(hass, result, limits(discovered))
    assert result["step_id"] == "asset"
    assert result["description_placeholders"] == {
        "name": "Battery",
        "number": "1",
        "total": "2",
        "candidates": CANDIDATES,
    }
    battery = suggested(result)
    assert battery["include"] is True
    result = await step(hass, result, {**battery, "asset_id": "Home Battery!"})
    assert result["errors"] == {
        "asset_id": "invalid_asset_id",
        "capacity_kwh": "required",
        "max_charge_kw": "required",
        "max_discharge_kw": "required",
    }
    battery |= {"capacity_kwh": 13.5, "max_charge_kw": 5.0, "max_discharge_kw": 5.0}
    result = await step(hass, result, battery)
    assert result["description_placeholders"]["name"] == "EV Charger"
    ev = suggested(result)
    assert ev["include"] is False  # a load is an EV only when the user says so
    ev |= {
        "include": True,
        "asset_id": "battery",
        "capacity_kwh": 60.0,
        "max_charge_kw": 7.0,
        "soc_entity": "sensor.ev_battery_level",
        "plug_entity": "binary_sensor.ev_plugged_in",
    }
    result = await step(hass, result, ev)
    assert result["errors"] == {"asset_id": "duplicate_asset_id"}
    result = await step(hass, result, {**ev, "asset_id": "ev1"})
    assert result["step_id"] == "more_assets"
    result = await step(hass, result, {"next_step_id": "consent"})
    assert result["step_id"] == "consent"
    shown = json.loads(result["description_placeholders"]["record"])
    assert shown["house_load_kw"] == 2.5  # the EV charger is not house load
    assert [a["asset_id"] for a in shown["assets"]] == ["battery", "ev1"]
    result = await step(hass, result, {"agree": False})
    assert result["errors"] == {"agree": "consent_required"}
    result = await step(hass, result, {"agree": True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == entry.data["household_id"]
    assert entry.data["region"] == "QLD1"
    assert entry.data["licence"] == "CC-BY-4.0"
    assert entry.data["consent_time"]
    registry = er.async_get(hass)
    house_load = registry.async_get(hub.id("House Load", "load_power"))
    assert house_load is not None
    assert entry.options["mapping"]["load_powers"] == [house_load.id]  # stored by registry id
    assert entry.minor_version == 2
    assert entry.options["repository"] == f"{DATA_OWNER}/{DATA_REPO}"
    assert entry.data["login"] == "household"
    assert entry.data["github_url"] == github.url
    assert entry.data["token"]["access_token"] in {token.value for token in github.state.tokens.values()}
    assert [a["asset_id"] for a in entry.options["assets"]] == ["battery", "ev1"]
    assert entry.options["assets"][1]["power_sign"] == "charge_positive"
    await hass.async_block_till_done()
    # One household per Home Assistant.
    again = await start(hass)
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "single_instance_allowed"


async def test_no_haeo_aborts(hass: HomeAssistant) -> None:
    result = await start(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "haeo_not_found"


async def test_consent_needs_a_record(hass: HomeAssistant, battery_only: Household, github: GitHubServer) -> None:
    result = await signed_in_start(hass, github)
    result = await step(hass, result, HOUSEHOLD)
    result = await step(hass, result, limits(suggested(result)))
    result = await step(hass, result, {**suggested(result), "include": False})  # battery left out
    result = await step(hass, result, {"next_step_id": "consent"})
    assert result["step_id"] == "consent"
    assert json.loads(result["description_placeholders"]["record"])["assets"] == []
    hass.states.async_set(battery_only.mapping["grid_power"], "unavailable")
    result = await step(hass, result, {"agree": True})
    assert result["errors"] == {"base": "preview_failed"}
    assert result["description_placeholders"]["reason"] == "sensor.grid_active_power is unavailable"
    assert result["description_placeholders"]["record"] == "-"
    battery_only.publish(hass)
    result = await step(hass, result, {"agree": True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].options["assets"] == []


async def test_reconfigure(hass: HomeAssistant, battery_only: Household) -> None:
    entry = battery_only.entry()
    entry.add_to_hass(hass)
    result = dict(await entry.start_reconfigure_flow(hass))
    assert suggested(result) == {"region": "qld1", "postcode_prefix": "410"}
    result = await step(hass, result, {"region": "nsw1", "postcode_prefix": "2000"})
    assert result["errors"] == {"postcode_prefix": "invalid_postcode_prefix"}
    result = await step(hass, result, {"region": "nsw1", "postcode_prefix": "200"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["region"] == "NSW1"
    assert entry.data["postcode_prefix"] == "200"
    assert entry.data["household_id"] == entry.unique_id


@pytest.fixture
async def loaded(hass: HomeAssistant, battery_and_ev: Household) -> Any:
    battery_and_ev.assets = battery_and_ev.assets[:1]
    entry = battery_and_ev.entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def options_step(hass: HomeAssistant, entry: Any, menu: str) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["mapping", "assets", "publishing"]
    return dict(await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": menu}))


async def options_configure(hass: HomeAssistant, result: dict[str, Any], user_input: dict[str, Any]) -> dict[str, Any]:
    return dict(await hass.config_entries.options.async_configure(result["flow_id"], user_input))


async def test_options_mapping(hass: HomeAssistant, loaded: Any, battery_and_ev: Household) -> None:
    # The entry (1.1, entity ids) was migrated to registry ids; the form shows entity ids.
    assert loaded.minor_version == 2
    grid = er.async_get(hass).async_get(battery_and_ev.mapping["grid_power"])
    assert grid is not None and loaded.options["mapping"]["grid_power"] == grid.id
    result = await options_step(hass, loaded, "mapping")
    mapping = suggested(result)
    assert mapping["grid_power"] == battery_and_ev.mapping["grid_power"]
    del mapping["import_limit_kw"]
    result = await options_configure(hass, result, mapping)
    assert result["errors"] == {"import_limit_kw": "limit_required"}
    result = await options_configure(hass, result, {**mapping, "import_limit": "number.dnsp_import"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded.options["mapping"]["import_limit"] == "number.dnsp_import"
    assert loaded.options["assets"][0]["asset_id"] == "battery"


async def test_options_assets_adds_the_ev(hass: HomeAssistant, loaded: Any, battery_and_ev: Household) -> None:
    result = await options_step(hass, loaded, "assets")
    current = suggested(result)
    assert current["asset_id"] == "battery" and current["include"] is True
    result = await options_configure(hass, result, current)
    ev = suggested(result)
    assert ev["asset_id"] == "ev_charger" and ev["include"] is False
    result = await options_configure(hass, result, {**ev, "include": True, "capacity_kwh": 60.0})
    assert result["errors"] == {"max_charge_kw": "required", "soc_entity": "required"}
    answer = {
        **ev,
        "include": True,
        "capacity_kwh": 60.0,
        "max_charge_kw": 7.0,
        "soc_entity": "sensor.ev_battery_level",
    }
    result = await options_configure(hass, result, answer)
    # No plug sensor: mapping one is recommended once; submitting again goes on without.
    assert result["errors"] == {"plug_entity": "plug_recommended"}
    result = await options_configure(hass, result, answer)
    assert result["step_id"] == "more_assets"
    result = await options_configure(hass, result, {"next_step_id": "save_assets"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert [a["asset_id"] for a in loaded.options["assets"]] == ["battery", "ev_charger"]
    hub = battery_and_ev.hubs[0]
    house_load = er.async_get(hass).async_get(hub.id("House Load", "load_power"))
    assert house_load is not None
    assert loaded.options["mapping"]["load_powers"] == [house_load.id]


async def test_options_publishing(hass: HomeAssistant, loaded: Any) -> None:
    result = await options_step(hass, loaded, "publishing")
    assert suggested(result) == {
        "paused": False,
        "repository": DATA_REPO,
        "status_url": "https://purcell-lab.github.io/nem-flex-telemetry/data/standing.json",
    }
    result = await options_configure(hass, result, {"paused": True, "repository": "me/data"})
    assert result["errors"] == {"repository": "invalid_repository"}
    status_url = "https://example.org/status.json"
    changes = {"paused": True, "repository": DATA_REPO, "status_url": status_url}
    result = await options_configure(hass, result, changes)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded.options["paused"] is True
    assert loaded.options["repository"] == f"{DATA_OWNER}/{DATA_REPO}"
    assert loaded.options["status_url"] == status_url
    assert hass.states.get("sensor.nem_flex_telemetry_publishing").state == "paused"  # reloaded with the change
