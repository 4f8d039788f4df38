"""``standing.json``: per region, how households spread on three measures, for each household's own
comparison in Home Assistant (``custom_components/nem_flex_telemetry/standing.py`` defines the measures
and places a household among these quantiles).

Per household, the measures over the last 28 days; per region (and NEM), their quantiles across
households. A region is published only where its households pass the small-cell rule (counted once
each) and the complementary step; quantiles, never minima or maxima, which would be single households.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import cohort, suppress
from aggregation.views.common import REGIONS, Inputs, households_in, meta, sig4
from aggregation.views.ranges import Range
from custom_components.nem_flex_telemetry import standing

ID: Final = "standing"
TITLE: Final = "Households against their region"
COHORT_DAYS: Final = 7  # cohort_size as status.json counts it
RANGES: Final[tuple[str, ...]] = ()  # no period choice
DEFAULT_RANGE: Final = None


def per_household(sums: pd.DataFrame) -> pd.DataFrame:
    """Household x region: the three measures from the window's sums (days: days with data)."""
    grouped = sums.groupby(["household", "region"], sort=True, observed=True)
    totals = grouped[list(standing.PARTS)].sum()
    totals["days"] = grouped["day_aest"].nunique()
    rows = [
        {"household": household, "region": region, **standing.measures(row, int(row["days"]))}
        for (household, region), row in totals.iterrows()
    ]
    return pd.DataFrame(rows, columns=["household", "region", *(m.key for m in standing.MEASURES)])


def _with_nem(households: pd.DataFrame) -> pd.DataFrame:
    """The households once more under NEM (a household that moved region counts once there)."""
    nem = households.groupby("household", sort=True).mean(numeric_only=True).reset_index()
    return pd.concat([households, nem.assign(region=cohort.NEM)], ignore_index=True)


def build(inputs: Inputs, period: Range | None) -> dict[str, Any]:
    del period  # the integration's own window (standing.WINDOW_DAYS): a household compares itself with it
    days = inputs.window_days(standing.WINDOW_DAYS)
    sums = inputs.partial("standing", standing.WINDOW_DAYS)
    regions: dict[str, dict[str, Any] | None] = dict.fromkeys(REGIONS)
    flags: list[bool] = []
    if not sums.empty:
        households = _with_nem(per_household(sums))
        cells = suppress.publish(
            households.assign(one=1.0),
            ["region"],
            suppress.REGION_RULE,
            suppress.HOUSEHOLDS,
            "one",
            child="region",
            parent=cohort.NEM,
        )
        for cell in cells.itertuples(index=False):
            flags.append(bool(cell.suppressed))
            if cell.suppressed:
                continue
            members = households[households["region"] == cell.region]
            entry: dict[str, Any] = {"households": int(cell.households)}
            for measure in standing.MEASURES:
                values = members[measure.key].dropna().to_numpy(float)
                points = np.quantile(values, standing.QUANTILES) if len(values) else [None] * len(standing.QUANTILES)
                entry[measure.key] = [None if point is None else sig4(point) for point in points]
            regions[str(cell.region)] = entry
    units = {measure.key: measure.unit for measure in standing.MEASURES} | {"households": "households"}
    notes = (
        f"Per household over the last {standing.WINDOW_DAYS} days: "
        + "; ".join(f"{m.key}: {m.title} ({m.unit})" for m in standing.MEASURES)
        + f". Per region: the {', '.join(f'{q:g}' for q in standing.QUANTILES)} quantiles across households "
        f"(linear interpolation). Binding: |export envelope dual| > {standing.BINDING:g}. "
        f"A region is null where suppressed ({suppress.rule_text(suppress.HOUSEHOLDS)})."
    )
    head = meta(inputs, ID, TITLE, days, households_in(inputs, days), units, notes, flags, basis=suppress.HOUSEHOLDS)
    return {
        "meta": head,
        "cohort_size": households_in(inputs, inputs.window_days(COHORT_DAYS)) or 0,
        "period": f"{days[0]}/{days[-1]}" if days else None,
        "quantiles": list(standing.QUANTILES),
        "measures": [{"key": m.key, "title": m.title, "unit": m.unit} for m in standing.MEASURES],
        "regions": regions,
    }
