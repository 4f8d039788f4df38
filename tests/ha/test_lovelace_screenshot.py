"""The household's Lovelace view (docs/lovelace/household.yaml) in Home Assistant's own frontend.

A household in Brisbane runs a day of HAEO on a time-of-use tariff (the battery charging overnight,
solar exporting at midday against a binding export envelope, the battery covering the evening peak)
and reads the cohort feed. Home Assistant then serves its real frontend (home-assistant-frontend at
the version it pins) on 127.0.0.1 with the view as a YAML dashboard, and Debian's Chromium opens it
signed in as the household's user. The test reads every figure the view names as the frontend shows
it, checks that nothing left 127.0.0.1, and saves the screenshot INSTALL.md shows
(``$NFT_ARTIFACTS/screenshots/household.png``, ``artifacts/`` by default).
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from freezegun.api import FrozenDateTimeFactory
from homeassistant import bootstrap
from homeassistant.auth.const import GROUP_ID_ADMIN
from homeassistant.components.onboarding import const as onboarding
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.nem_flex_telemetry.runtime import NemFlexConfigEntry
from tests.github_server import GitHubServer

from .conftest import Household, StatusSite, signed_in
from .test_household_sensors import BRISBANE, LOVELACE_VIEW, PREFIX, STEP, sample

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("NFT_ARTIFACTS", REPO / "artifacts"))
SCREENSHOT = ARTIFACTS / "screenshots" / "household.png"
TRANSLATIONS = json.loads((REPO / "custom_components" / "nem_flex_telemetry" / "translations" / "en.json").read_text())
VIEWPORT = {"width": 1280, "height": 900}  # a desktop browser window; taller if the view needs it
DASHBOARD = "household-energy"  # the dashboard's url path (Lovelace wants a hyphen in it)
NOW = datetime(2026, 11, 23, 10, 55, tzinfo=UTC)  # 23 November, 20:55 in Brisbane: the peak's last interval
START = NOW - timedelta(days=1)  # a day of prices before it: the price level needs one
HISTORY = ("buy_price_now", "cost_per_hour_now")  # the view's history graph: the only entities recorded
# What a real Home Assistant always runs besides the integrations, and the frontend asks for.
FRONTEND_COMPANIONS = (*sorted(bootstrap.CORE_INTEGRATIONS), "labs", "brands", "http", "history", "frontend")


@pytest.fixture
def recorder_config() -> dict[str, Any]:
    return {"include": {"entities": [PREFIX + key for key in HISTORY]}}


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """The recorder's database is made before Home Assistant starts (the history card reads it)."""


def tariff(moment: datetime) -> float:
    """$/kWh by the local hour: cheap overnight, dear in the evening peak."""
    hour = dt_util.as_local(moment).hour
    return 0.12 if hour < 6 else 0.45 if 16 <= hour < 21 else 0.28


def forecast(moment: datetime) -> list[dict[str, Any]]:
    """The price input's forecast of the next hour, as HAEO's price inputs carry it."""
    return [{"time": moment + STEP * ahead, "value": tariff(moment + STEP * ahead)} for ahead in range(12)]


def behave(household: Household, moment: datetime) -> None:
    """What HAEO makes of the hour: charge cheap, export at midday, cover the peak from the battery."""
    local_hour = dt_util.as_local(moment).hour
    grid, battery, envelope = 1.5, 0.0, 0.0
    if local_hour < 6:
        grid, battery = 4.0, -2.5
    elif 10 <= local_hour < 14:
        grid, envelope = -5.0, -0.02  # exporting at the envelope's limit: its dual is not zero
    elif 16 <= local_hour < 21:
        grid, battery = 0.3, 2.5
    values = household.values[0]
    values[("Grid", "grid_power_active")] = grid
    values[("Grid", "grid_power_import")] = max(grid, 0.0)
    values[("Grid", "grid_power_max_export_price")] = envelope
    values[("Battery", "battery_power_active")] = battery


def quantiles_around(own: float, spread: float, above_median: float) -> list[float]:
    """Region quantiles (p10..p90) that put ``own`` ``above_median`` of the way from the median to p75."""
    median = own - above_median * spread
    return [median - 2 * spread, median - spread, median, median + spread, median + 2 * spread]


async def run_a_day(hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household) -> None:
    when = START
    while when <= NOW:
        behave(household, when)
        await sample(hass, freezer, household, when, price=tariff(when), forecast=forecast(when))
        when += STEP


async def publish_the_regions_standing(entry: NemFlexConfigEntry, status_site: StatusSite) -> None:
    """The cohort feed's QLD1 cell, placed so the household stands above the median in each measure."""
    own = entry.runtime_data.sampler.status.household.own_measures()
    region = {
        "households": 14,
        "flex_up_kw": quantiles_around(own["flex_up_kw"] or 0.0, 0.5, 0.8),
        "saving_aud_per_day": quantiles_around(own["saving_aud_per_day"] or 0.0, 0.4, 0.4),
        "export_binding_share": quantiles_around(own["export_binding_share"] or 0.0, 4.0, 0.2),
    }
    status_site.body = json.dumps({"cohort_size": 37, "period": "2026-10-27/2026-11-23", "regions": {"QLD1": region}})
    cohort = entry.runtime_data.cohort
    assert cohort is not None
    await cohort.async_refresh()


async def serve_the_frontend(
    hass: HomeAssistant, hass_storage: dict[str, Any], aiohttp_client: ClientSessionGenerator
) -> str:
    """Home Assistant's frontend with the view as a YAML dashboard, onboarded, on 127.0.0.1; its base url."""
    dashboard = {"title": "Household", "views": [yaml.safe_load(LOVELACE_VIEW.read_text())]}
    (Path(hass.config.config_dir) / "household.yaml").write_text(yaml.safe_dump(dashboard))
    hass_storage[onboarding.DOMAIN] = {"version": 4, "key": onboarding.DOMAIN, "data": {"done": onboarding.STEPS}}
    dashboards = {DASHBOARD: {"mode": "yaml", "filename": "household.yaml", "title": "Household"}}
    assert await async_setup_component(hass, "lovelace", {"lovelace": {"dashboards": dashboards}})
    for domain in FRONTEND_COMPANIONS:
        assert await async_setup_component(hass, domain, {}), domain
    await async_wait_recording_done(hass)
    # No access log: aiohttp's reads the time zone from time.localtime(), which the frozen clock lacks.
    client = await aiohttp_client(hass.http.app, server_kwargs={"access_log": None})
    return str(client.make_url("")).rstrip("/")


async def sign_in(hass: HomeAssistant, base: str) -> dict[str, Any]:
    """A user's tokens as the frontend keeps them after a login (``hassTokens``, home-assistant-js-websocket)."""
    user = await hass.auth.async_create_user("Sam", group_ids=[GROUP_ID_ADMIN])
    client_id = f"{base}/"  # the frontend's own client id: the page's origin
    refresh = await hass.auth.async_create_refresh_token(user, client_id)
    expires_in = int(refresh.access_token_expiration.total_seconds())
    return {
        "hassUrl": base,
        "clientId": client_id,
        "access_token": hass.auth.async_create_access_token(refresh),
        "refresh_token": refresh.token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "expires": int((dt_util.utcnow().timestamp() + expires_in) * 1000),
    }


async def open_in_chromium(request: dict[str, Any]) -> dict[str, Any]:
    """The browser side, in its own process (off the event loop, on the real clock)."""
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tests.ha.lovelace_browser"],
        input=json.dumps(request),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"the browser failed:\n{done.stdout}\n{done.stderr}"
    shown: dict[str, Any] = json.loads(done.stdout)
    return shown


def displayed(hass: HomeAssistant, entity_id: str) -> str:
    """An entity's state as the frontend shows it (en): translated, rounded to its display precision, unit."""
    state = hass.states.get(entity_id)
    registered = er.async_get(hass).async_get(entity_id)
    assert state is not None and registered is not None, entity_id
    device_class = state.attributes.get("device_class")
    if device_class == "enum":
        return str(TRANSLATIONS["entity"]["sensor"][registered.translation_key]["state"][state.state])
    if device_class == "timestamp":
        minutes = round((dt_util.utcnow() - dt_util.parse_datetime(state.state, raise_on_error=True)).seconds / 60)
        return f"{minutes} minutes ago"
    precision = registered.options.get("sensor", {}).get("suggested_display_precision")
    number = Decimal(float(state.state))  # the double the page holds, exactly
    if precision is not None:  # Intl rounds its exact value half away from zero
        number = number.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    unit = state.attributes.get("unit_of_measurement")
    if unit == "AUD":
        return f"A${number}"
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}" if unit else str(number)


def rows(view: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(card heading, row name, entity id) of every entity in the view; a tile's heading is its name."""
    found = []
    for card in view["cards"]:
        entries = card.get("entities") or [card]
        heading = card.get("title") or card["name"]
        found += [(heading, entry["name"], entry["entity"]) for entry in entries]
    return found


def value_after(texts: list[str], name: str) -> str:
    """The text shown right after a row's name (the card's heading, first, may be the same words)."""
    return texts[texts.index(name, 1 if texts.count(name) > 1 else 0) + 1]


async def test_the_household_view_renders_in_home_assistants_frontend(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    battery_only: Household,
    github: GitHubServer,
    status_site: StatusSite,
    hass_storage: dict[str, Any],
    aiohttp_client: ClientSessionGenerator,
) -> None:
    await hass.config.async_set_time_zone(BRISBANE)
    freezer.move_to(START - timedelta(minutes=3))
    entry = signed_in(battery_only.entry(), github)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={**entry.options, "status_url": status_site.url})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await run_a_day(hass, freezer, battery_only)
    await publish_the_regions_standing(entry, status_site)
    base = await serve_the_frontend(hass, hass_storage, aiohttp_client)

    view = yaml.safe_load(LOVELACE_VIEW.read_text())
    expected = [(heading, name, displayed(hass, entity_id)) for heading, name, entity_id in rows(view)]
    shown = await open_in_chromium(
        {
            "url": f"{base}/{DASHBOARD}/{view['path']}",
            "tokens": await sign_in(hass, base),
            "now": dt_util.utcnow().timestamp(),
            "time_zone": BRISBANE,
            "viewport": VIEWPORT,
            "wait_for": [text for _, _, text in expected],
            "screenshot": str(SCREENSHOT),
        }
    )

    assert shown["missing"] == [], json.dumps(shown["cards"])
    cards = {card["texts"][0]: card["texts"] for card in shown["cards"] if card["texts"]}
    assert len(shown["cards"]) == len(view["cards"]) == len(cards)
    read = [(heading, name, value_after(cards[heading], name)) for heading, name, _ in expected]
    assert read == expected
    # The figures the household came for, as it reads them in the last interval of the evening peak.
    assert {(name, text) for heading, name, text in read if heading in ("Price now is", "Right now")} == {
        ("Price now is", "Expensive"),
        ("Buy price", "45.0 c/kWh"),
        ("Next 5 min", "28.0 c/kWh"),  # the shoulder rate from 21:00
        ("Cost per hour", "0.14 AUD/h"),  # 0.3 kW from the grid at 45 c/kWh
    }
    region = [text for heading, _, text in read if heading == "My percentile in the region"]
    assert region == ["70%", "60%", "55%"]
    assert shown["charts"] == len(HISTORY)  # the history graph drew a chart per entity
    assert shown["errors"] == []
    assert shown["foreign_requests"] == []
    assert any(url.startswith(base) for url in shown["requests"])
    with SCREENSHOT.open("rb") as png:
        header = png.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert width == VIEWPORT["width"] and height >= VIEWPORT["height"]
