"""``price_response.json``: net import minus a day-matched baseline, by buy-price bin, with bootstrap CIs.

Baseline of a household interval: the same household's mean net import at the same AEST
hour and day type (weekday/weekend) on the other days of the 28-day window. The 95 %
interval resamples households (a cluster bootstrap, B = 1000, fixed seed).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import partials, suppress
from aggregation.views import ranges
from aggregation.views.common import REGIONS, Inputs, count, households_in, meta, sig4, with_nem

ID: Final = "price_response"
TITLE: Final = "Price response"
RANGES: Final = ("7d", "28d")  # the baseline needs other days of the same hour and day type
DEFAULT_RANGE: Final = "28d"
WINDOWS: Final = ranges.windows(RANGES)


EDGES: Final = partials.PRICE_EDGES
LABELS: Final = ("< 0", "0–5 c", "5–10 c", "10–30 c", "30 c–$1", "$1–5", "> $5")
BOOTSTRAP: Final = 1000
SEED: Final = 20250101
MIN_DAYS: Final = 10


def deltas(price: pd.DataFrame) -> pd.DataFrame:
    """Per partial row (household x region x hour x day type x day x bin): the sum of net import minus
    baseline over its intervals; rows whose household has no other matching day are dropped."""
    keys = ["household", "hour_aest", "weekend"]
    total = price.groupby(keys, sort=False)[["intervals", "net_sum"]].sum()
    own = price.groupby([*keys, "day_aest"], sort=False)[["intervals", "net_sum"]].sum()
    joined = price.join(total, on=keys, rsuffix="_all").join(own, on=[*keys, "day_aest"], rsuffix="_day")
    others = joined["intervals_all"] - joined["intervals_day"]
    baseline = (joined["net_sum_all"] - joined["net_sum_day"]) / others.where(others > 0)
    out = price[["household", "region", "day_aest", "bin", "intervals"]].copy()
    out["delta_sum"] = price["net_sum"] - price["intervals"] * baseline
    return out.dropna(subset=["delta_sum"])


def kept_from(price: pd.DataFrame) -> pd.Series:
    """Per partial row (with ``suppress.AGE``): the age from which ``deltas`` keeps it. A window of the last n
    days keeps a row when it and another day of the same household, AEST hour and day type lie in the window
    (the baseline's days): when the larger of its age and the nearest such other day's age is below n."""
    keys = ["household", "hour_aest", "weekend"]
    days = price.groupby([*keys, "day_aest"], sort=False, observed=True)[suppress.AGE].min().rename("age").reset_index()
    days = days.sort_values([*keys, "age"], kind="stable", ignore_index=True)
    group = days.groupby(keys, sort=False, observed=True).ngroup().to_numpy()
    first = np.r_[True, group[1:] != group[:-1]]  # sorted: a group's nearest day comes first
    starts = np.flatnonzero(first)
    nearest = days["age"].to_numpy(float)[starts][np.cumsum(first) - 1]
    second = np.full(len(starts), np.nan)
    has_second = np.r_[starts[1:], len(days)] - starts > 1
    second[has_second] = days["age"].to_numpy(float)[starts[has_second] + 1]
    other = np.where(first, second[np.cumsum(first) - 1], nearest)  # the nearest day other than the row's own
    days["kept_from"] = np.maximum(days["age"].to_numpy(float), other)
    joined = price[[*keys, "day_aest"]].merge(days, on=[*keys, "day_aest"], how="left")
    return pd.Series(joined["kept_from"].to_numpy(), index=price.index)


def kw(value: float) -> float | int | None:
    """A kW figure to 4 significant figures; below a microwatt it is float noise of a zero sum, shown as 0."""
    return 0.0 if abs(value) < 1e-9 else sig4(value)


def bootstrap(sums: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """95 % percentile interval of sum(delta)/count over households resampled with replacement."""
    households = len(sums)
    picks = rng.integers(0, households, size=(BOOTSTRAP, households))
    means = sums[picks].sum(axis=1) / np.maximum(counts[picks].sum(axis=1), 1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def build(inputs: Inputs, period: ranges.Range | None) -> dict[str, Any]:
    period = period or ranges.BY_ID[DEFAULT_RANGE]
    days = inputs.window_days(period.days)
    price = inputs.partial("price", period.days)
    rows: list[dict[str, Any]] = []
    rng = np.random.default_rng(SEED)
    if not price.empty:
        data = with_nem(deltas(price))

        def judged_rows(days: int) -> pd.DataFrame:
            window = inputs.partial("price", days, by_day=True)
            rows = deltas(window)
            return with_nem(rows.assign(**{suppress.AGE: kept_from(window).loc[rows.index]}))

        keys = ["region", "bin"]
        judged = inputs.judged("price", period, WINDOWS, judged_rows, keys, suppress.INTERVALS, "intervals")
        judged = judged.set_index(keys)
        hidden_cells = judged["suppressed"].to_dict()
        # Grouped once: per household of each region x bin cell, and each cell's distinct days.
        cells = data.groupby(["region", "bin", "household"], sort=True)[["delta_sum", "intervals"]].sum()
        by_cell = {key: group.droplevel(["region", "bin"]) for key, group in cells.groupby(level=["region", "bin"])}
        day_counts = data.groupby(["region", "bin"])["day_aest"].nunique().to_dict()
        empty = pd.DataFrame({"delta_sum": [], "intervals": []})
        for region in REGIONS:
            for index in range(len(LABELS)):
                per_household = by_cell.get((region, index), empty).rename(
                    columns={"delta_sum": "sum", "intervals": "count"}
                )
                households = len(per_household)
                hidden = hidden_cells.get((region, index), False)
                day_count = int(day_counts.get((region, index), 0))
                row: dict[str, Any] = {"region": region, "bin": index}
                if hidden or not households:  # a bin without households has no data, nothing to hide
                    row |= {"mean_delta_kw": None, "ci_low_kw": None, "ci_high_kw": None}
                    row |= {"households": None, "household_intervals": None, "market_days": None}
                else:
                    low, high = bootstrap(per_household["sum"].to_numpy(), per_household["count"].to_numpy(), rng)
                    row |= {
                        "mean_delta_kw": kw(per_household["sum"].sum() / per_household["count"].sum()),
                        "ci_low_kw": kw(low),
                        "ci_high_kw": kw(high),
                        "households": households,
                        "household_intervals": count(per_household["count"].sum()),
                        "market_days": day_count,
                    }
                row["thin"] = day_count < MIN_DAYS or households < suppress.REGION_RULE.min_households
                row["suppressed"] = bool(hidden)
                rows.append(row)
    bins = [
        {"label": label, "low": None if not np.isfinite(low) else low, "high": None if not np.isfinite(high) else high}
        for label, low, high in zip(LABELS, EDGES[:-1], EDGES[1:], strict=True)
    ]
    units = {"mean_delta_kw": "kW", "ci_low_kw": "kW", "ci_high_kw": "kW", "low": "$/kWh", "high": "$/kWh"}
    units |= {"households": "households", "household_intervals": "household-intervals", "market_days": "AEST days"}
    notes = (
        f"{period.describe(days)}. Baseline: each household's mean net import at the same AEST hour and day "
        "type (weekday/weekend) on the other days of the range. mean_delta_kw is the mean over household-intervals "
        "of net import minus baseline, binned by the buy price seen. 95 % interval: cluster bootstrap over households, "
        f"B = {BOOTSTRAP}, seeded. household_intervals: the household-intervals of a bin; market_days: the AEST "
        f"days they fall on (a range of n UTC days touches n + 1). Thin: fewer than {MIN_DAYS} market days or "
        f"{suppress.REGION_RULE.min_households} households. "
        f"Suppression: {suppress.REGION_RULE.describe(suppress.INTERVALS)}. See docs/PRICE_RESPONSE.md."
    )
    flags = [row["suppressed"] for row in rows]
    head = meta(
        inputs, ID, TITLE, days, households_in(inputs, days), units, notes, flags, suppress.INTERVALS, period=period
    )
    return {"meta": head, "bins": bins, "rows": rows}
