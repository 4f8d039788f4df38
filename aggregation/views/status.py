"""``status.json``: the overview figures, each with its period and denominator, and the data-quality totals."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import cohort, suppress
from aggregation.views.common import Inputs, households_in, meta, sig4, utc
from aggregation.views.quality import totals
from aggregation.views.ranges import Range

ID: Final = "status"
TITLE: Final = "Status"
RANGES: Final[tuple[str, ...]] = ()  # no period choice
DEFAULT_RANGE: Final = None
COHORT_DAYS: Final = 7  # "current cohort": households with a record in the last 7 days of data
LAST_DATA_DAYS: Final = 28  # the newest interval is looked for in the partials of the last 28 days


def figure(value: Any, unit: str, inputs: Inputs, days: list[str], what: str, **extra: Any) -> dict[str, Any]:
    """A headline figure with what it counts, its period (UTC) and the days with data in it."""
    return {"value": value, "unit": unit, "what": what, "period": inputs.period(days), "days": len(days), **extra}


def _savings(inputs: Inputs) -> tuple[float | int | None, int, int]:
    """The sum of the published NEM hourly savings over every day, and the published and all NEM hours."""
    hourly = inputs.cells("1h", inputs.days)
    if hourly.empty:
        return None, 0, 0
    nem = hourly[hourly["region"] == cohort.NEM]
    shown = nem[~nem["suppressed"]]
    return (sig4(shown["saving_aud"].sum()) if len(shown) else None), len(shown), len(nem)


def accepted_records(inputs: Inputs) -> int:
    """Accepted records (read, minus rejected and duplicate lines) of every household but those the copy
    screening left out (``aggregation.sybil``)."""
    left_out = inputs.state.left_out
    return sum(
        entry.summary.records - sum(entry.summary.rejected.values()) - entry.summary.duplicates
        for rel, entry in inputs.state.files.items()
        if rel.split("/", 1)[0] not in left_out
    )


def build(inputs: Inputs, period: Range | None) -> dict[str, Any]:
    del period  # the overview states each figure's own period
    recent = inputs.window_days(COHORT_DAYS)
    window = inputs.partial("households", LAST_DATA_DAYS)
    last_updated = newest_data_at = None
    cohort_size = households_in(inputs, recent)
    regions: dict[str, int | None] = dict.fromkeys(cohort.REGION_ORDER[1:])
    if not window.empty:
        newest = pd.Timestamp(window["last_interval"].max())
        last_updated = utc(newest)
        newest_data_at = utc(newest + pd.Timedelta(hours=cohort.STEP_H))
        regions.update(published_regions(inputs.partial("households", COHORT_DAYS)))
    total_savings, hours_published, hours = _savings(inputs)
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
    households_total = households_in(inputs, inputs.days) or 0
    records = accepted_records(inputs)
    everything = list(inputs.days)
    figures = {
        "cohort_size": figure(
            cohort_size or 0, "households", inputs, recent, "households with an accepted record on these days"
        ),
        "households_total": figure(
            households_total, "households", inputs, everything, "households with an accepted record on any day"
        ),
        "records": figure(
            records,
            "household-intervals",
            inputs,
            everything,
            "accepted 5-minute records of the households counted (those the copy screening left out count "
            "nowhere; quality.records counts every line read, theirs too)",
        ),
        "total_savings_aud": figure(
            total_savings,
            "AUD",
            inputs,
            everything,
            "cohort total: the sum of the published NEM hourly savings (baseline cost - actual cost) over "
            "every household behind them; divide by households for an average per household",
            households=households_total,
            hours_published=hours_published,
            hours=hours,
        ),
    }
    units = {"total_savings_aud": "AUD", "cohort_size": "households", "records": "household-intervals"}
    notes = (
        f"cohort_size: households with an accepted record in the last {COHORT_DAYS} days of data. regions: "
        f"households per region over the same days (null unless "
        f"{suppress.REGION_RULE.describe(suppress.HOUSEHOLDS)}, and where needed so that cohort_size minus the "
        "published regions cannot reveal a suppressed one). total_savings_aud: sum of the published NEM hourly "
        "savings over all days (figures.total_savings_aud gives its period, households and the hours published). "
        "newest_data_at: the end of the newest accepted interval (UTC); last_updated: its start."
    )
    head = meta(inputs, ID, TITLE, inputs.days, households_total or None, units, notes, [])
    return {
        "meta": head,
        "last_updated": last_updated,
        "newest_data_at": newest_data_at,
        "cohort_size": cohort_size or 0,
        "households_total": households_total,
        "records": records,
        "regions": regions,
        "total_savings_aud": total_savings,
        "figures": figures,
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
