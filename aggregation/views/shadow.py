"""``shadow.json``: distribution of each LP dual by region and AEST hour (last 28 days)."""

from __future__ import annotations

from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import suppress
from aggregation.views.common import REGIONS, Inputs, count, households_in, meta, sig4, with_nem

DUALS = (
    "shadow_energy_price",
    "shadow_load_forecast_price",
    "shadow_solar_forecast_price",
    "shadow_envelope_import_price",
    "shadow_envelope_export_price",
    "shadow_power_balance_price",
)
BINDING = 1e-6
QUANTILES = {"p10": 0.1, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p90": 0.9}


def _dual_cells(frame: pd.DataFrame, dual: str, column: str) -> list[dict[str, Any]]:
    data = with_nem(frame[["region", "hour_aest", "household", column]].dropna(subset=[column]))
    data = data.rename(columns={column: "value"})
    if data.empty:
        return []
    data["one"] = 1.0
    data["binding"] = (data["value"].abs() > BINDING).astype(float)
    per_household = data.groupby(["region", "hour_aest", "household"])["one"].sum()
    grouped_households = per_household.groupby(level=["region", "hour_aest"])
    cells = pd.DataFrame(
        {
            "households": grouped_households.size(),
            "_max_energy": grouped_households.max(),
            "_total_energy": grouped_households.sum(),
        }
    )
    cells["suppressed"] = ~suppress.primary(cells, suppress.REGION_RULE)
    grouped = data.groupby(["region", "hour_aest"])["value"]
    stats = pd.DataFrame({"count": grouped.size(), "mean": grouped.mean()})
    quantiles = grouped.quantile(list(QUANTILES.values())).unstack()
    for name, q in QUANTILES.items():
        stats[name] = quantiles[q]
    stats["binding_share"] = data.groupby(["region", "hour_aest"])["binding"].mean()
    merged = cells.join(stats).reset_index()
    rows = []
    for region in REGIONS:
        for cell in merged[merged["region"] == region].to_dict("records"):
            hidden = bool(cell["suppressed"])
            row: dict[str, Any] = {"dual": dual, "region": region, "hour_aest": int(cell["hour_aest"])}
            row["count"] = None if hidden else count(cell["count"])
            for name in ("mean", *QUANTILES, "binding_share"):
                row[name] = None if hidden else sig4(cell[name])
            row["suppressed"] = hidden
            rows.append(row)
    return rows


def build(inputs: Inputs) -> dict[str, Any]:
    days = inputs.window_days()
    frame = inputs.records()
    rows: list[dict[str, Any]] = []
    if not frame.empty:
        for dual in DUALS:
            column = "asset_dual_mean" if dual == "shadow_power_balance_price" else dual
            rows += _dual_cells(frame, dual, column)
    units = {
        "mean": "$/kWh",
        **dict.fromkeys(QUANTILES, "$/kWh"),
        "binding_share": "share 0-1",
        "count": "intervals",
    }
    notes = (
        "Last 28 days, AEST hours, over household-intervals with a non-null dual. shadow_power_balance_price is "
        "the mean over a record's assets with a dual. Binding: |dual| > 1e-6. A cell is suppressed when fewer than "
        "5 households contribute or one contributes more than half its intervals."
    )
    flags = [row["suppressed"] for row in rows]
    head = meta(inputs, "shadow", "Shadow prices", days, households_in(inputs, days), units, notes, flags)
    return {"meta": head, "duals": list(DUALS), "cells": rows}
