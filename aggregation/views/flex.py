"""``flex.json``: cohort flexibility up and down with prices, per range at the range's resolution."""

from __future__ import annotations

from typing import Any, Final

from aggregation.views import ranges
from aggregation.views.common import Inputs, households_in, meta, region_series

ID: Final = "flex"
TITLE: Final = "Cohort flexibility"
RANGES: Final = ranges.ALL
DEFAULT_RANGE: Final = "7d"
COLUMNS: Final = {
    "households": "households",
    "flex_up_kw": "flex_up_kw",
    "flex_down_kw": "flex_down_kw",
    "price_buy": "price_buy",
    "price_sell": "price_sell",
}


def build(inputs: Inputs, period: ranges.Range | None) -> dict[str, Any]:
    period = period or ranges.BY_ID[DEFAULT_RANGE]
    days = inputs.window_days(period.days)
    series, flags = region_series(inputs.cells(period.resolution, days), days, period.resolution, COLUMNS)
    units = {"flex_up_kw": "kW", "flex_down_kw": "kW", "price_buy": "$/kWh", "price_sell": "$/kWh"}
    notes = (
        f"{period.describe(days)}. Flexibility is the sum over households of flex_available_up_kw / "
        "flex_available_down_kw (what HAEO reports it could add or shed), averaged over each point's "
        "interval; prices are means over household-intervals of the buy and sell prices seen. households: "
        f"households behind each point. Points of {period.resolution} labelled by their start (UTC)."
    )
    return {
        "meta": meta(inputs, ID, TITLE, days, households_in(inputs, days), units, notes, flags, period=period),
        "series": series,
    }
