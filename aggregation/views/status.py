"""``status.json``: the overview figures and the build's data-quality totals."""

from __future__ import annotations

from typing import Any

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
        for region, households in week.groupby("region")["household"].nunique().items():
            regions[str(region)] = int(households) if households >= suppress.REGION_RULE.min_households else None
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
        "region over the same days (null below 5). total_savings_aud: sum of the published NEM hourly savings."
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
