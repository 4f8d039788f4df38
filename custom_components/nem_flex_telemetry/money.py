"""What one interval costs: the formulas SCHEMA.md states, written once for both sides.

The integration applies them to single records and the aggregation to whole columns
(pandas Series): everything here is plain arithmetic (+, -, *, abs) that works on
either, so a household's own figures and the cohort's are the same sums.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from .record import INTERVAL

INTERVAL_HOURS: Final = INTERVAL / timedelta(hours=1)


def import_part(power_kw: float) -> float:
    """The import side of a signed grid power (+ import): max(power, 0), elementwise on columns."""
    return (power_kw + abs(power_kw)) / 2


def import_cost_aud(power_kw: float, buy: float) -> float:
    """AUD paid for the energy imported in one interval at the buy price."""
    return import_part(power_kw) * buy * INTERVAL_HOURS


def export_value_aud(power_kw: float, sell: float) -> float:
    """AUD earned for the energy exported in one interval at the sell price (negative when exporting costs)."""
    return (import_part(power_kw) - power_kw) * sell * INTERVAL_HOURS


def interval_cost_aud(power_kw: float, buy: float, sell: float) -> float:
    """Net AUD of one interval: import cost minus export value."""
    return import_cost_aud(power_kw, buy) - export_value_aud(power_kw, sell)


def saving_aud(actual_kw: float, baseline_kw: float, buy: float, sell: float) -> float:
    """What the interval would have cost at the baseline's grid power, minus what it cost."""
    return interval_cost_aud(baseline_kw, buy, sell) - interval_cost_aud(actual_kw, buy, sell)
