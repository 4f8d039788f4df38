"""``status.json``: the overview figures and the build's data-quality totals."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import cohort, suppress
from aggregation.views.common import Inputs, households_in, meta, sig4, utc
from aggregation.views.quality import totals

ID: Final = "status"
TITLE: Final = "Status"


def build(inputs: Inputs) -> dict[str, Any]:
    recent = inputs.window_days(7)
    window = inputs.partial("households")
    last_updated = None
    cohort_size = households_in(inputs, recent)
    regions: dict[str, int | None] = dict.fromkeys(cohort.REGION_ORDER[1:])
    if not window.empty:
        last_updated = utc(window["last_interval"].max())
        week = inputs.partial("households", 7)
        regions.update(published_regions(week))
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
        f"region over the same days (null unless {suppress.REGION_RULE.describe(suppress.HOUSEHOLDS)}, and where "
        "needed so that cohort_size minus the published regions cannot reveal a suppressed one). "
        "total_savings_aud: sum of the published NEM hourly savings."
    )
    households_total = households_in(inputs, inputs.days)
    head = meta(inputs, ID, TITLE, inputs.days, households_total, units, notes, [])
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


def published_regions(week: pd.DataFrame) -> dict[str, int | None]:
    """Households per region as published, from (household, region) rows: ``suppress.publish`` with the
    cohort as the parent of the regions (a count, so each household weighs one).

    A household whose region changed is counted in each of its regions, so the cohort size minus the
    published regions (what a reader computes) is smaller than the hidden regions' sum; ``publish``
    judges the hidden regions by that difference."""
    if week.empty:
        return {}
    rows = week[["household", "region"]].drop_duplicates().assign(region=lambda f: f["region"].astype(str), weight=1)
    judged = suppress.publish(rows, ["region"], suppress.REGION_RULE, suppress.HOUSEHOLDS, "weight", child="region")
    return {
        str(cell["region"]): None if cell["suppressed"] else int(cell["households"])
        for cell in judged.to_dict("records")
    }
