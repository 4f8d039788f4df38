"""``curtailment.json``: how often export and import envelopes bind, by region and AEST hour."""

from __future__ import annotations

from typing import Any, Final

from aggregation import partials, suppress
from aggregation.views import ranges
from aggregation.views.common import (
    Inputs,
    count,
    hour_cells,
    hour_sums,
    households_in,
    meta,
    ordered_regions,
    ratio,
    sig4,
)

ID: Final = "curtailment"
TITLE: Final = "Export curtailment and envelopes"
RANGES: Final = ranges.RECENT
DEFAULT_RANGE: Final = "28d"
WINDOWS: Final = ranges.windows(RANGES)


SIDES = ("export", "import")


def build(inputs: Inputs, period: ranges.Range | None) -> dict[str, Any]:
    period = period or ranges.BY_ID[DEFAULT_RANGE]
    days = inputs.window_days(period.days)
    hours = inputs.hours(period.days)
    rows: list[dict[str, Any]] = []
    if not hours.empty:
        cells = hour_cells(inputs, period, WINDOWS, suppress.GROSS_ENERGY, "gross_kw")
        columns = ["export_kwh", *(f"{side}_{name}" for side in SIDES for name in ("at_cap", "binding", "dual_sum"))]
        sums = hour_sums(hours, columns)
        stats = sums[["region", "hour_aest", "intervals", "export_kwh"]].copy()
        for side in SIDES:
            stats[f"{side}_at_cap_share"] = sums[f"{side}_at_cap"] / sums["intervals"]
            stats[f"{side}_binding_share"] = sums[f"{side}_binding"] / sums["intervals"]
            stats[f"{side}_dual_mean"] = ratio(sums[f"{side}_dual_sum"], sums[f"{side}_binding"])
        merged = ordered_regions(cells.merge(stats, on=["region", "hour_aest"]))
        for cell in merged.to_dict("records"):
            hidden = bool(cell["suppressed"])
            row: dict[str, Any] = {"region": cell["region"], "hour_aest": int(cell["hour_aest"])}
            row["households"] = None if hidden else count(cell["households"])
            row["household_intervals"] = None if hidden else count(cell["intervals"])
            for name in (
                "export_at_cap_share",
                "export_binding_share",
                "export_dual_mean",
                "export_kwh",
                "import_at_cap_share",
                "import_binding_share",
                "import_dual_mean",
            ):
                row[name] = None if hidden else sig4(cell[name])
            row["suppressed"] = hidden
            rows.append(row)
    units = {
        "export_at_cap_share": "share 0-1",
        "export_binding_share": "share 0-1",
        "export_dual_mean": "$/kWh",
        "export_kwh": "kWh",
        "import_at_cap_share": "share 0-1",
        "import_binding_share": "share 0-1",
        "import_dual_mean": "$/kWh",
        "households": "households",
        "household_intervals": "household-intervals",
    }
    notes = (
        f"{period.describe(days)}. Shares are of household-intervals (one household's 5-minute record; "
        f"household_intervals counts them). At cap: export (or import) power within "
        f"{(1 - partials.AT_CAP) * 100:g} % of the envelope. Binding: the envelope's dual is non-zero "
        f"(|dual| > {partials.BINDING:g}); a null dual counts as not binding. Dual means are over binding "
        "household-intervals. Hours are AEST (UTC+10, the NEM's market time)."
    )
    flags = [row["suppressed"] for row in rows]
    head = meta(
        inputs,
        ID,
        TITLE,
        days,
        households_in(inputs, days),
        units,
        notes,
        flags,
        period=period,
    )
    return {"meta": head, "cells": rows}
