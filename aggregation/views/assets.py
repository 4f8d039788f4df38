"""``assets.json``: stored energy and setpoints of batteries and EVs, EV connection states."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import suppress
from aggregation.cohort import NEM
from aggregation.views import ranges
from aggregation.views.common import Inputs, count, dense, households_in, meta, sig4

ID: Final = "assets"
TITLE: Final = "Assets and V2G"
RANGES: Final = ranges.RECENT
DEFAULT_RANGE: Final = "28d"
WINDOWS: Final = ranges.windows(RANGES)

KINDS = {"stationary_battery": "battery", "ev": "ev"}
STATES = ("unplugged", "plugged_idle", "charging", "discharging", "driving")
SERIES = {"assets": "assets", "stored_kwh": "stored_kwh", "setpoint_kw": "setpoint_kw"}


def _kind_series(
    cells: pd.DataFrame, kind: str, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[dict[str, Any], list[bool]]:

    rows = cells[cells["kind"] == kind] if not cells.empty else cells
    if rows.empty:
        return dense(pd.DataFrame(), start, end, "1h", SERIES), []
    rows = rows[(rows["start"] >= start) & (rows["start"] < end)]
    return dense(rows, start, end, "1h", SERIES), rows["suppressed"].tolist()


def _ev_states(inputs: Inputs, period: ranges.Range, hours: pd.DataFrame) -> list[dict[str, Any]]:
    evs = hours.loc[(hours["region"] == NEM) & (hours["ev_weight"] > 0)]
    if evs.empty:
        return []

    def ev_rows(days: int) -> pd.DataFrame:
        frame = inputs.hours_by_day(days)
        if frame.empty:
            return frame
        columns = frame[["region", "hour_aest", "household", "ev_weight", suppress.WITHIN_HIDDEN, suppress.AGE]]
        return columns[(columns["region"] == NEM) & (columns["ev_weight"] > 0)].drop(columns="region")

    keys = ["hour_aest"]
    judged = inputs.judged(
        "ev states", period, WINDOWS, ev_rows, keys, suppress.EV_INTERVALS, "ev_weight", regions=False
    )
    cells = judged.set_index("hour_aest")
    counts = evs.groupby("hour_aest")[[f"ev_{state}" for state in STATES]].sum()
    total = counts.sum(axis=1)
    rows = []
    for hour, cell in cells.iterrows():
        hidden = bool(cell["suppressed"])
        row: dict[str, Any] = {"hour_aest": int(str(hour))}
        for state in STATES:
            row[state] = None if hidden or not total[hour] else sig4(counts.loc[hour, f"ev_{state}"] / total[hour])
        row["evs"] = None if hidden else count(cell["households"])
        row["suppressed"] = hidden
        rows.append(row)
    return rows


def _bidirectional(inputs: Inputs, period: ranges.Range) -> dict[str, Any]:
    households = inputs.partial("households", period.days)
    per_household = households.groupby("household", sort=True).agg(
        evs=("ev_max", "max"),
        capable=("capable_max", "max"),
        discharging=("ev_discharging", "sum"),
        intervals=("ev_intervals", "sum"),
    )
    per_household = per_household[per_household["evs"] > 0].reset_index()

    def owners(days: int) -> pd.DataFrame:
        frame = inputs.partial("households", days, by_day=True)
        if frame.empty:
            return frame
        return frame.loc[frame["ev_max"] > 0, ["household", "ev_max", suppress.AGE]].assign(cell=0)

    # A household's EVs over several days: its most on any day.
    judged = inputs.judged(
        "evs", period, WINDOWS, owners, ["cell"], suppress.EVS, "ev_max", regions=False, aggregate="max"
    )
    if judged.empty or bool(judged["suppressed"].iloc[0]):
        return {"evs": None, "bidirectional_capable_share": None, "discharging_share": None, "suppressed": True}
    ev_count = int(per_household["evs"].sum())
    return {
        "evs": ev_count,
        "bidirectional_capable_share": sig4(per_household["capable"].sum() / ev_count),
        "discharging_share": sig4(per_household["discharging"].sum() / per_household["intervals"].sum()),
        "suppressed": False,
    }


def build(inputs: Inputs, period: ranges.Range | None) -> dict[str, Any]:
    period = period or ranges.BY_ID[DEFAULT_RANGE]
    days = inputs.window_days(period.days)
    hours = inputs.hours(period.days)
    series: dict[str, Any] = {}
    flags: list[bool] = []
    ev_states: list[dict[str, Any]] = []
    bidirectional: dict[str, Any] = {
        "evs": None,
        "bidirectional_capable_share": None,
        "discharging_share": None,
        "suppressed": True,
    }
    if not hours.empty:
        start = pd.Timestamp(days[0], tz="UTC")
        end = pd.Timestamp(days[-1], tz="UTC") + pd.Timedelta(days=1)
        asset_hours = inputs.partial("asset_hours", period.days)
        for kind, prefix in KINDS.items():
            series[kind], kind_flags = _kind_series(asset_hours, prefix, start, end)
            flags += kind_flags
        ev_states = _ev_states(inputs, period, hours)
        flags += [row["suppressed"] for row in ev_states]
        bidirectional = _bidirectional(inputs, period)
    units = {
        "assets": "count",
        "stored_kwh": "kWh",
        "setpoint_kw": "kW (+ charging)",
        "evs": "count",
        "unplugged": "share 0-1",
        "bidirectional_capable_share": "share 0-1",
        "discharging_share": "share 0-1",
    }
    rule = suppress.REGION_RULE
    notes = (
        f"{period.describe(days)}, NEM-wide. The series are hourly in every range (asset cells are judged "
        "hourly, among the owners). Hourly values are time averages of the cohort totals (stored kWh = capacity x "
        "SOC). EV state shares are shares of EV-intervals per AEST hour. Suppression, among the households owning "
        f"that kind of asset: series {rule.describe(suppress.ASSET_ENERGY)}; EV states "
        f"{rule.describe(suppress.EV_INTERVALS)}; bidirectional {rule.describe(suppress.EVS)}."
    )
    head = meta(
        inputs,
        ID,
        TITLE,
        days,
        households_in(inputs, days),
        units,
        notes,
        flags,
        suppress.ASSET_ENERGY,
        period=period,
        resolution="1h",
    )
    return {"meta": head, "series": series, "ev_states": ev_states, "bidirectional": bidirectional}
