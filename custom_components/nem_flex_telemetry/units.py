"""Unit conversion of what Home Assistant reports into the record's units (kW, kWh, $/kWh).

One table per quantity; SCHEMA.md's "unit conversion" row says the same. A power or an
energy without a unit is not guessed. Prices are matched by their ending, because the
currency in front varies (``$/kWh``, ``AUD/kWh``, ``€/kWh``); HAEO's own price numbers
carry no unit at all (they hold the upstream sensor's value, per kWh), so a price without
a unit is taken as $/kWh.
"""

from __future__ import annotations

from typing import Final

POWER_TO_KW: Final = {"W": 0.001, "kW": 1.0, "MW": 1000.0}
ENERGY_TO_KWH: Final = {"Wh": 0.001, "kWh": 1.0, "MWh": 1000.0}
# Price unit endings, the first match wins: cents before whole currency units.
PRICE_TO_PER_KWH: Final = (
    ("c/kWh", 0.01),
    ("¢/kWh", 0.01),
    ("/kWh", 1.0),
    ("/MWh", 0.001),
)
UNITLESS_PRICE_SCALE: Final = 1.0  # HAEO's price numbers: $/kWh


class UnitError(ValueError):
    """The unit is not one this quantity can be converted from."""


def _scaled(value: float, unit: object, table: dict[str, float], quantity: str) -> float:
    if not isinstance(unit, str) or unit not in table:
        raise UnitError(f"has unit {unit!r}, not {quantity} ({', '.join(table)})")
    return value * table[unit]


def to_kw(value: float, unit: object) -> float:
    """A power in kW."""
    return _scaled(value, unit, POWER_TO_KW, "a power")


def to_kwh(value: float, unit: object) -> float:
    """An energy in kWh."""
    return _scaled(value, unit, ENERGY_TO_KWH, "an energy")


def to_per_kwh(value: float, unit: object) -> float:
    """A price in currency per kWh (no unit: HAEO's price numbers, already per kWh)."""
    if unit is None or unit == "":
        return value * UNITLESS_PRICE_SCALE
    if isinstance(unit, str):
        for ending, scale in PRICE_TO_PER_KWH:
            if unit.endswith(ending):
                return value * scale
    raise UnitError(f"has unit {unit!r}, not a price per kWh or MWh")
