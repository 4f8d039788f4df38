"""``shadow.json``: distribution of each LP dual by region and AEST hour (last 28 days)."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import partials, suppress
from aggregation.views import ranges
from aggregation.views.common import REGIONS, Inputs, count, hour_cells, households_in, meta, sig4, with_nem
from custom_components.nem_flex_telemetry.record import BINDING_DUALS

ID: Final = "shadow"
TITLE: Final = "Shadow prices"
RANGES: Final = ranges.RECENT
DEFAULT_RANGE: Final = "28d"
WINDOWS: Final = ranges.windows(RANGES)


DUALS: Final = tuple(partials.DUAL_COLUMNS)
QUANTILES: Final = {"p10": 0.1, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p90": 0.9}
KEYS: Final = ["dual", "region", "hour_aest"]


def quantiles(hist: pd.DataFrame) -> pd.DataFrame:
    """Quantiles per ``KEYS`` group of a histogram (``bin``, ``count``, ``value_sum``).

    A bin stands for the mean of its values; a quantile interpolates linearly between the
    values at the two ranks around q x (n - 1), as numpy's default method does on raw values.
    """
    hist = hist.groupby([*KEYS, "bin"], sort=True)[["count", "value_sum"]].sum().reset_index()
    counts = hist["count"].to_numpy(np.int64)
    values = hist["value_sum"].to_numpy(float) / counts
    ends = np.cumsum(counts)  # rank just past each bin, over the whole table
    groups = hist.groupby(KEYS, sort=True).indices
    firsts = np.array([rows[0] for rows in groups.values()])
    lasts = np.array([rows[-1] for rows in groups.values()])
    before = np.where(firsts > 0, ends[np.maximum(firsts - 1, 0)], 0)
    totals = ends[lasts] - before
    out = pd.DataFrame(index=pd.MultiIndex.from_tuples(list(groups), names=KEYS))
    for name, q in QUANTILES.items():
        position = q * (totals - 1)
        low, high = np.floor(position), np.ceil(position)
        at_low = values[np.searchsorted(ends, before + low, side="right")]
        at_high = values[np.searchsorted(ends, before + high, side="right")]
        out[name] = at_low + (position - low) * (at_high - at_low)
    return out


def _cells(inputs: Inputs, period: ranges.Range, hours: pd.DataFrame, hist: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    levels = quantiles(with_nem(hist)) if not hist.empty else pd.DataFrame()
    for dual in DUALS:
        if not (hours[f"{dual}_n"] > 0).any():
            continue
        keys = ["region", "hour_aest"]
        cells = hour_cells(inputs, period, WINDOWS, suppress.INTERVALS, f"{dual}_n", present=True).set_index(keys)
        sums = hours.groupby(["region", "hour_aest"], sort=True)[[f"{dual}_n", f"{dual}_sum", f"{dual}_binding"]].sum()
        cells["count"] = sums[f"{dual}_n"]
        cells["mean"] = sums[f"{dual}_sum"] / sums[f"{dual}_n"]
        # An equality's dual (a balance, a fixed load) is a price, never "binding": no share for it.
        cells["binding_share"] = sums[f"{dual}_binding"] / sums[f"{dual}_n"] if dual in BINDING_DUALS else np.nan
        dual_levels = levels.xs(dual, level="dual") if dual in levels.index.get_level_values("dual") else None
        merged = cells.join(dual_levels) if dual_levels is not None else cells.assign(**dict.fromkeys(QUANTILES))
        merged = merged.reset_index()
        for region in REGIONS:
            for cell in merged[merged["region"] == region].to_dict("records"):
                hidden = bool(cell["suppressed"])
                row: dict[str, Any] = {"dual": dual, "region": region, "hour_aest": int(cell["hour_aest"])}
                row["household_intervals"] = None if hidden else count(cell["count"])
                for name in ("mean", *QUANTILES, "binding_share"):
                    row[name] = None if hidden else sig4(cell[name])
                row["suppressed"] = hidden
                rows.append(row)
    return rows


def build(inputs: Inputs, period: ranges.Range | None) -> dict[str, Any]:
    period = period or ranges.BY_ID[DEFAULT_RANGE]
    days = inputs.window_days(period.days)
    hours = inputs.hours(period.days)
    rows = _cells(inputs, period, hours, inputs.partial("shadow_hist", period.days)) if not hours.empty else []
    units = {
        "mean": "$/kWh",
        **dict.fromkeys(QUANTILES, "$/kWh"),
        "binding_share": "share 0-1",
        "household_intervals": "household-intervals",
    }
    notes = (
        f"{period.describe(days)}. AEST hours, over household-intervals with a non-null dual "
        "(household_intervals counts them). shadow_power_balance_price is "
        f"the mean over a record's assets with a dual. Binding: |dual| > {partials.BINDING:g}, counted only for "
        "the duals of "
        f"inequality constraints ({', '.join(BINDING_DUALS)}); binding_share is null for the others (equality "
        "duals, which are prices; see SCHEMA.md). Quantiles come from a histogram "
        "with 100 logarithmic bins per decade (each bin stands for the mean of its values), so they are within "
        f"2.3 % of the exact ones. Suppression: {suppress.REGION_RULE.describe(suppress.INTERVALS)}."
    )
    flags = [row["suppressed"] for row in rows]
    head = meta(
        inputs, ID, TITLE, days, households_in(inputs, days), units, notes, flags, suppress.INTERVALS, period=period
    )
    return {"meta": head, "duals": list(DUALS), "cells": rows}
