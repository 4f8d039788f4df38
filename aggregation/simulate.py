"""Synthetic households: a deterministic cohort of schema-2.0 records in the raw layout.

Each household gets a region, a real 3-digit postcode prefix, solar sized and shaped by
season and latitude, a house load with morning and evening peaks, an optional home
battery and an optional EV, all dispatched interval by interval the way a price-following
optimiser would: charge on surplus solar or cheap power, discharge at the evening peak
and on price spikes, curtail solar when feed-in pays negative, and stay inside the
connection's import and export envelopes. Duals are non-zero exactly when their
constraint binds. Prices are shared by every household of a region.

Same seed, same bytes: every random draw comes from a generator seeded by (seed, role).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from custom_components.nem_flex_telemetry import record as rec

STEPS_PER_DAY = 288
DT_H = 5 / 60
AEST = timedelta(hours=10)
DEFAULT_START = date(2026, 11, 2)
EV_TARGET_PCT = 80.0  # departure target of households with a schedule
EV_DEFAULT_PCT = 70.0  # what households without one aim for

# Real 3-digit postcode prefixes with the latitude of their main centre.
POSTCODES: dict[str, list[tuple[str, float]]] = {
    "NSW1": [
        ("200", -33.87),
        ("211", -33.80),
        ("217", -33.92),
        ("222", -34.03),
        ("226", -33.43),
        ("230", -32.93),
        ("245", -30.30),
        ("250", -34.42),
        ("260", -35.28),
        ("265", -35.12),
        ("280", -33.28),
    ],
    "VIC1": [
        ("300", -37.81),
        ("303", -37.75),
        ("305", -37.77),
        ("310", -37.80),
        ("315", -37.86),
        ("317", -37.93),
        ("320", -38.15),
        ("335", -37.56),
        ("355", -36.76),
        ("350", -34.19),
    ],
    "QLD1": [
        ("400", -27.47),
        ("410", -27.55),
        ("412", -27.62),
        ("420", -28.00),
        ("421", -27.97),
        ("430", -27.61),
        ("435", -27.56),
        ("455", -26.65),
        ("470", -23.38),
        ("481", -19.26),
        ("487", -16.92),
    ],
    "SA1": [
        ("500", -34.93),
        ("501", -34.88),
        ("502", -34.90),
        ("504", -34.97),
        ("508", -34.87),
        ("509", -34.85),
        ("511", -34.75),
        ("515", -35.05),
        ("529", -37.83),
    ],
    "TAS1": [
        ("700", -42.88),
        ("701", -42.84),
        ("705", -42.90),
        ("711", -42.98),
        ("725", -41.44),
        ("731", -41.18),
        ("732", -41.05),
    ],
}
# Solar noon in AEST hours (longitude), and how often feed-in goes negative at midday.
SOLAR_NOON_AEST = {"NSW1": 12.0, "VIC1": 12.3, "QLD1": 11.8, "SA1": 12.7, "TAS1": 12.2}
MIDDAY_PRICE = {"NSW1": 20.0, "VIC1": -15.0, "QLD1": 15.0, "SA1": -35.0, "TAS1": 30.0}  # $/MWh
REGION_WEIGHTS = {"NSW1": 0.32, "VIC1": 0.26, "QLD1": 0.24, "SA1": 0.12, "TAS1": 0.06}


@dataclass(frozen=True, slots=True)
class Household:
    """Fixed facts about one synthetic household."""

    household_id: str
    region: str
    postcode_prefix: str
    latitude: float
    solar_kwp: float
    load_scale: float
    import_limit_kw: float
    export_limit_kw: float
    dynamic_export: bool
    dynamic_import: bool
    battery_kwh: float | None
    battery_kw: float
    ev_kwh: float | None
    ev_charger_kw: float
    ev_bidirectional: bool
    ev_has_schedule: bool


def _rng(seed: int, *role: int) -> np.random.Generator:
    return np.random.default_rng([seed, *role])


def make_household(seed: int, index: int) -> Household:
    """Draw one household's fixed facts; deterministic in (seed, index)."""
    rng = _rng(seed, 1, index)
    regions = list(REGION_WEIGHTS)
    # Spread the first households over every region, then draw by weight.
    region = regions[index] if index < len(regions) else str(rng.choice(regions, p=list(REGION_WEIGHTS.values())))
    prefix, latitude = POSTCODES[region][int(rng.integers(len(POSTCODES[region])))]
    has_battery = rng.random() < 0.8
    has_ev = rng.random() < 0.45
    return Household(
        household_id=str(uuid.UUID(bytes=rng.bytes(16), version=4)),
        region=region,
        postcode_prefix=prefix,
        latitude=latitude,
        solar_kwp=float(rng.choice([5.0, 6.6, 8.0, 10.0, 13.2])),
        load_scale=float(rng.uniform(0.7, 1.4)),
        import_limit_kw=float(rng.choice([10.0, 14.0, 14.0, 20.0])),
        export_limit_kw=float(rng.choice([5.0, 5.0, 10.0])),
        dynamic_export=bool(rng.random() < 0.5),
        dynamic_import=bool(rng.random() < 0.35),
        battery_kwh=float(rng.choice([9.6, 10.0, 13.5, 16.0])) if has_battery else None,
        battery_kw=5.0,
        ev_kwh=float(rng.choice([60.0, 75.0, 82.0])) if has_ev else None,
        ev_charger_kw=float(rng.choice([7.0, 7.0, 11.0])),
        ev_bidirectional=bool(rng.random() < 0.25),
        ev_has_schedule=bool(rng.random() < 0.7),
    )


def _aest_hours(start: datetime, steps: int) -> NDArray[np.float64]:
    minutes = np.arange(steps) * 5.0
    return np.asarray(((start + AEST).hour * 60 + minutes) / 60.0 % 24.0)


def region_prices(
    seed: int, region: str, start: datetime, steps: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Buy and sell prices ($/kWh) for a region: evening peaks, negative middays, rare spikes."""
    rng = _rng(seed, 2, list(POSTCODES).index(region))
    hour = _aest_hours(start, steps)
    days = steps // STEPS_PER_DAY + 1
    day_level = np.repeat(rng.normal(1.0, 0.25, days), STEPS_PER_DAY)[:steps]
    midday = MIDDAY_PRICE[region] + np.repeat(rng.normal(0, 25, days), STEPS_PER_DAY)[:steps]
    wholesale = (
        70.0 + 60.0 * np.exp(-(((hour - 7.5) / 1.2) ** 2)) + 190.0 * np.exp(-(((hour - 18.5) / 1.6) ** 2))
    ) * day_level
    solar_dip = np.exp(-(((hour - 12.5) / 2.2) ** 2))
    wholesale = wholesale * (1 - solar_dip) + midday * solar_dip
    wholesale += rng.normal(0, 12, steps)
    # Rare spikes, mostly in the evening, lasting one to three intervals.
    evening = (hour >= 16) & (hour < 21)
    spike_start = rng.random(steps) < np.where(evening, 0.004, 0.0003)
    spikes = np.full(steps, -np.inf)
    for i in np.flatnonzero(spike_start):
        spikes[i : i + int(rng.integers(1, 4))] = rng.uniform(1500, 15000)
    wholesale = np.maximum(wholesale, spikes)
    wholesale = np.clip(wholesale, -1000.0, 17500.0)
    network = np.where((hour >= 16) & (hour < 21), 0.28, np.where((hour >= 7) & (hour < 16), 0.09, 0.06))
    buy = np.clip(wholesale / 1000.0 + network, -1.9, 19.9)
    sell = np.clip(wholesale / 1000.0, -1.0, 19.9)
    return buy, sell


def _solar_profile(house: Household, rng: np.random.Generator, start: datetime, steps: int) -> NDArray[np.float64]:
    hour = _aest_hours(start, steps)
    day_index = np.arange(steps) // STEPS_PER_DAY
    doy = np.array([(start.date() + timedelta(days=int(d))).timetuple().tm_yday for d in range(int(day_index[-1]) + 1)])
    declination = np.radians(23.44) * np.sin(2 * np.pi * (284 + doy[day_index]) / 365)
    lat = math.radians(house.latitude)
    hour_angle = np.radians(15.0 * (hour - SOLAR_NOON_AEST[house.region]))
    sin_alt = np.sin(lat) * np.sin(declination) + np.cos(lat) * np.cos(declination) * np.cos(hour_angle)
    clear = np.clip(sin_alt, 0, None) ** 1.2
    days = int(day_index[-1]) + 1
    cloud_day = rng.beta(5, 1.6, days)[day_index]
    cloud_noise = np.clip(1 - np.abs(rng.normal(0, 0.08, steps)), 0.4, 1.0)
    return np.asarray(house.solar_kwp * 0.85 * clear * cloud_day * cloud_noise)


def _house_load(house: Household, rng: np.random.Generator, start: datetime, steps: int) -> NDArray[np.float64]:
    hour = _aest_hours(start, steps)
    shape = (
        0.45
        + 0.8 * np.exp(-(((hour - 7.2) / 1.0) ** 2))
        + 1.4 * np.exp(-(((hour - 18.8) / 1.8) ** 2))
        + 0.25 * np.exp(-(((hour - 13.0) / 3.0) ** 2))
    )
    noise = rng.lognormal(0.0, 0.25, steps)
    return np.asarray(np.clip(shape * house.load_scale * noise, 0.1, 9.0))


@dataclass(slots=True)
class Trip:
    """One EV trip in interval indices: leaves at ``depart``, back at ``arrive``."""

    depart: int
    arrive: int
    energy_kwh: float


def _trips(rng: np.random.Generator, start: datetime, days: int) -> list[Trip]:
    trips = []
    for day in range(days):
        weekday = (start + AEST + timedelta(days=day)).weekday() < 5
        base = day * STEPS_PER_DAY - 10 * 12  # AEST midnight of this day (start is UTC midnight)
        if weekday and rng.random() < 0.85:
            depart = base + int(rng.integers(7 * 12, 8 * 12 + 6))
            arrive = base + int(rng.integers(16 * 12 + 6, 18 * 12 + 6))
            trips.append(Trip(depart, arrive, float(rng.uniform(6, 16))))
        elif not weekday and rng.random() < 0.5:
            depart = base + int(rng.integers(9 * 12, 12 * 12))
            trips.append(Trip(depart, depart + int(rng.integers(18, 60)), float(rng.uniform(4, 20))))
    return trips


@dataclass(frozen=True, slots=True)
class Inputs:
    """A household's exogenous series over the whole period, one value per interval."""

    buy: NDArray[np.float64]
    sell: NDArray[np.float64]
    solar_forecast: NDArray[np.float64]
    house_load: NDArray[np.float64]
    import_limit: NDArray[np.float64]
    export_limit: NDArray[np.float64]
    away: NDArray[np.bool_]
    drain_kwh: NDArray[np.float64]
    next_departure: NDArray[np.int64]
    plugged: NDArray[np.bool_]
    cheap: float
    dear: float


def _inputs(house: Household, seed: int, index: int, start: datetime, days: int) -> Inputs:
    rng = _rng(seed, 3, index)
    steps = days * STEPS_PER_DAY
    buy, sell = region_prices(seed, house.region, start, steps)
    solar_forecast = _solar_profile(house, rng, start, steps)
    load = _house_load(house, rng, start, steps)
    hour = _aest_hours(start, steps)
    tight_day = rng.random(days + 1)[np.arange(steps) // STEPS_PER_DAY] < 0.6
    export_tight = house.dynamic_export & (hour >= 10) & (hour < 15) & tight_day
    import_tight = house.dynamic_import & (hour >= 17) & (hour < 20)
    trips = _trips(rng, start, days)
    away = np.zeros(steps, dtype=bool)
    drain = np.zeros(steps)
    next_departure = np.full(steps, -1, dtype=np.int64)
    for trip in trips:
        lo, hi = max(trip.depart, 0), min(trip.arrive, steps)
        if lo < hi:
            away[lo:hi] = True
            drain[lo:hi] = trip.energy_kwh / (trip.arrive - trip.depart)
    for trip in reversed(trips):
        if trip.depart > 0:
            next_departure[max(trip.depart - STEPS_PER_DAY, 0) : min(trip.depart, steps)] = trip.depart
    plugged_when_home = rng.random(steps) < 0.9
    plug_runs = np.repeat(rng.random(days * 4 + 1) < 0.85, 72)[:steps]
    return Inputs(
        buy=buy,
        sell=sell,
        solar_forecast=solar_forecast,
        house_load=load,
        import_limit=np.where(import_tight, 7.0, house.import_limit_kw),
        export_limit=np.where(export_tight, 1.5, house.export_limit_kw),
        away=away,
        drain_kwh=drain,
        next_departure=next_departure,
        plugged=~away & plugged_when_home & plug_runs,
        cheap=float(np.percentile(buy, 25)),
        dear=float(np.percentile(buy, 80)),
    )


@dataclass(slots=True)
class Dispatch:
    """What the optimiser decided for one interval."""

    solar: float
    house: float
    battery_kw: float
    ev_kw: float
    import_bound: bool = False
    export_bound: bool = False
    curtailed: bool = False

    @property
    def net(self) -> float:
        return self.house + self.battery_kw + self.ev_kw - self.solar


def _battery_setpoint(
    house: Household, soc: float, solar: float, load: float, buy: float, sell: float, inputs: Inputs
) -> float:
    """Surplus solar and cheap power in; the evening peak and price spikes out."""
    if not house.battery_kwh:
        return 0.0
    room = (house.battery_kwh * 0.98 - soc) / DT_H / 0.95
    available = (soc - house.battery_kwh * 0.10) * 0.95 / DT_H
    if sell > 1.0 or buy >= inputs.dear:
        wanted = load + (house.battery_kw if sell > 0.3 else 0.0)
        return -min(house.battery_kw, max(available, 0.0), wanted)
    if buy <= inputs.cheap and buy < 0.12:
        return min(house.battery_kw, max(room, 0.0))
    if solar > load:
        return min(house.battery_kw, max(room, 0.0), solar - load)
    return 0.0


def _ev_setpoint(
    house: Household, soc: float, t: int, surplus: float, buy: float, sell: float, inputs: Inputs
) -> float:
    """Charge when cheap, on surplus solar or when the departure target needs it; V2G on spikes."""
    if not house.ev_kwh or not inputs.plugged[t]:
        return 0.0
    target = EV_TARGET_PCT if house.ev_has_schedule else EV_DEFAULT_PCT
    soc_pct = 100 * soc / house.ev_kwh
    room = (house.ev_kwh * 0.95 - soc) / DT_H / 0.92
    need = target - soc_pct
    steps_left = int(inputs.next_departure[t]) - t if inputs.next_departure[t] > 0 else 10**6
    must = need > 0 and steps_left * DT_H * house.ev_charger_kw * 0.92 < need / 100 * house.ev_kwh * 1.3
    if house.ev_bidirectional and sell > 1.0 and soc_pct > target + 5:
        return -min(5.0, (soc - house.ev_kwh * target / 100) / DT_H)
    if must or (buy <= inputs.cheap and need > -10) or surplus > 1.5:
        charge = min(house.ev_charger_kw, max(room, 0.0))
        if not must and buy > inputs.cheap:
            charge = min(charge, max(surplus, 0.0))
        return charge if charge > 0.05 else 0.0
    return 0.0


def _fit_envelopes(d: Dispatch, import_limit: float, export_limit: float, sell: float) -> None:
    """Trim flexible charging to the import limit; curtail solar (then discharge) to the export limit."""
    if d.net > import_limit:
        excess = d.net - import_limit
        cut = min(excess, max(d.ev_kw, 0.0))
        d.ev_kw -= cut
        if excess - cut > 0 and d.battery_kw > 0:
            d.battery_kw -= min(excess - cut, d.battery_kw)
        d.import_bound = abs(d.net - import_limit) < 1e-9
    if sell < 0 and d.net < 0:  # paid to export: curtail solar to what the house and storage take
        d.solar = max(d.solar + d.net, 0.0)
        d.curtailed = True
    if -d.net > export_limit:
        excess = -d.net - export_limit
        cut = min(excess, d.solar)
        d.solar -= cut
        excess -= cut
        d.curtailed = d.curtailed or cut > 0
        if excess > 0 and d.battery_kw < 0:
            cut = min(excess, -d.battery_kw)
            d.battery_kw += cut
            excess -= cut
        if excess > 0 and d.ev_kw < 0:
            d.ev_kw += min(excess, -d.ev_kw)
        d.export_bound = True


@dataclass(frozen=True, slots=True)
class Duals:
    """Shadow prices ($/kWh) consistent with the dispatch, in SCHEMA.md's signs: limits <= 0 when binding."""

    energy: float
    solar: float
    envelope_import: float
    envelope_export: float


def _duals(d: Dispatch, buy: float, sell: float, solar_forecast: float) -> Duals:
    import_dual = -round(0.05 + 0.5 * max(buy, 0.0), 4) if d.import_bound else 0.0
    export_dual = -round(sell, 4) if d.export_bound and sell > 0 else 0.0
    net = d.net
    if d.import_bound:
        energy = buy - import_dual
    elif d.export_bound:
        energy = 0.0
    elif net > 0.05:
        energy = buy
    elif net < -0.05:
        energy = sell
    else:
        energy = (buy + sell) / 2
    solar = -energy if solar_forecast > 0.01 and not d.curtailed else 0.0
    return Duals(energy, solar, import_dual, export_dual)


def _battery_asset(house: Household, soc: float, d: Dispatch, duals: Duals) -> tuple[dict[str, Any], float, float]:
    capacity = house.battery_kwh or 0.0
    up = max(0.0, min(house.battery_kw, (capacity - soc) / DT_H) - d.battery_kw)
    down = max(0.0, d.battery_kw + min(house.battery_kw, max(soc - 0.1 * capacity, 0.0) / DT_H))
    asset = {
        "asset_id": "home_battery",
        "kind": "stationary_battery",
        "bidirectional_capable": True,
        "capacity_kwh": capacity,
        "soc_pct": min(max(100 * soc / capacity, 0.0), 100.0),
        "setpoint_kw": d.battery_kw,
        "available_up_kw": up,
        "available_down_kw": down,
        "shadow_power_balance_price": duals.energy,
    }
    return asset, up, down


def _ev_state(away: bool, plugged: bool, setpoint: float) -> str:
    if away:
        return "driving"
    if setpoint > 0.05:
        return "charging"
    if setpoint < -0.05:
        return "discharging"
    return "plugged_idle" if plugged else "unplugged"


def _ev_asset(
    house: Household, soc: float, t: int, d: Dispatch, duals: Duals, inputs: Inputs, start: datetime
) -> tuple[dict[str, Any], float, float]:
    capacity = house.ev_kwh or 0.0
    soc_pct = min(max(100 * soc / capacity, 0.0), 100.0)
    at_home = bool(inputs.plugged[t])
    up = max(0.0, house.ev_charger_kw - d.ev_kw) if at_home and soc_pct < 99.5 else 0.0
    down = max(d.ev_kw + (5.0 if house.ev_bidirectional else 0.0), 0.0) if at_home else 0.0
    departure = int(inputs.next_departure[t])
    target = EV_TARGET_PCT if house.ev_has_schedule else None
    asset = {
        "asset_id": "ev1",
        "kind": "ev",
        "bidirectional_capable": house.ev_bidirectional,
        "capacity_kwh": capacity,
        "soc_pct": soc_pct,
        "setpoint_kw": d.ev_kw,
        "available_up_kw": up,
        "available_down_kw": down,
        "shadow_power_balance_price": duals.energy if at_home else None,
        "connection_state": _ev_state(bool(inputs.away[t]), at_home, d.ev_kw),
        "power_flow_capability": ("bidirectional" if house.ev_bidirectional else "charge_only") if at_home else "none",
        "departure_target_pct": target,
        "departure_time_utc": rec.format_utc(start + departure * rec.INTERVAL)
        if target is not None and departure > 0
        else None,
    }
    return asset, up, down


def simulate_household(seed: int, index: int, start: datetime, days: int) -> tuple[Household, list[dict[str, Any]]]:
    """All records of one household over ``days`` days from ``start`` (UTC midnight)."""
    house = make_household(seed, index)
    inputs = _inputs(house, seed, index, start, days)
    battery_soc = 0.5 * (house.battery_kwh or 0.0)
    ev_soc = 0.6 * (house.ev_kwh or 0.0)
    out: list[dict[str, Any]] = []
    for t in range(days * STEPS_PER_DAY):
        buy, sell = float(inputs.buy[t]), float(inputs.sell[t])
        solar, load = float(inputs.solar_forecast[t]), float(inputs.house_load[t])
        import_limit, export_limit = float(inputs.import_limit[t]), float(inputs.export_limit[t])
        battery_kw = _battery_setpoint(house, battery_soc, solar, load, buy, sell, inputs)
        ev_kw = _ev_setpoint(house, ev_soc, t, solar - load - battery_kw, buy, sell, inputs)
        dispatch = Dispatch(solar, load, battery_kw, ev_kw)
        _fit_envelopes(dispatch, import_limit, export_limit, sell)
        duals = _duals(dispatch, buy, sell, solar)

        assets: list[dict[str, Any]] = []
        up_total = down_total = 0.0
        if house.battery_kwh:
            asset, up, down = _battery_asset(house, battery_soc, dispatch, duals)
            assets.append(asset)
            up_total, down_total = up_total + up, down_total + down
        if house.ev_kwh:
            asset, up, down = _ev_asset(house, ev_soc, t, dispatch, duals, inputs, start)
            assets.append(asset)
            up_total, down_total = up_total + up, down_total + down

        net = dispatch.net
        out.append(
            {
                "schema_version": rec.SCHEMA_VERSION,
                "interval_start_utc": rec.format_utc(start + t * rec.INTERVAL),
                "region": house.region,
                "postcode_prefix": house.postcode_prefix,
                "net_import_kw": net,
                "solar_kw": max(dispatch.solar, 0.0),
                "house_load_kw": load,
                "deferrable_load_kw": 0.0,
                "naive_baseline_kw": net - dispatch.battery_kw,
                "naive_baseline_method": "subtraction",
                "price_signal_seen": buy,
                "price_export_seen": sell,
                "envelope_import_limit_kw": import_limit,
                "envelope_export_limit_kw": export_limit,
                "flex_available_up_kw": min(up_total, max(0.0, import_limit - net)),
                "flex_available_down_kw": min(down_total, max(0.0, export_limit + net)),
                "shadow_energy_price": duals.energy,
                "shadow_load_forecast_price": duals.energy,
                "shadow_solar_forecast_price": duals.solar,
                "shadow_envelope_import_price": duals.envelope_import,
                "shadow_envelope_export_price": duals.envelope_export,
                "assets": assets,
                "deferrable_loads": [],
            }
        )
        # State moves after the interval's record: SOC at the start of the next interval.
        battery_soc += (dispatch.battery_kw * 0.95 if dispatch.battery_kw > 0 else dispatch.battery_kw / 0.95) * DT_H
        if inputs.away[t]:
            ev_soc = max(ev_soc - float(inputs.drain_kwh[t]), (house.ev_kwh or 0.0) * 0.05)
        else:
            ev_soc += (dispatch.ev_kw * 0.92 if dispatch.ev_kw > 0 else dispatch.ev_kw / 0.92) * DT_H
    return house, out


def _day_lines(records: list[dict[str, Any]]) -> Iterator[tuple[str, list[str]]]:
    for first in range(0, len(records), STEPS_PER_DAY):
        day = records[first : first + STEPS_PER_DAY]
        lines = [json.dumps(rec.canonical_record(r), separators=(",", ":"), allow_nan=False) for r in day]
        yield day[0]["interval_start_utc"], lines


def write_household(seed: int, index: int, start: datetime, days: int, out: Path) -> int:
    """Simulate one household and write its day files; returns the record count."""
    house, records = simulate_household(seed, index, start, days)
    for first_interval, lines in _day_lines(records):
        path = out / rec.raw_path(house.household_id, first_interval)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return len(records)


def _write_chunk(job: tuple[int, list[int], datetime, int, Path]) -> int:
    seed, indices, start, days, out = job
    return sum(write_household(seed, index, start, days, out) for index in indices)


def simulate(households: int, days: int, seed: int, out: Path, start: date = DEFAULT_START, workers: int = 2) -> int:
    """Write the cohort under ``out``; returns the number of records written."""
    begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
    chunks = [list(range(i, households, workers)) for i in range(workers)]
    jobs = [(seed, chunk, begin, days, out) for chunk in chunks if chunk]
    if len(jobs) <= 1:
        return sum(_write_chunk(job) for job in jobs)
    with ProcessPoolExecutor(max_workers=len(jobs)) as pool:
        return sum(pool.map(_write_chunk, jobs))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--households", type=int, default=60, help="number of households (default 60)")
    parser.add_argument("--days", type=int, default=7, help="days to simulate (default 7)")
    parser.add_argument("--seed", type=int, default=1, help="random seed; same seed, same bytes (default 1)")
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="first UTC day, YYYY-MM-DD")
    parser.add_argument("--out", type=Path, required=True, help="folder to write <household_id>/YYYY/MM/DD.jsonl into")
    parser.add_argument("--workers", type=int, default=2, help="processes to use (default 2)")


def run(args: argparse.Namespace) -> int:
    if args.households < 1 or args.days < 1:
        print("error: --households and --days must be at least 1", file=sys.stderr)
        return 2
    began = time.perf_counter()
    count = simulate(args.households, args.days, args.seed, args.out, args.start, max(args.workers, 1))
    seconds = time.perf_counter() - began
    print(
        f"wrote {count:,} records for {args.households} households x {args.days} days to {args.out} "
        f"in {seconds:.1f} s ({count / seconds * 60 / 1e6:.2f} million records/minute)"
    )
    return 0
