"""``spread.json``: buy and sell prices by AEST hour and as series, and negative sell prices per market day."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import partials, suppress
from aggregation.views import ranges
from aggregation.views.common import (
    REGIONS,
    Inputs,
    count,
    dense,
    hour_cells,
    hour_sums,
    households_in,
    meta,
    ordered_regions,
    region_series,
    sig4,
    with_nem,
)

ID: Final = "spread"
TITLE: Final = "Buy/sell spread"
RANGES: Final = ranges.RECENT
DEFAULT_RANGE: Final = "28d"
WINDOWS: Final = ranges.windows(RANGES)
NEGATIVE_SELL: Final = (
    "negative_sell_share: the share of household-intervals (one household's 5-minute record) whose sell "
    "(feed-in) price was below zero"
)


def negative_sell_share(sums: pd.DataFrame) -> pd.Series:
    """The negative-price measure, the same in the heatmap and the daily bars: household-intervals with a
    negative sell price over all household-intervals (``negative_sell`` and ``intervals`` of the hours partial)."""
    return sums["negative_sell"] / sums["intervals"]


def _by_hour(hours: pd.DataFrame, cells: pd.DataFrame) -> list[dict[str, Any]]:
    sums = hour_sums(hours, ["price_buy_sum", "price_sell_sum", "negative_sell"])
    stats = sums[["region", "hour_aest", "intervals"]].copy()
    stats["price_buy"] = sums["price_buy_sum"] / sums["intervals"]
    stats["price_sell"] = sums["price_sell_sum"] / sums["intervals"]
    stats["negative_sell_share"] = negative_sell_share(sums)
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
                "household_intervals": None if hidden else count(cell["intervals"]),
                "suppressed": hidden,
            }
        )
    return rows


def _daily(
    inputs: Inputs, period: ranges.Range, hours: pd.DataFrame, days: list[str]
) -> tuple[dict[str, Any], list[bool]]:
    """Per region, a dense daily block over the AEST market days the range's UTC days touch; the cells' flags.
    A range's first market day holds only the hours of its first UTC day, so a longer range's same market day
    minus it is a cell of the hours before: the cells are judged among the view's ranges too."""
    keys = ["region", "day_aest"]
    rows = hours.groupby([*keys, "household"], sort=True)[["intervals", "negative_sell", "gross_kw"]].sum()
    rows = with_nem(rows.reset_index())

    def by_day(window: int) -> pd.DataFrame:
        frame = inputs.hours_by_market_day(window)
        if frame.empty:
            return frame
        per = frame.groupby([*keys, "household", "day"], sort=True)["gross_kw"].sum().reset_index()
        return with_nem(per.assign(**{suppress.AGE: inputs.age(per["day"])}))

    cells = inputs.judged("market days", period, WINDOWS, by_day, keys, suppress.GROSS_ENERGY, "gross_kw")
    sums = rows.groupby(keys, sort=True)[["intervals", "negative_sell"]].sum().reset_index()
    cells = cells.merge(sums, on=keys)
    cells["negative_sell_share"] = negative_sell_share(cells)
    cells["start"] = pd.to_datetime(cells["day_aest"]).dt.tz_localize("UTC") - partials.AEST
    shown = ~cells["suppressed"]
    cells["households"] = cells["households"].where(shown)
    for column in ("negative_sell_share", "intervals"):
        cells[column] = cells[column].where(shown)
    start = pd.Timestamp(days[0], tz="UTC") - partials.AEST
    end = pd.Timestamp(days[-1], tz="UTC") + pd.Timedelta(days=2) - partials.AEST
    columns = {
        "households": "households",
        "household_intervals": "intervals",
        "negative_sell_share": "negative_sell_share",
    }
    blocks = {region: dense(cells[cells["region"] == region], start, end, "1d", columns) for region in REGIONS}
    return blocks, cells["suppressed"].tolist()


def build(inputs: Inputs, period: ranges.Range | None) -> dict[str, Any]:
    period = period or ranges.BY_ID[DEFAULT_RANGE]
    days = inputs.window_days(period.days)
    hours = inputs.hours(period.days)
    cells = hour_cells(inputs, period, WINDOWS, suppress.GROSS_ENERGY, "gross_kw") if not hours.empty else None
    by_hour = _by_hour(hours, cells) if cells is not None else []
    columns = {"price_buy": "price_buy", "price_sell": "price_sell"}
    series, _ = region_series(inputs.cells(period.resolution, days), days, period.resolution, columns)
    by_day = inputs.hours_by_market_day(period.days)
    daily, daily_flags = _daily(inputs, period, by_day, days) if not by_day.empty else ({}, [])
    units = {
        "price_buy": "$/kWh",
        "price_sell": "$/kWh",
        "spread": "$/kWh",
        "negative_sell_share": "share 0-1",
        "household_intervals": "household-intervals",
        "households": "households",
    }
    notes = (
        f"{period.describe(days)}. by_hour: AEST hours (UTC+10, the NEM's market time), means over "
        f"household-intervals; spread = buy - sell. series: mean prices per {period.resolution} point (UTC). "
        "daily: per AEST market day (each block starts at 00:00 AEST, 14:00 UTC the day before; the first and "
        f"last market day cover only the range's hours). {NEGATIVE_SELL}, in by_hour and daily alike."
    )
    flags = [row["suppressed"] for row in by_hour] + daily_flags
    head = meta(inputs, ID, TITLE, days, households_in(inputs, days), units, notes, flags, period=period)
    return {"meta": head, "by_hour": by_hour, "series": series, "daily": daily}
