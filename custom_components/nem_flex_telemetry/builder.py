"""Build one schema-2.0 record from Home Assistant states.

Derivations (SCHEMA.md states the same rules):

=============================  ==================================================================
field                          derivation
=============================  ==================================================================
net_import_kw                  grid active power (HAEO ``grid_power_active``; + import, - export)
solar_kw                       sum of the mapped solar powers (0.0 when the household maps none)
house_load_kw                  sum of the mapped load powers that are not EV assets (0.0 if none)
deferrable_load_kw             mapped deferrable power, else 0.0
naive_baseline_kw              net_import_kw - sum(stationary battery setpoints); method "subtraction"
                               (the battery removed; EV charging kept as it happened)
price_signal_seen              mapped import price ($/kWh; c/kWh and $/MWh converted; no unit = $/kWh)
price_export_seen              mapped export price ($/kWh)
envelope_import_limit_kw       mapped entity (a power: W/kW/MW), else the value declared in the flow
envelope_export_limit_kw       mapped entity (a power, as a magnitude), else the declared value
flex_available_up_kw           min(sum assets' available_up, max(0, import limit - net import))
flex_available_down_kw         min(sum assets' available_down, max(0, export limit + net import))
shadow_energy_price            Switchboard ``node_power_balance`` dual
shadow_load_forecast_price     the house load's ``load_forecast_limit_price`` dual
shadow_solar_forecast_price    the solar ``solar_forecast_limit`` dual
shadow_envelope_import_price   grid ``grid_power_max_import_price`` dual
shadow_envelope_export_price   grid ``grid_power_max_export_price`` dual
asset.setpoint_kw              + charging: -active power for a HAEO battery, load power for an EV load
asset.soc_pct                  mapped state of charge (%)
asset.capacity_kwh             declared by the user in the flow
asset.available_up_kw          max(0, max charge - setpoint); when full only max(0, -setpoint)
asset.available_down_kw        setpoint + max discharge if bidirectional, else max(setpoint, 0);
                               when empty max(setpoint, 0)
asset.shadow_power_balance_..  -battery_power_balance (battery), +load_forecast_limit_price (a fixed
                               EV load): the Switchboard's sign; null for any other source
EV connection_state            plug sensor off -> unplugged; charging sensor on -> charging; no usable
                               plug sensor: SOC falling > 1.5 %/interval -> driving, else unplugged
                               (not known to be connected); plug on: setpoint > 0.1 kW or SOC rising
                               > 1 % -> charging; setpoint < -0.1 kW -> discharging; else plugged_idle
EV power_flow_capability       none when unplugged/driving; bidirectional if bidirectional_capable,
                               else charge_only (both availabilities 0 when none)
EV departure_target_pct/time   mapped entities, else null
=============================  ==================================================================

Record-level duals keep HAEO's sign, asset duals are normalised (ASSET_DUAL_SIGNS); all
are in $/kWh: HAEO before v0.4.0 labelled some ``$/kW`` per period, which are divided by
the period length in hours (from the forecast's first two times). Values HAEO computes in
floating point are clamped into their range when within ``RANGE_TOLERANCE`` of it.
Inputs that are unavailable, unknown, non-numeric, out of range or stale (HAEO outputs,
which HAEO rewrites at every optimisation, not reported for ``STALE_AFTER``) give null
where the schema allows null (duals, EV departure fields, an EV setpoint when it cannot
flow) and skip the interval otherwise (:class:`SkipInterval` carries the reason).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, cast

from homeassistant.const import STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import (
    ASSET_BIDIRECTIONAL,
    ASSET_CAPACITY_KWH,
    ASSET_CHARGING,
    ASSET_DEPARTURE_TARGET,
    ASSET_DEPARTURE_TIME,
    ASSET_DUAL,
    ASSET_ID,
    ASSET_KIND,
    ASSET_MAX_CHARGE_KW,
    ASSET_MAX_DISCHARGE_KW,
    ASSET_PLUG,
    ASSET_POWER,
    ASSET_POWER_SIGN,
    ASSET_SOC,
    EV_CHARGING_SOC_RISE_PCT,
    EV_DRIVING_SOC_DROP_PCT,
    EV_SETPOINT_THRESHOLD_KW,
    KIND_EV,
    MAP_DEFERRABLE_POWER,
    MAP_ENERGY_DUAL,
    MAP_EXPORT_ENVELOPE_DUAL,
    MAP_EXPORT_LIMIT,
    MAP_EXPORT_LIMIT_KW,
    MAP_EXPORT_PRICE,
    MAP_GRID_POWER,
    MAP_IMPORT_ENVELOPE_DUAL,
    MAP_IMPORT_LIMIT,
    MAP_IMPORT_LIMIT_KW,
    MAP_IMPORT_PRICE,
    MAP_LOAD_FORECAST_DUAL,
    MAP_LOAD_POWERS,
    MAP_SOLAR_FORECAST_DUAL,
    MAP_SOLAR_POWERS,
    SIGN_DISCHARGE_POSITIVE,
    STALE_AFTER,
)
from .record import (
    INTERVAL,
    PERCENT_RANGE,
    POWER_RANGE,
    SCHEMA_VERSION,
    SIGNED_POWER_RANGE,
    Asset,
    Record,
    clamp_to_range,
    format_utc,
)
from .units import UnitError, to_kw, to_per_kwh


class SkipInterval(Exception):  # noqa: N818 - it is a control signal, not an error
    """The interval cannot be published; ``reason`` says which input and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Identity:
    """What identifies the household in every record."""

    region: str
    postcode_prefix: str


@dataclass(slots=True)
class EvMemory:
    """Last SOC seen per EV, to infer driving/charging from its change per interval."""

    soc: dict[str, tuple[datetime, float]] = field(default_factory=dict)


# HAEO output a mapped asset dual comes from -> factor into the asset convention (SCHEMA.md
# "Shadow prices"): the Switchboard's sign, + = one more kWh into the asset costs more.
# A battery's power-balance sensor shows the first row of its balance block (in v0.4 the
# split of its production over tags), which reads with the opposite sign (so do v0.3's).
# A fixed load's forecast limit is an equality whose dual is already that marginal cost.
ASSET_DUAL_SIGNS: Final = {"battery_power_balance": -1.0, "load_forecast_limit_price": 1.0}


class Reader:
    """Reads states at one moment: HAEO outputs must have been reported recently."""

    def __init__(self, hass: HomeAssistant, now: datetime) -> None:
        self._hass = hass
        self._now = now

    def is_haeo_output(self, state: State) -> bool:
        """An output HAEO rewrites at every optimisation (not an input number or another sensor).

        v0.4 marks them ``source_role: output``. v0.3.x has no ``source_role``, and its input
        numbers carry ``output_type`` too: there an output is a sensor with ``output_name``,
        or, failing that, a sensor of HAEO's platform.
        """
        role = state.attributes.get("source_role")
        if role is not None:
            return bool(role == "output")
        if state.domain != "sensor":
            return False
        if "output_name" in state.attributes:
            return True
        entry = er.async_get(self._hass).async_get(state.entity_id)
        return entry is not None and entry.platform == "haeo"

    def state(self, entity_id: str) -> State | str:
        """The usable state, or a reason it is not usable.

        Staleness applies to HAEO outputs only; other inputs (prices, limits, plug sensors)
        may rightly sit still for hours.
        """
        state = self._hass.states.get(entity_id)
        if state is None:
            return f"{entity_id} does not exist"
        if state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return f"{entity_id} is {state.state}"
        if self._now - state.last_reported > STALE_AFTER and self.is_haeo_output(state):
            minutes = int((self._now - state.last_reported).total_seconds() // 60)
            return f"{entity_id} is stale (not reported for {minutes} min)"
        return state

    def number(self, entity_id: str) -> tuple[float, State] | str:
        """A finite number from a state, or a reason."""
        state = self.state(entity_id)
        if isinstance(state, str):
            return state
        try:
            value = float(state.state)
        except ValueError:
            return f"{entity_id} is not numeric ({state.state[:20]!r})"
        if not math.isfinite(value):
            return f"{entity_id} is not finite"
        return value, state

    def required(self, entity_id: str) -> float:
        """A number, or skip the interval."""
        result = self.number(entity_id)
        if isinstance(result, str):
            raise SkipInterval(result)
        return result[0]

    def power(self, entity_id: str) -> float:
        """A power in kW (W and MW converted), or skip the interval."""
        result = self.number(entity_id)
        if isinstance(result, str):
            raise SkipInterval(result)
        value, state = result
        try:
            return to_kw(value, state.attributes.get("unit_of_measurement"))
        except UnitError as err:
            raise SkipInterval(f"{entity_id} {err}") from None

    def optional_power(self, entity_id: str | None) -> float | None:
        """A power in kW, or None when not usable."""
        if entity_id is None:
            return None
        try:
            return self.power(entity_id)
        except SkipInterval:
            return None

    def price(self, entity_id: str) -> float:
        """A price in $/kWh, or skip the interval (prices may sit unchanged for hours)."""
        result = self.number(entity_id)
        if isinstance(result, str):
            raise SkipInterval(result)
        value, state = result
        try:
            return to_per_kwh(value, state.attributes.get("unit_of_measurement"))
        except UnitError as err:
            raise SkipInterval(f"{entity_id} {err}") from None

    def dual(self, entity_id: str | None) -> float | None:
        """A dual in $/kWh with HAEO's sign, or None (missing, unavailable, stale, unconvertible)."""
        result = self.dual_state(entity_id)
        return None if result is None else result[0]

    def dual_state(self, entity_id: str | None) -> tuple[float, State] | None:
        """A dual in $/kWh with HAEO's sign and the state it came from, or None."""
        if entity_id is None:
            return None
        result = self.number(entity_id)
        if isinstance(result, str):
            return None
        value, state = result
        unit = str(state.attributes.get("unit_of_measurement") or "")
        if unit.endswith("/kW"):  # HAEO < 0.4.0: per period; divide by the period in hours
            hours = period_hours(state.attributes.get("forecast"))
            return None if hours is None else (value / hours, state)
        return value, state

    def output_name(self, state: State) -> str | None:
        """HAEO's name of the output a state shows (attribute, else the registry's translation key)."""
        name = state.attributes.get("output_name")
        if isinstance(name, str):
            return name
        entry = er.async_get(self._hass).async_get(state.entity_id)
        return entry.translation_key if entry is not None and entry.platform == "haeo" else None

    def attribute(self, entity_id: str | None, name: str) -> object:
        """One attribute of an entity's current state (None when absent)."""
        state = None if entity_id is None else self._hass.states.get(entity_id)
        return None if state is None else state.attributes.get(name)

    def optional(self, entity_id: str | None) -> float | None:
        """A plain number, or None when unmapped or unusable."""
        result = None if entity_id is None else self.number(entity_id)
        return None if result is None or isinstance(result, str) else result[0]

    def flag(self, entity_id: str | None) -> bool | None:
        """A binary sensor as True/False, None when unmapped or unusable."""
        if entity_id is None:
            return None
        state = self.state(entity_id)
        return None if isinstance(state, str) else state.state == STATE_ON

    def moment(self, entity_id: str | None) -> str | None:
        """A timestamp state as the record's UTC string, None when unusable."""
        if entity_id is None:
            return None
        state = self.state(entity_id)
        if isinstance(state, str):
            return None
        parsed = dt_util.parse_datetime(state.state)
        if parsed is None or parsed.tzinfo is None:
            return None
        return format_utc(parsed)


def in_range(value: float, bounds: tuple[float, float], what: str) -> float:
    """``value`` clamped into ``bounds`` when within the tolerance, else skip the interval."""
    clamped = clamp_to_range(value, *bounds)
    if clamped is None:
        raise SkipInterval(f"{what} {value:g} is outside {bounds[0]:g} to {bounds[1]:g}")
    return clamped


def period_hours(forecast: object) -> float | None:
    """Length in hours of the first forecast period ([{time, value}, ...])."""
    if not isinstance(forecast, list) or len(forecast) < 2:
        return None
    times = []
    for point in forecast[:2]:
        raw = point.get("time") if isinstance(point, Mapping) else None
        moment = raw if isinstance(raw, datetime) else dt_util.parse_datetime(str(raw)) if raw else None
        if moment is None:
            return None
        times.append(moment)
    hours = (times[1] - times[0]).total_seconds() / 3600
    return hours if hours > 0 else None


def _setpoint(reader: Reader, asset: Mapping[str, Any]) -> float | None:
    power = reader.optional_power(asset.get(ASSET_POWER))
    if power is None:
        return None
    setpoint = -power if asset.get(ASSET_POWER_SIGN) == SIGN_DISCHARGE_POSITIVE else power
    return clamp_to_range(setpoint, *SIGNED_POWER_RANGE)


def _availability(asset: Mapping[str, Any], soc: float, setpoint: float) -> tuple[float, float]:
    max_charge = float(asset[ASSET_MAX_CHARGE_KW])
    max_discharge = float(asset.get(ASSET_MAX_DISCHARGE_KW) or 0.0) if asset[ASSET_BIDIRECTIONAL] else 0.0
    up = max(0.0, -setpoint) if soc >= 100.0 else max(0.0, max_charge - setpoint)
    down = max(setpoint, 0.0) if soc <= 0.0 else max(0.0, setpoint + max_discharge)
    return up, down


def asset_dual(reader: Reader, asset: Mapping[str, Any]) -> float | None:
    """The asset's dual in the asset convention, or None when its meaning is not known.

    Known sources are in ASSET_DUAL_SIGNS; a load whose power HAEO may curtail (its power
    sensor says ``fixed: false``) has an inequality as forecast limit, whose dual is not a
    marginal cost of energy, so it is null like any other source.
    """
    result = reader.dual_state(asset.get(ASSET_DUAL))
    if result is None:
        return None
    value, state = result
    source = reader.output_name(state)
    if source not in ASSET_DUAL_SIGNS:
        return None
    if source == "load_forecast_limit_price" and reader.attribute(asset.get(ASSET_POWER), "fixed") is False:
        return None
    return value * ASSET_DUAL_SIGNS[source]


def _connection_state(asset: Mapping[str, Any], reader: Reader, setpoint: float | None, delta: float | None) -> str:
    """The EV's state from evidence only: a plug or charging sensor says it is at home.

    HAEO plans an EV's charging (and publishes its duals) whether or not the car is there,
    so without a plug or charging sensor nothing says it is connected.
    """
    plugged = reader.flag(asset.get(ASSET_PLUG))
    if plugged is False:
        return "unplugged"
    if reader.flag(asset.get(ASSET_CHARGING)):
        return "charging"
    if plugged is None:
        return "driving" if delta is not None and delta < -EV_DRIVING_SOC_DROP_PCT else "unplugged"
    if (setpoint is not None and setpoint > EV_SETPOINT_THRESHOLD_KW) or (
        delta is not None and delta > EV_CHARGING_SOC_RISE_PCT
    ):
        return "charging"
    if setpoint is not None and setpoint < -EV_SETPOINT_THRESHOLD_KW:
        return "discharging"
    return "plugged_idle"


def build_asset(reader: Reader, asset: Mapping[str, Any], interval: datetime, memory: EvMemory) -> Asset:
    """One asset of the record; raises SkipInterval when a required input is unusable."""
    asset_id = str(asset[ASSET_ID])
    soc = in_range(reader.required(asset[ASSET_SOC]), PERCENT_RANGE, f"{asset[ASSET_SOC]} state of charge (%)")
    setpoint = _setpoint(reader, asset)
    built: dict[str, Any] = {
        "asset_id": asset_id,
        "kind": asset[ASSET_KIND],
        "bidirectional_capable": bool(asset[ASSET_BIDIRECTIONAL]),
        "capacity_kwh": float(asset[ASSET_CAPACITY_KWH]),
        "soc_pct": soc,
        "setpoint_kw": setpoint,
        "shadow_power_balance_price": asset_dual(reader, asset),
    }
    if asset[ASSET_KIND] == KIND_EV:
        previous = memory.soc.get(asset_id)
        delta = soc - previous[1] if previous and interval - previous[0] == INTERVAL else None
        memory.soc[asset_id] = (interval, soc)
        state = _connection_state(asset, reader, setpoint, delta)
        flows = state not in ("unplugged", "driving")
        capability = "none" if not flows else "bidirectional" if asset[ASSET_BIDIRECTIONAL] else "charge_only"
        if not flows:
            up = down = 0.0
        elif setpoint is None:
            raise SkipInterval(f"{asset.get(ASSET_POWER)} (EV power) is unusable while the EV is {state}")
        else:
            up, down = _availability(asset, soc, setpoint)
        target = reader.optional(asset.get(ASSET_DEPARTURE_TARGET))
        built |= {
            "available_up_kw": up,
            "available_down_kw": down,
            "connection_state": state,
            "power_flow_capability": capability,
            "departure_target_pct": None if target is None else clamp_to_range(target, *PERCENT_RANGE),
            "departure_time_utc": reader.moment(asset.get(ASSET_DEPARTURE_TIME)),
        }
    else:
        if setpoint is None:
            power = asset.get(ASSET_POWER)
            raise SkipInterval(f"{power} (battery power) is unusable or out of range; the baseline needs it")
        built["available_up_kw"], built["available_down_kw"] = _availability(asset, soc, setpoint)
    return cast(Asset, built)


def _limit(reader: Reader, mapping: Mapping[str, Any], entity_key: str, fixed_key: str, what: str) -> float:
    if entity_id := mapping.get(entity_key):
        return in_range(abs(reader.power(entity_id)), POWER_RANGE, f"{entity_id} ({what} limit, kW)")
    if (fixed := mapping.get(fixed_key)) is not None:
        return float(fixed)
    raise SkipInterval(f"no {what} limit is mapped or declared")


def build_record(
    hass: HomeAssistant,
    identity: Identity,
    mapping: Mapping[str, Any],
    assets: Sequence[Mapping[str, Any]],
    interval: datetime,
    memory: EvMemory,
    now: datetime | None = None,
) -> Record:
    """The record for the interval starting at ``interval``; raises SkipInterval."""
    reader = Reader(hass, now or dt_util.utcnow())
    grid = mapping.get(MAP_GRID_POWER)
    if not grid:
        raise SkipInterval("no grid power is mapped")
    net_import = in_range(reader.power(grid), SIGNED_POWER_RANGE, "net import (kW)")
    solar = in_range(sum(reader.power(e) for e in mapping.get(MAP_SOLAR_POWERS, [])), POWER_RANGE, "solar power (kW)")
    house = in_range(sum(reader.power(e) for e in mapping.get(MAP_LOAD_POWERS, [])), POWER_RANGE, "house load (kW)")
    deferrable = reader.power(mapping[MAP_DEFERRABLE_POWER]) if mapping.get(MAP_DEFERRABLE_POWER) else 0.0
    deferrable = in_range(deferrable, POWER_RANGE, "deferrable load (kW)")
    if not mapping.get(MAP_IMPORT_PRICE) or not mapping.get(MAP_EXPORT_PRICE):
        raise SkipInterval("no import or export price is mapped")
    import_price = reader.price(mapping[MAP_IMPORT_PRICE])
    export_price = reader.price(mapping[MAP_EXPORT_PRICE])
    import_limit = _limit(reader, mapping, MAP_IMPORT_LIMIT, MAP_IMPORT_LIMIT_KW, "import")
    export_limit = _limit(reader, mapping, MAP_EXPORT_LIMIT, MAP_EXPORT_LIMIT_KW, "export")
    built = [build_asset(reader, asset, interval, memory) for asset in assets]
    battery_setpoints = sum(a["setpoint_kw"] or 0.0 for a in built if a["kind"] != KIND_EV)
    return Record(
        schema_version=SCHEMA_VERSION,
        interval_start_utc=format_utc(interval),
        region=identity.region,  # type: ignore[typeddict-item]
        postcode_prefix=identity.postcode_prefix,
        net_import_kw=net_import,
        solar_kw=solar,
        house_load_kw=house,
        deferrable_load_kw=deferrable,
        naive_baseline_kw=net_import - battery_setpoints,
        naive_baseline_method="subtraction",
        price_signal_seen=import_price,
        price_export_seen=export_price,
        envelope_import_limit_kw=import_limit,
        envelope_export_limit_kw=export_limit,
        flex_available_up_kw=min(sum(a["available_up_kw"] for a in built), max(0.0, import_limit - net_import)),
        flex_available_down_kw=min(sum(a["available_down_kw"] for a in built), max(0.0, export_limit + net_import)),
        shadow_energy_price=reader.dual(mapping.get(MAP_ENERGY_DUAL)),
        shadow_load_forecast_price=reader.dual(mapping.get(MAP_LOAD_FORECAST_DUAL)),
        shadow_solar_forecast_price=reader.dual(mapping.get(MAP_SOLAR_FORECAST_DUAL)),
        shadow_envelope_import_price=reader.dual(mapping.get(MAP_IMPORT_ENVELOPE_DUAL)),
        shadow_envelope_export_price=reader.dual(mapping.get(MAP_EXPORT_ENVELOPE_DUAL)),
        assets=built,
        deferrable_loads=[],
    )
