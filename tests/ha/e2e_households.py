"""Households for the end-to-end test: a synthetic household's day, played into a real Home Assistant.

Each household is one of ``aggregation.simulate``'s generated households. Its Home Assistant holds a
HAEO hub shaped like that household (grid, solar, house load, switchboard, plus a battery and an
EV charger when it has them) whose sensors, interval by interval, carry the generator's values. The
household joins through the real config flow, signing in to the local GitHub with the device flow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant import loader
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import frame, translation
from pytest_homeassistant_custom_component.common import async_test_home_assistant

from aggregation.simulate import Household as SimulatedHousehold
from aggregation.simulate import make_household, simulate_household
from custom_components.nem_flex_telemetry.const import DOMAIN
from tests.github_server import GitHubServer

from .haeo import Hub, add_hub, publish
from .test_config_flow import start, step, suggested

EV_SOC = "sensor.ev_battery_level"
EV_PLUG = "binary_sensor.ev_plugged_in"


def pick(seed: int, wanted: dict[str, int]) -> list[int]:
    """Indices of the generator's first households in each region, ``wanted[region]`` of each."""
    left, picked, index = dict(wanted), [], 0
    while any(left.values()):
        region = make_household(seed, index).region
        if left.get(region, 0) > 0:
            left[region] -= 1
            picked.append(index)
        index += 1
    return picked


@asynccontextmanager
async def home_assistant(config_dir: Path) -> AsyncIterator[HomeAssistant]:
    """Another Home Assistant on the test's loop, made like PHACC's ``hass`` fixture, stopped on exit.

    Its own config folder (so its own outbox); it shares PHACC's in-memory ``hass_storage`` with the
    others, which is harmless as long as no instance restarts and reads its registries back. Stopping
    an instance cancels cancellable timers on the shared loop, so instances stop only at the end.
    """
    async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # what enable_custom_integrations does for `hass`
        frame.async_setup(hass)
        await translation.async_load_integrations(hass, {"homeassistant"})
        try:
            yield hass
        finally:
            for entry in hass.config_entries.async_entries(DOMAIN):
                if entry.state is ConfigEntryState.LOADED:
                    await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
            await hass.async_stop(force=True)


@dataclass
class Home:
    """One household: the generator's facts and day, its Home Assistant, HAEO hub and GitHub login."""

    index: int
    facts: SimulatedHousehold
    day: list[dict[str, Any]]
    hass: HomeAssistant
    login: str
    hub: Hub | None = None
    entry: ConfigEntry[Any] | None = None
    sampled: list[str] = field(default_factory=list)  # interval of every record the outbox kept

    @classmethod
    def simulated(cls, seed: int, index: int, start: datetime, hass: HomeAssistant) -> Home:
        facts, day = simulate_household(seed, index, start, 1)
        return cls(index, facts, day, hass, f"household-{index}")

    @property
    def household_id(self) -> str:
        assert self.entry is not None
        return str(self.entry.data["household_id"])

    @property
    def outbox(self) -> Any:
        assert self.entry is not None
        return self.entry.runtime_data.outbox

    def add_haeo(self) -> None:
        """HAEO's elements for this household, as HAEO registers them."""
        elements = [("grid", "Grid"), ("solar", "Solar"), ("load", "House Load"), ("node", "Switchboard")]
        if self.facts.battery_kwh:
            elements.append(("battery", "Battery"))
        if self.facts.ev_kwh:
            elements.append(("load", "EV Charger"))
        self.hub = add_hub(self.hass, elements)

    def publish(self, interval: int) -> None:
        """HAEO's outputs (and the EV's own sensors) for one interval of the generated day."""
        assert self.hub is not None
        record = self.day[interval]
        values: dict[tuple[str, str], Any] = {
            ("Grid", "grid_power_active"): record["net_import_kw"],
            ("Grid", "grid_power_import"): max(record["net_import_kw"], 0.0),
            ("Grid", "grid_power_max_import_price"): record["shadow_envelope_import_price"],
            ("Grid", "grid_power_max_export_price"): record["shadow_envelope_export_price"],
            ("Grid", "import_price"): record["price_signal_seen"],
            ("Grid", "export_price"): record["price_export_seen"],
            ("Solar", "solar_power"): record["solar_kw"],
            ("Solar", "solar_forecast_limit"): record["shadow_solar_forecast_price"],
            ("House Load", "load_power"): record["house_load_kw"],
            ("House Load", "load_forecast_limit_price"): record["shadow_load_forecast_price"],
            ("Switchboard", "node_power_balance"): record["shadow_energy_price"],
            ("Optimizer", "network_optimization_status"): "success",
        }
        for asset in record["assets"]:
            dual = asset["shadow_power_balance_price"]
            if asset["kind"] == "stationary_battery":
                values[("Battery", "battery_power_active")] = -asset["setpoint_kw"]  # HAEO: discharge - charge
                values[("Battery", "battery_state_of_charge")] = asset["soc_pct"]
                values[("Battery", "battery_power_balance")] = -dual  # HAEO's battery row: the opposite sign
            else:
                values[("EV Charger", "load_power")] = asset["setpoint_kw"]
                values[("EV Charger", "load_forecast_limit_price")] = "unknown" if dual is None else dual
                plugged = asset["power_flow_capability"] != "none"
                self.hass.states.async_set(EV_SOC, str(asset["soc_pct"]), {"unit_of_measurement": "%"})
                self.hass.states.async_set(EV_PLUG, "on" if plugged else "off", {"device_class": "plug"})
        publish(self.hass, self.hub, values)

    async def join(self, github: GitHubServer, repository: str, status_url: str) -> None:
        """Add the integration as the household would: sign in on GitHub, name its data repository
        (``repository``, created in its own account), confirm, consent."""
        hass, facts = self.hass, self.facts
        result = await start(hass)
        assert result["description_placeholders"]["code"] in github.pending_user_codes()
        # The household types the code on GitHub while signed in to its own account.
        result = await approve_as(hass, github, result, self.login)
        assert result["step_id"] == "household"
        household = {
            "region": facts.region.lower(),  # the selector's option for the region
            "postcode_prefix": facts.postcode_prefix,
            "repository": repository,
        }
        result = await step(hass, result, household)
        assert result["step_id"] == "mapping", result.get("errors")
        proposed = {
            key: value for key, value in suggested(result).items() if key not in ("import_limit", "export_limit")
        }
        mapping = proposed | {  # this household declares its envelope instead of HAEO's grid limits
            "import_limit_kw": facts.import_limit_kw,
            "export_limit_kw": facts.export_limit_kw,
        }
        result = await step(hass, result, mapping)
        while result["step_id"] == "asset":
            result = await step(hass, result, self._asset_answer(result))
        assert result["step_id"] == "more_assets", result.get("errors")
        result = await step(hass, result, {"next_step_id": "consent"})
        assert result["step_id"] == "consent", result.get("errors")
        assert result["description_placeholders"]["record"] != "-", result["description_placeholders"]["reason"]
        result = await step(hass, result, {"agree": True})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        self.entry = result["result"]
        assert self.entry.state is ConfigEntryState.LOADED
        # The dashboard this household reads its cohort size from (the real site is not reachable here).
        options = hass.config_entries.options
        result = dict(await options.async_init(self.entry.entry_id))
        result = dict(await options.async_configure(result["flow_id"], {"next_step_id": "publishing"}))
        publishing = {"paused": False, "repository": repository, "status_url": status_url}
        result = dict(await options.async_configure(result["flow_id"], publishing))
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        assert self.entry.state is ConfigEntryState.LOADED

    def _asset_answer(self, form: dict[str, Any]) -> dict[str, Any]:
        """The household's answer on one asset form: its battery and its EV, with their ratings."""
        facts, proposed = self.facts, suggested(form)
        name = form["description_placeholders"]["name"]
        if name == "Battery":
            assert facts.battery_kwh is not None
            return proposed | {
                "include": True,
                "capacity_kwh": facts.battery_kwh,
                "max_charge_kw": facts.battery_kw,
                "max_discharge_kw": facts.battery_kw,
            }
        assert name == "EV Charger"
        assert facts.ev_kwh is not None
        answer = proposed | {
            "include": True,
            "asset_id": "ev1",
            "kind": "ev",
            "capacity_kwh": facts.ev_kwh,
            "bidirectional": facts.ev_bidirectional,
            "max_charge_kw": facts.ev_charger_kw,
            "soc_entity": EV_SOC,
            "plug_entity": EV_PLUG,
        }
        if facts.ev_bidirectional:
            answer["max_discharge_kw"] = 5.0
        return answer


async def approve_as(hass: HomeAssistant, github: GitHubServer, result: dict[str, Any], login: str) -> dict[str, Any]:
    """The household enters the code the dialog shows on GitHub, signed in as ``login``; the next step."""
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["step_id"] == "github"
    assert result["description_placeholders"]["url"] == f"{github.url}/login/device"
    github.approve(result["description_placeholders"]["code"], login=login)
    await hass.async_block_till_done()
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"]))
