"""``ledger.json``: hourly (daily beyond 92 days) cost with and without the optimiser."""

from __future__ import annotations

from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation.views.common import HOURLY_LIMIT_DAYS, REGIONS, Inputs, dense, households_in, meta


def series_source(inputs: Inputs) -> tuple[pd.DataFrame, str]:
    """Hourly cells, or daily ones when the data spans more than ``HOURLY_LIMIT_DAYS``."""
    if len(inputs.days) > HOURLY_LIMIT_DAYS:
        return inputs.cells("1d"), "1d"
    return inputs.cells("1h"), "1h"


def build(inputs: Inputs) -> dict[str, Any]:
    cells, interval = series_source(inputs)
    series: dict[str, Any] = {}
    flags: list[bool] = []
    methods: list[str] = []
    if inputs.days and not cells.empty:
        start = pd.Timestamp(inputs.days[0], tz="UTC")
        end = pd.Timestamp(inputs.days[-1], tz="UTC") + pd.Timedelta(days=1)
        for region in REGIONS:
            rows = cells[cells["region"] == region].copy()
            flags += rows["suppressed"].tolist()
            rows["cumulative_saving_aud"] = rows["saving_aud"].fillna(0).cumsum().where(~rows["suppressed"])
            series[region] = dense(
                rows,
                start,
                end,
                interval,
                {
                    "households": "households",
                    "cost_actual_aud": "cost_actual_aud",
                    "cost_baseline_aud": "cost_baseline_aud",
                    "saving_aud": "saving_aud",
                    "cumulative_saving_aud": "cumulative_saving_aud",
                },
            )
        present = inputs.partial("methods")
        if not present.empty:
            methods = sorted(present["method"].unique().tolist())
    units = dict.fromkeys(("cost_actual_aud", "cost_baseline_aud", "saving_aud", "cumulative_saving_aud"), "AUD")
    notes = (
        "Cost of an interval = import kW x buy price x 5/60 when importing, export kW x sell price x 5/60 "
        "(negative) when exporting; the baseline applies the same to naive_baseline_kw. Saving = baseline - actual. "
        "Intervals whose baseline is the house load (the prior system's meaning) are left out of the baseline "
        f"and the saving. Baseline methods present: {', '.join(methods) or 'none'}. The cumulative saving adds "
        "only published "
        "(unsuppressed) points."
    )
    return {
        "meta": meta(
            inputs,
            "ledger",
            "Counterfactual ledger",
            inputs.days,
            households_in(inputs, inputs.days),
            units,
            notes,
            flags,
        ),
        "series": series,
    }
