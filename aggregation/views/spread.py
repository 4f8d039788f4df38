"""``spread.json``: buy and sell prices by AEST hour (last 28 days) and as series."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import suppress
from aggregation.views.common import (
    REGIONS,
    Inputs,
    dense,
    hour_sums,
    households_in,
    meta,
    ordered_regions,
    region_cells,
    sig4,
)
from aggregation.views.ledger import series_source

ID: Final = "spread"
TITLE: Final = "Buy/sell spread"


def _by_hour(hours: pd.DataFrame) -> list[dict[str, Any]]:
    cells = region_cells(hours, ["region", "hour_aest"], suppress.GROSS_ENERGY, "gross_kw")
    sums = hour_sums(hours, ["price_buy_sum", "price_sell_sum", "negative_sell"])
    stats = sums[["region", "hour_aest"]].copy()
    stats["price_buy"] = sums["price_buy_sum"] / sums["intervals"]
    stats["price_sell"] = sums["price_sell_sum"] / sums["intervals"]
    stats["negative_sell_share"] = sums["negative_sell"] / sums["intervals"]
    rows = []
    for cell in ordered_regions(cells.merge(stats, on=["region", "hour_aest"])).to_dict("records"):
        hidden = bool(cell["suppressed"])

        def value(name: str, hidden: bool = hidden, cell: dict[str, Any] = cell) -> float | int | None:
            return None if hidden else sig4(cell[name])

        rows.append(
            {
                "region": cell["region"],
                "hour_aest": int(cell["hour_aest"]),
                "price_buy": value("price_buy"),
                "price_sell": value("price_sell"),
                "spread": None if hidden else sig4(cell["price_buy"] - cell["price_sell"]),
                "negative_sell_share": value("negative_sell_share"),
                "suppressed": hidden,
            }
        )
    return rows


def build(inputs: Inputs) -> dict[str, Any]:
    days = inputs.window_days()
    hours = inputs.hours()
    by_hour = _by_hour(hours) if not hours.empty else []
    series: dict[str, Any] = {}
    daily: dict[str, Any] = {}
    cells, interval = series_source(inputs)
    day_cells = inputs.cells("1d")
    hourly = inputs.cells("1h")
    if inputs.days and not cells.empty:
        start = pd.Timestamp(inputs.days[0], tz="UTC")
        end = pd.Timestamp(inputs.days[-1], tz="UTC") + pd.Timedelta(days=1)
        for region in REGIONS:
            rows = cells[cells["region"] == region]
            series[region] = dense(rows, start, end, interval, {"price_buy": "price_buy", "price_sell": "price_sell"})
            hours = hourly[hourly["region"] == region]
            negative = (hours["price_sell"] < 0).groupby(hours["start"].dt.floor("D")).sum()
            day_rows = day_cells[day_cells["region"] == region].set_index("start")
            day_rows = day_rows.assign(negative_sell_hours=negative.reindex(day_rows.index).astype(float))
            day_rows.loc[day_rows["suppressed"], "negative_sell_hours"] = None
            daily[region] = dense(
                day_rows.reset_index(), start, end, "1d", {"negative_sell_hours": "negative_sell_hours"}
            )
    units = {
        "price_buy": "$/kWh",
        "price_sell": "$/kWh",
        "spread": "$/kWh",
        "negative_sell_share": "share 0-1",
        "negative_sell_hours": "hours",
    }
    notes = (
        "by_hour: last 28 days, AEST hours, means over household-intervals; spread = buy - sell. series: mean "
        f"prices per {'hour' if interval == '1h' else 'day'}; daily: hours per UTC day whose mean sell price "
        "was below zero."
    )
    flags = [row["suppressed"] for row in by_hour]
    return {
        "meta": meta(inputs, ID, TITLE, days, households_in(inputs, days), units, notes, flags),
        "by_hour": by_hour,
        "series": series,
        "daily": daily,
    }
