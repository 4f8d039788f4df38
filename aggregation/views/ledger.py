"""``ledger.json``: cost with and without the optimiser, per range at the range's resolution."""

from __future__ import annotations

from typing import Any, Final

from aggregation.views import ranges
from aggregation.views.common import Inputs, households_in, meta, region_series

ID: Final = "ledger"
TITLE: Final = "Counterfactual ledger"
RANGES: Final = ranges.ALL
DEFAULT_RANGE: Final = "28d"
COLUMNS: Final = {
    "households": "households",
    "cost_actual_aud": "cost_actual_aud",
    "cost_baseline_aud": "cost_baseline_aud",
    "saving_aud": "saving_aud",
    "cumulative_saving_aud": "cumulative_saving_aud",
    "coverage": "coverage",
}


def build(inputs: Inputs, period: ranges.Range | None) -> dict[str, Any]:
    period = period or ranges.BY_ID[DEFAULT_RANGE]
    days = inputs.window_days(period.days)
    cells = inputs.cells(period.resolution, days)
    methods: list[str] = []
    if not cells.empty:
        cells = cells.sort_values("start", kind="stable", ignore_index=True)
        published = cells["saving_aud"].fillna(0).where(~cells["suppressed"], 0)
        cells["cumulative_saving_aud"] = published.groupby(cells["region"]).cumsum().where(~cells["suppressed"])
        cells["coverage"] = cells["intervals"] / cells["intervals_expected"]
        present = inputs.partial("methods", period.days)
        if not present.empty:
            methods = sorted(present["method"].unique().tolist())
    series, flags = region_series(cells, days, period.resolution, COLUMNS)
    units = dict.fromkeys(("cost_actual_aud", "cost_baseline_aud", "saving_aud", "cumulative_saving_aud"), "AUD")
    units |= {"coverage": "share 0-1", "households": "households"}
    notes = (
        f"{period.describe(days)}, points of {period.resolution}. Cost of an interval = import kW x buy price x "
        "5/60 when importing, export kW x sell price x 5/60 (negative) when exporting; the baseline applies the "
        "same to naive_baseline_kw. Saving = baseline - actual. Intervals whose baseline is the house load (the "
        "prior system's meaning) are left out of the baseline and the saving. Baseline methods present: "
        f"{', '.join(methods) or 'none'}. Costs and savings are cohort totals: sums over the households behind "
        "each point (households; divide by it for a per-household figure). The cumulative saving adds only "
        "published (unsuppressed) points of the range. coverage = household-intervals reported / expected "
        "(the point's households x its 5-minute intervals)."
    )
    head = meta(inputs, ID, TITLE, days, households_in(inputs, days), units, notes, flags, period=period)
    return {"meta": head, "series": series}
