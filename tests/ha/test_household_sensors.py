"""The household's own figures in Home Assistant: costs, savings, price now and next, price level.

Driven as HA runs them: the sampler on the clock, HAEO's entities changing, a restart,
a month ending at local midnight, inputs going unavailable. Totals are checked against
the aggregation's own per-interval formulas applied to the records the outbox kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.nem_flex_telemetry import money as shared
from custom_components.nem_flex_telemetry.const import MAP_IMPORT_PRICE
from tests.github_server import GitHubServer

from .conftest import Household, StatusSite, signed_in
from .test_sampling import outbox_records

BRISBANE = "Australia/Brisbane"  # UTC+10 all year: local midnight is 14:00 UTC
STEP = timedelta(minutes=5)
PREFIX = "sensor.nem_flex_telemetry_"
LOVELACE_VIEW = Path(__file__).parents[2] / "docs" / "lovelace" / "household.yaml"


def price_at(moment: datetime) -> float:
    """A time-of-use tariff in $/kWh by local hour: cheap overnight, dear in the evening peak."""
    hour = dt_util.as_local(moment).hour
    return 0.12 if hour < 6 else 0.45 if 16 <= hour < 21 else 0.28


async def sample(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    household: Household,
    when: datetime,
    *,
    price: float | None = None,
    forecast: list[dict[str, Any]] | None = None,
) -> None:
    """HAEO publishes (with the import price input at ``price``), then the clock reaches ``when``."""
    freezer.move_to(when - timedelta(seconds=20))
    household.publish(hass)
    entity_id = household.mapping[MAP_IMPORT_PRICE]
    current = hass.states.get(entity_id)
    assert current is not None
    attributes = dict(current.attributes)
    if forecast is not None:
        attributes["forecast"] = forecast
    hass.states.async_set(entity_id, str(price_at(when) if price is None else price), attributes)
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done(wait_background_tasks=True)


def value(hass: HomeAssistant, key: str) -> str:
    state = hass.states.get(PREFIX + key)
    assert state is not None, key
    return state.state


def money(hass: HomeAssistant, key: str) -> float:
    return float(value(hass, key))


def money_sums(records: list[dict[str, Any]]) -> dict[str, float]:
    """The records' money by the shared formulas (the aggregation applies the same ones column-wise:
    tests/household/test_figures.py checks that on simulated records)."""
    sums = dict.fromkeys(("cost", "saving", "import_cost", "export_value"), 0.0)
    for r in records:
        net, buy, sell = r["net_import_kw"], r["price_signal_seen"], r["price_export_seen"]
        sums["cost"] += shared.interval_cost_aud(net, buy, sell)
        sums["saving"] += shared.saving_aud(net, r["naive_baseline_kw"], buy, sell)
        sums["import_cost"] += max(net, 0.0) * buy * 5 / 60
        sums["export_value"] += max(-net, 0.0) * sell * 5 / 60
    return sums


@pytest.fixture
async def brisbane(hass: HomeAssistant) -> None:
    await hass.config.async_set_time_zone(BRISBANE)


async def test_a_day_of_changing_prices_adds_up_by_the_shared_formulas(
    hass: HomeAssistant,
    brisbane: None,
    freezer: FrozenDateTimeFactory,
    battery_only: Household,
    setup_entry: Callable[..., Any],
) -> None:
    day = datetime(2026, 11, 21, 14, tzinfo=UTC)  # local midnight, 22 November
    freezer.move_to(day - timedelta(minutes=3))
    entry = await setup_entry(battery_only)
    grid = battery_only.values[0]
    for index in range(288):
        when = day + STEP * index
        exporting = 10 <= dt_util.as_local(when).hour < 14  # solar soaks the midday hours
        grid[("Grid", "grid_power_active")] = -2.0 if exporting else 1.5
        await sample(hass, freezer, battery_only, when)
    records = outbox_records(hass, entry.entry_id)
    assert len(records) == 288
    sums = money_sums(records)
    assert money(hass, "net_energy_cost_today") == pytest.approx(sums["cost"], abs=1e-4)
    assert money(hass, "saving_against_the_baseline_today") == pytest.approx(sums["saving"], abs=1e-4)
    assert money(hass, "import_cost_today") == pytest.approx(sums["import_cost"], abs=1e-4)
    assert money(hass, "export_value_today") == pytest.approx(sums["export_value"], abs=1e-4)
    assert money(hass, "import_cost_this_month") == pytest.approx(sums["import_cost"], abs=1e-4)
    # The last hour (local 23:00) holds 12 intervals at the off-peak 0.28 $/kWh, 1.5 kW imported.
    assert money(hass, "import_cost_this_hour") == pytest.approx(12 * 1.5 * 0.28 / 12, abs=1e-4)
    today = hass.states.get(PREFIX + "import_cost_today")
    assert today is not None
    assert today.attributes["state_class"] == "total"
    assert today.attributes["device_class"] == "monetary"
    assert today.attributes["unit_of_measurement"] == "AUD"
    assert today.attributes["last_reset"] == "2026-11-22T00:00:00+10:00"
    assert today.attributes["intervals"] == 288
    saving = hass.states.get(PREFIX + "saving_against_the_baseline_today")
    assert saving is not None and saving.attributes["baseline_method"] == "subtraction"
    assert "home batteries" in saving.attributes["baseline"]
    # Now: 23:55 local, importing 1.5 kW at 28 c/kWh.
    assert value(hass, "buy_price_now") == "28.0"
    assert money(hass, "cost_per_hour_now") == pytest.approx(1.5 * 0.28)


async def test_price_level_against_the_households_own_prices(
    hass: HomeAssistant,
    brisbane: None,
    freezer: FrozenDateTimeFactory,
    battery_only: Household,
    setup_entry: Callable[..., Any],
) -> None:
    day = datetime(2026, 11, 21, 14, tzinfo=UTC)
    freezer.move_to(day - timedelta(minutes=3))
    await setup_entry(battery_only)
    for index in range(287):
        await sample(hass, freezer, battery_only, day + STEP * index)
        if index == 100:  # less than a day of prices: no level yet, and the attributes say why
            level = hass.states.get(PREFIX + "price_level")
            assert level is not None and level.state == "unknown"
            assert level.attributes["samples"] == 101 and level.attributes["samples_needed"] == 288
    await sample(hass, freezer, battery_only, day + STEP * 287)  # 23:55 local: the shoulder price
    level = hass.states.get(PREFIX + "price_level")
    assert level is not None
    # 72 intervals at 12 c, 156 at 28 c, 60 at 45 c: the 25th percentile falls between the last 12 c and the
    # first 28 c (interpolated: 24 c), the 75th among the 28 c ones.
    assert level.attributes["cheap_at_or_below"] == 24.0
    assert level.attributes["median"] == 28.0
    assert level.attributes["expensive_at_or_above"] == 28.0
    assert level.attributes["unit"] == "c/kWh" and level.attributes["window_days"] == 28
    assert level.state == "normal"
    next_day = day + STEP * 288
    await sample(hass, freezer, battery_only, next_day + timedelta(hours=5))  # 05:00 local: off-peak
    assert value(hass, "price_level") == "cheap"
    await sample(hass, freezer, battery_only, next_day + timedelta(hours=17))  # 17:00 local: peak
    assert value(hass, "price_level") == "expensive"


async def test_next_interval_price_from_the_price_inputs_forecast(
    hass: HomeAssistant,
    brisbane: None,
    freezer: FrozenDateTimeFactory,
    battery_only: Household,
    setup_entry: Callable[..., Any],
) -> None:
    when = datetime(2026, 11, 22, 6, tzinfo=UTC)
    freezer.move_to(when - timedelta(minutes=3))
    await setup_entry(battery_only)
    await sample(hass, freezer, battery_only, when, price=0.30, forecast=[])
    assert value(hass, "buy_price_next_interval") == "unavailable"  # the input forecasts nothing
    forecast = [
        {"time": when, "value": 0.30},
        {"time": when + timedelta(minutes=3), "value": 0.31},
        {"time": when + STEP, "value": 0.42},
        {"time": when + 2 * STEP, "value": 0.50},
    ]
    await sample(
        hass,
        freezer,
        battery_only,
        when + STEP,
        price=0.30,
        forecast=[{**point, "time": point["time"] + STEP} for point in forecast],
    )
    assert value(hass, "buy_price_next_interval") == "42.0"
    assert value(hass, "buy_price_now") == "30.0"


async def test_totals_survive_a_restart_and_reset_at_local_month_end(
    hass: HomeAssistant,
    brisbane: None,
    freezer: FrozenDateTimeFactory,
    battery_only: Household,
    setup_entry: Callable[..., Any],
) -> None:
    month_end = datetime(2026, 11, 30, 14, tzinfo=UTC)  # 1 December 00:00 in Brisbane
    start = month_end - timedelta(hours=2)
    freezer.move_to(start - timedelta(minutes=3))
    entry = await setup_entry(battery_only)
    for index in range(12):  # 22:00-22:55 local, 30 November
        await sample(hass, freezer, battery_only, start + STEP * index, price=0.20)
    before = money(hass, "import_cost_today")
    assert before == pytest.approx(12 * 1.5 * 0.20 / 12)

    assert await hass.config_entries.async_reload(entry.entry_id)  # a restart mid-day
    await hass.async_block_till_done()
    assert money(hass, "import_cost_today") == pytest.approx(before)
    for index in range(12, 24):  # 23:00-23:55 local
        await sample(hass, freezer, battery_only, start + STEP * index, price=0.20)
    assert money(hass, "import_cost_today") == pytest.approx(2 * before)
    assert money(hass, "import_cost_this_month") == pytest.approx(2 * before)

    await sample(hass, freezer, battery_only, month_end, price=0.20)  # the first interval of December
    assert money(hass, "import_cost_today") == pytest.approx(1.5 * 0.20 / 12)
    assert money(hass, "import_cost_this_month") == pytest.approx(1.5 * 0.20 / 12)
    month = hass.states.get(PREFIX + "import_cost_this_month")
    assert month is not None and month.attributes["last_reset"] == "2026-12-01T00:00:00+10:00"


async def test_unavailable_price_makes_now_sensors_unavailable_not_zero(
    hass: HomeAssistant,
    brisbane: None,
    freezer: FrozenDateTimeFactory,
    battery_only: Household,
    setup_entry: Callable[..., Any],
) -> None:
    when = datetime(2026, 11, 22, 6, tzinfo=UTC)
    freezer.move_to(when - timedelta(minutes=3))
    await setup_entry(battery_only)
    await sample(hass, freezer, battery_only, when, price=0.30)
    assert value(hass, "cost_per_hour_now") == "0.45"
    cost_before = money(hass, "import_cost_today")

    freezer.move_to(when + STEP - timedelta(seconds=20))
    battery_only.publish(hass)
    hass.states.async_set(battery_only.mapping[MAP_IMPORT_PRICE], "unavailable")
    freezer.move_to(when + STEP)
    async_fire_time_changed(hass, when + STEP)
    await hass.async_block_till_done(wait_background_tasks=True)

    for key in ("cost_per_hour_now", "buy_price_now", "price_level", "buy_price_next_interval"):
        assert value(hass, key) == "unavailable", key
    assert money(hass, "import_cost_today") == pytest.approx(cost_before)  # nothing made up for the gap
    today = hass.states.get(PREFIX + "import_cost_today")
    assert today is not None and today.attributes["intervals"] == 1

    await sample(hass, freezer, battery_only, when + 2 * STEP, price=0.30)
    assert value(hass, "cost_per_hour_now") == "0.45"


CORE_CARDS = {"tile", "glance", "entities", "history-graph", "gauge", "statistics-graph"}


def view_entities(node: object) -> list[str]:
    """Every entity id a Lovelace card tree names."""
    if isinstance(node, dict):
        found = [node["entity"]] if isinstance(node.get("entity"), str) else []
        return found + [entity for value in node.values() for entity in view_entities(value)]
    if isinstance(node, list):
        return [entity for item in node for entity in view_entities(item)]
    return []


async def test_the_documented_dashboard_view_names_only_real_entities_and_core_cards(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, battery_only: Household, setup_entry: Callable[..., Any]
) -> None:
    view = yaml.safe_load(LOVELACE_VIEW.read_text())
    when = datetime(2026, 11, 22, 6, tzinfo=UTC)
    freezer.move_to(when - timedelta(minutes=3))
    await setup_entry(battery_only)
    await sample(hass, freezer, battery_only, when, price=0.30)
    named = view_entities(view["cards"])
    assert len(named) >= 10
    assert [entity for entity in named if hass.states.get(entity) is None] == []
    assert {card["type"] for card in view["cards"]} <= CORE_CARDS
    assert LOVELACE_VIEW.name in (Path(__file__).parents[2] / "docs" / "INSTALL.md").read_text()


async def test_standing_against_the_regions_published_quantiles(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    battery_only: Household,
    github: GitHubServer,
    status_site: StatusSite,
) -> None:
    when = datetime(2026, 11, 22, 6, tzinfo=UTC)
    freezer.move_to(when - timedelta(minutes=3))
    entry = signed_in(battery_only.entry(), github)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={**entry.options, "status_url": status_site.url})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for index in range(6):
        await sample(hass, freezer, battery_only, when + STEP * index, price=0.30)
    own = entry.runtime_data.sampler.status.household.own_measures()
    flex = own["flex_up_kw"]
    assert flex is not None and flex > 0
    region = {
        "households": 12,
        "flex_up_kw": [flex / 4, flex / 2, flex, 2 * flex, 4 * flex],  # the household sits at the median
        "saving_aud_per_day": [-1.0, 0.0, 1.0, 2.0, 3.0],
        "export_binding_share": [0.0, 0.0, 5.0, 10.0, 20.0],
    }
    status_site.body = json.dumps({"cohort_size": 30, "period": "2026-10-26/2026-11-22", "regions": {"QLD1": region}})
    await entry.runtime_data.cohort.async_refresh()
    state = hass.states.get(PREFIX + "flexibility_offered_percentile_in_region")
    assert state is not None and float(state.state) == pytest.approx(50.0)
    assert state.attributes["region"] == "QLD1" and state.attributes["region_households"] == 12
    assert state.attributes["region_median"] == pytest.approx(flex)
    assert state.attributes["own_value"] == pytest.approx(round(flex, 4))
    assert state.attributes["unit"] == "kW" and state.attributes["beyond_published_quantiles"] is None
    binding = hass.states.get(PREFIX + "export_envelope_binding_percentile_in_region")
    assert binding is not None and own["export_binding_share"] == 0.0
    assert float(binding.state) == pytest.approx(17.5)  # 0 % ties the 10th and 25th percentiles

    status_site.status = 500  # the feed down: the last standing is kept
    await entry.runtime_data.cohort.async_refresh()
    assert float(value(hass, "flexibility_offered_percentile_in_region")) == pytest.approx(50.0)

    status_site.status = 200
    status_site.body = json.dumps({"cohort_size": 30, "regions": {"QLD1": None, "NSW1": region}})
    await entry.runtime_data.cohort.async_refresh()
    for key in ("flexibility_offered", "saving_per_day", "export_envelope_binding"):
        assert value(hass, f"{key}_percentile_in_region") == "unavailable"  # QLD1 suppressed: no comparison
