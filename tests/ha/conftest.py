"""Fixtures: three HAEO households and a configured NEM Flex Telemetry entry."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.nem_flex_telemetry  # noqa: F401  (must be imported before PHACC resolves custom_components)
from custom_components.nem_flex_telemetry import transport
from custom_components.nem_flex_telemetry.const import DOMAIN
from custom_components.nem_flex_telemetry.data_repo import DEFAULT_NAME, PROJECT_REPOSITORY
from custom_components.nem_flex_telemetry.github_api import OAUTH_CLIENT_ID
from tests.github_server import GitHubServer

from .haeo import Hub, add_hub, publish

HOUSEHOLD_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
LOGIN = "household"
DATA_OWNER, DATA_REPO = LOGIN, DEFAULT_NAME  # the household's own data repository
PROJECT_OWNER, PROJECT_REPO = PROJECT_REPOSITORY.split("/")


# Tests that need what only the newest environment holds (pandas and pyarrow for the aggregation,
# Chromium, Home Assistant's frontend package): the oldest one (NFT_TOOLCHAIN=oldest, as `make
# test-ha-oldest`, scripts/test-suite and CI's test-ha-oldest job run it) leaves them out.
NEWEST_ONLY = ["test_end_to_end.py", "test_lovelace_screenshot.py"]
collect_ignore = NEWEST_ONLY if os.environ.get("NFT_TOOLCHAIN") == "oldest" else []


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load this project's integration."""


@dataclass
class Household:
    """A HAEO set-up plus the values HAEO currently publishes, and the matching entry settings."""

    hubs: list[Hub]
    values: list[dict[tuple[str, str], Any]]
    mapping: dict[str, Any]
    assets: list[dict[str, Any]]
    extra_states: dict[str, tuple[str, dict[str, Any]]]

    def publish(self, hass: HomeAssistant) -> None:
        for hub, values in zip(self.hubs, self.values, strict=True):
            publish(hass, hub, values)
        for entity_id, (state, attributes) in self.extra_states.items():
            hass.states.async_set(entity_id, state, attributes)

    def entry(self, **options: Any) -> MockConfigEntry:
        return MockConfigEntry(
            domain=DOMAIN,
            title="NEM Flex Telemetry",
            unique_id=HOUSEHOLD_ID,
            data={
                "household_id": HOUSEHOLD_ID,
                "region": "QLD1",
                "postcode_prefix": "410",
                "licence": "CC-BY-4.0",
                "consent_time": "2026-11-22T00:00:00+00:00",
            },
            options={
                "mapping": self.mapping,
                "assets": self.assets,
                "repository": f"{DATA_OWNER}/{DATA_REPO}",
                "branch": "main",
                "paused": False,
                **options,
            },
        )


BATTERY_ONLY_VALUES = {
    ("Grid", "grid_power_active"): 1.5,
    ("Grid", "grid_power_import"): 1.5,
    ("Grid", "grid_power_max_import_price"): 0.0,
    ("Grid", "grid_power_max_export_price"): 0.0,
    ("Grid", "import_price"): 0.30,
    ("Grid", "export_price"): 0.05,
    ("Solar", "solar_power"): 3.0,
    ("Solar", "solar_forecast_limit"): -0.06,
    ("Battery", "battery_power_active"): -2.0,
    ("Battery", "battery_state_of_charge"): 56.0,
    ("Battery", "battery_power_balance"): -0.058,
    ("House Load", "load_power"): 2.5,
    ("House Load", "load_forecast_limit_price"): 0.06,
    ("Switchboard", "node_power_balance"): 0.06,
    ("Optimizer", "network_optimization_status"): "success",
}


def battery_asset(hub: Hub, title: str = "Battery", asset_id: str = "battery") -> dict[str, Any]:
    return {
        "asset_id": asset_id,
        "name": title,
        "kind": "stationary_battery",
        "capacity_kwh": 13.5,
        "bidirectional": True,
        "max_charge_kw": 5.0,
        "max_discharge_kw": 5.0,
        "power_entity": hub.id(title, "battery_power_active"),
        "power_sign": "discharge_positive",
        "soc_entity": hub.id(title, "battery_state_of_charge"),
        "dual_entity": hub.id(title, "battery_power_balance"),
    }


def standard_mapping(hub: Hub, loads: tuple[str, ...] = ("House Load",)) -> dict[str, Any]:
    return {
        "grid_power": hub.id("Grid", "grid_power_active"),
        "solar_powers": [hub.id("Solar", "solar_power")],
        "load_powers": [hub.id(title, "load_power") for title in loads],
        "import_price": hub.id("Grid", "import_price"),
        "export_price": hub.id("Grid", "export_price"),
        "import_limit_kw": 15.0,
        "export_limit_kw": 5.0,
        "energy_dual": hub.id("Switchboard", "node_power_balance"),
        "load_forecast_dual": hub.id("House Load", "load_forecast_limit_price"),
        "solar_forecast_dual": hub.id("Solar", "solar_forecast_limit"),
        "import_envelope_dual": hub.id("Grid", "grid_power_max_import_price"),
        "export_envelope_dual": hub.id("Grid", "grid_power_max_export_price"),
        "optimizer_status": hub.id("Optimizer", "network_optimization_status"),
    }


STANDARD_ELEMENTS = [
    ("grid", "Grid"),
    ("solar", "Solar"),
    ("battery", "Battery"),
    ("load", "House Load"),
    ("node", "Switchboard"),
]


@pytest.fixture
def battery_only(hass: HomeAssistant) -> Household:
    """Household 1: grid, solar, one battery, house load."""
    hub = add_hub(hass, STANDARD_ELEMENTS)
    household = Household([hub], [dict(BATTERY_ONLY_VALUES)], standard_mapping(hub), [battery_asset(hub)], {})
    household.publish(hass)
    return household


@pytest.fixture
def battery_and_ev(hass: HomeAssistant) -> Household:
    """Household 2: a battery plus an EV modelled as a HAEO load "EV Charger" with its own SOC and plug sensors."""
    hub = add_hub(hass, [*STANDARD_ELEMENTS, ("load", "EV Charger")])
    values = dict(BATTERY_ONLY_VALUES) | {
        ("Grid", "grid_power_active"): 5.5,
        ("Grid", "grid_power_import"): 5.5,
        ("EV Charger", "load_power"): 4.0,
        ("EV Charger", "load_forecast_limit_price"): 0.06,
    }
    ev = {
        "asset_id": "ev1",
        "name": "EV Charger",
        "kind": "ev",
        "capacity_kwh": 60.0,
        "bidirectional": False,
        "max_charge_kw": 7.0,
        "power_entity": hub.id("EV Charger", "load_power"),
        "power_sign": "charge_positive",
        "soc_entity": "sensor.ev_battery_level",
        "dual_entity": hub.id("EV Charger", "load_forecast_limit_price"),
        "plug_entity": "binary_sensor.ev_plugged_in",
    }
    extra = {
        "sensor.ev_battery_level": ("40", {"unit_of_measurement": "%"}),
        "binary_sensor.ev_plugged_in": ("on", {}),
    }
    household = Household([hub], [values], standard_mapping(hub), [battery_asset(hub), ev], extra)
    household.publish(hass)
    return household


@pytest.fixture
def two_hubs_legacy(hass: HomeAssistant) -> Household:
    """Household 3: two HAEO hubs on v0.3 ($/kW duals, output_type), renamed entities, one disabled output."""
    main = add_hub(
        hass,
        STANDARD_ELEMENTS,
        legacy=True,
        rename={
            ("Grid", "grid_power_active"): "sensor.meter_net_power",
            ("Battery", "battery_state_of_charge"): "sensor.powerwall_soc",
        },
    )
    garage = add_hub(hass, [("battery", "Garage Battery")], legacy=True, with_status=False)
    # v0.3 duals are $/kW per period, and HAEO's first period is 1 minute: 0.001 $/kW is 0.06 $/kWh.
    main_values = dict(BATTERY_ONLY_VALUES) | {
        ("Switchboard", "node_power_balance"): 0.001,
        ("Solar", "solar_forecast_limit"): -0.012,
    }
    garage_values = {
        ("Garage Battery", "battery_power_active"): 1.0,
        ("Garage Battery", "battery_state_of_charge"): 80.0,
        ("Garage Battery", "battery_power_balance"): 0.04,
    }
    main_values[("Grid", "grid_power_active")] = 0.5  # garage battery discharges 1 kW
    garage_asset = battery_asset(garage, "Garage Battery", "garage_battery") | {
        "capacity_kwh": 5.0,
        "max_charge_kw": 2.5,
        "max_discharge_kw": 2.5,
    }
    household = Household(
        [main, garage], [main_values, garage_values], standard_mapping(main), [battery_asset(main), garage_asset], {}
    )
    household.publish(hass)
    return household


@pytest.fixture
def setup_entry(hass: HomeAssistant) -> Callable[..., Any]:
    """Add and set up an entry for a household."""

    async def _setup(household: Household, **options: Any) -> MockConfigEntry:
        entry = household.entry(**options)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    return _setup


@pytest.fixture(autouse=True)
def config_dir(hass: HomeAssistant, tmp_path: Any) -> None:
    """Keep each test's outbox in its own temporary folder."""
    hass.config.config_dir = str(tmp_path)


@pytest.fixture(autouse=True)
async def unload_entries_at_teardown(hass: HomeAssistant) -> Any:
    """Stop every sampler before HA stops, so no clock tick starts a sample during teardown."""
    yield
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


class GitHubClock:
    """The local GitHub's clock: device-code expiry and slow_down follow it; sleeping advances it."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.sleeps: list[float] = []
        self.short_sleeps = 0  # the next N sleeps advance 1 s only (polling too fast: slow_down)
        self.on_sleep: Callable[[int], None] | None = None  # called with the number of sleeps so far

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.short_sleeps:
            self.short_sleeps -= 1
            self.now += 1
        else:
            self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(len(self.sleeps))
        await asyncio.sleep(0)  # let the test and the server run (a real delay would stop under freezegun)


@pytest.fixture
def github_clock() -> GitHubClock:
    return GitHubClock()


@pytest.fixture
async def github(
    socket_enabled: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github_clock: GitHubClock
) -> AsyncIterator[GitHubServer]:
    """The local GitHub (real HTTP on 127.0.0.1) with the data repository; HA is pointed at it."""

    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    async with GitHubServer(tmp_path / "git", client_id=OAUTH_CLIENT_ID, clock=github_clock) as server:
        server.add_user(LOGIN, name="A Household")
        server.create_repo(DATA_OWNER, DATA_REPO)
        server.create_repo(PROJECT_OWNER, PROJECT_REPO)  # where households open join and leave requests
        monkeypatch.setenv(transport.GITHUB_URL_ENV, server.url)
        monkeypatch.setattr(transport, "device_poll_sleep", github_clock.sleep)
        monkeypatch.setattr(transport, "retry_sleep", no_wait)
        yield server


def signed_in(entry: MockConfigEntry, github: GitHubServer, token: str | None = None) -> MockConfigEntry:
    """The entry with a GitHub token for the local server."""
    token = token or github.issue_token(LOGIN)
    data = {
        **entry.data,
        "token": {"access_token": token, "scope": "public_repo", "refresh_token": None, "expires_at": None},
        "login": LOGIN,
        "github_url": github.url,
        "registration": "pending",  # as the config flow leaves it: the join request is opened after setup
    }
    options = {**entry.options, "status_url": f"{github.url}/cohort/status.json"}  # never the real site
    return MockConfigEntry(
        domain=entry.domain, title=entry.title, unique_id=entry.unique_id, data=data, options=options
    )


class StatusSite:
    """A stand-in for the published site: serves ``body`` at /data/standing.json, with an ETag like Pages."""

    def __init__(self) -> None:
        self.body = '{"cohort_size": 42, "generated_at": "2026-11-22T00:00:00Z"}'
        self.status = 200
        self.url = ""
        self.requests: list[int] = []  # the status of each answer

    async def handle(self, request: web.Request) -> web.Response:
        etag = f'"{hashlib.sha256(self.body.encode()).hexdigest()[:16]}"'
        status = 304 if self.status == 200 and request.headers.get("If-None-Match") == etag else self.status
        self.requests.append(status)
        if status == 304:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=self.body, status=status, content_type="application/json", headers={"ETag": etag})


@pytest.fixture
async def status_site(socket_enabled: None) -> AsyncIterator[StatusSite]:
    site = StatusSite()
    app = web.Application()
    app.router.add_get("/data/standing.json", site.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    site.url = f"http://127.0.0.1:{runner.addresses[0][1]}/data/standing.json"
    yield site
    await runner.cleanup()
