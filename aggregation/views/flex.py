"""``flex.json``: cohort flexibility up and down with prices, 5-minute, last 7 days."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation.views.common import REGIONS, Inputs, dense, households_in, meta

ID: Final = "flex"
TITLE: Final = "Cohort flexibility"


def build(inputs: Inputs) -> dict[str, Any]:
    days = inputs.window_days(7)
    cells = inputs.cells("5min")
    series: dict[str, Any] = {}
    flags: list[bool] = []
    households = None
    if days and not cells.empty:
        start = pd.Timestamp(days[0], tz="UTC")
        end = pd.Timestamp(days[-1], tz="UTC") + pd.Timedelta(days=1)
        households = households_in(inputs, days)
        for region in REGIONS:
            rows = cells[cells["region"] == region]
            flags += rows["suppressed"].tolist()
            series[region] = dense(
                rows,
                start,
                end,
                "5m",
                {
                    "households": "households",
                    "flex_up_kw": "flex_up_kw",
                    "flex_down_kw": "flex_down_kw",
                    "price_buy": "price_buy",
                    "price_sell": "price_sell",
                },
            )
    units = {"flex_up_kw": "kW", "flex_down_kw": "kW", "price_buy": "$/kWh", "price_sell": "$/kWh"}
    notes = (
        "Flexibility is the sum over households of flex_available_up_kw / flex_available_down_kw "
        "(what HAEO reports it could add or shed); prices are means over households of the buy and sell "
        "prices they saw. 5-minute intervals labelled by their start (UTC)."
    )
    return {
        "meta": meta(inputs, ID, TITLE, days, households, units, notes, flags),
        "series": series,
    }
