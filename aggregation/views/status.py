"""``status.json``: the overview figures and the build's data-quality totals."""

from __future__ import annotations

from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import cohort, suppress
from aggregation.views.common import Inputs, households_in, meta, sig4, utc
from aggregation.views.quality import totals


def build(inputs: Inputs) -> dict[str, Any]:
    recent = inputs.window_days(7)
    window = inputs.partial("households")
    last_updated = None
    cohort_size = households_in(inputs, recent)
    regions: dict[str, int | None] = dict.fromkeys(cohort.REGION_ORDER[1:])
    if not window.empty:
        last_updated = utc(window["last_interval"].max())
        week = inputs.partial("households", 7)
        counts = week.groupby("region", observed=True)["household"].nunique()
        regions.update(published_regions({str(region): int(n) for region, n in counts.items()}, cohort_size or 0))
    hourly = inputs.cells("1h")
    total_savings = None
    if not hourly.empty:
        nem = hourly[(hourly["region"] == cohort.NEM) & ~hourly["suppressed"]]
        total_savings = sig4(nem["saving_aud"].sum()) if len(nem) else None
    days, _ = totals(inputs)
    state = inputs.state
    quality = {
        "files": len(state.files),
        "records": sum(day["records"] for day in days.values()),
        "rejected": sum(day["rejected"] for day in days.values()),
        "duplicates": sum(day["duplicates"] for day in days.values()),
        "quarantined_files": sum(1 for e in state.files.values() if e.summary.file_reason) + len(state.rejected_paths),
        "energy_balance_flagged": sum(day["energy_balance_flagged"] for day in days.values()),
    }
    units = {"total_savings_aud": "AUD", "cohort_size": "households", "records": "count"}
    notes = (
        "cohort_size: households with an accepted record in the last 7 days of data. regions: households per "
        "region over the same days (null below 5, and where needed so that cohort_size minus the published "
        "regions cannot reveal a suppressed one). total_savings_aud: sum of the published NEM hourly savings."
    )
    households_total = households_in(inputs, inputs.days)
    head = meta(inputs, "status", "Status", inputs.days, households_total, units, notes, [])
    return {
        "meta": head,
        "last_updated": last_updated,
        "cohort_size": cohort_size or 0,
        "households_total": households_total or 0,
        "records": quality["records"] - quality["rejected"] - quality["duplicates"],
        "regions": regions,
        "total_savings_aud": total_savings,
        "quality": quality,
        "demo": inputs.demo,
    }


def published_regions(counts: dict[str, int], cohort_size: int) -> dict[str, int | None]:
    """Households per region as published: None below the region rule's minimum, and wherever needed so
    that ``cohort_size`` minus the published regions cannot reveal the suppressed ones.

    The regions partition the cohort like region cells partition a NEM cell, so
    ``suppress.complementary`` applies (one group; dominance does not apply to a count, so the
    energies are zero). Regions without households reveal nothing and stay None. A household
    whose region changed during the week is counted in each of its regions, which makes the
    difference a reader can compute smaller than the suppressed regions' sum: it must pass the
    minimum itself, else the smallest published region is suppressed too.
    """
    rule = suppress.REGION_RULE
    order = {region: i for i, region in enumerate(cohort.REGION_ORDER)}
    present = sorted(
        (region for region, n in counts.items() if n > 0), key=lambda region: order.get(region, len(order))
    )
    hidden: dict[str, bool] = {}
    if present:
        cells = pd.DataFrame(
            {"group": 0, "households": [counts[r] for r in present], "_max_energy": 0.0, "_total_energy": 0.0}
        )
        cells["suppressed"] = ~suppress.primary(cells, rule)
        hidden = dict(zip(present, suppress.complementary(cells, ["group"], rule).tolist(), strict=True))
    shown = sorted((r for r in present if not hidden[r]), key=lambda r: (counts[r], present.index(r)))
    while any(hidden.values()) and shown:
        if cohort_size - sum(counts[r] for r in shown) >= rule.min_households:
            break
        hidden[shown.pop(0)] = True
    return {region: None if hidden.get(region, True) else households for region, households in counts.items()}
