"""``assets.json``: stored energy and setpoints of batteries and EVs, EV connection states."""

from __future__ import annotations

from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import suppress
from aggregation.views.common import Inputs, cell_rule, count, dense, households_in, meta, sig4

KINDS = {"stationary_battery": "battery", "ev": "ev"}
STATES = ("unplugged", "plugged_idle", "charging", "discharging", "driving")


def _kind_series(
    frame: pd.DataFrame, prefix: str, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[dict[str, Any], list[bool]]:
    columns = ["hour_start", "household", *(f"{prefix}_{name}" for name in ("count", "stored_kwh", "setpoint_kw"))]
    owners = frame[columns]  # filter only the columns used, not the whole window frame
    owners = owners[owners[f"{prefix}_count"] > 0].copy()
    if owners.empty:
        return dense(pd.DataFrame(), start, end, "1h", {"assets": "assets", "stored_kwh": "s", "setpoint_kw": "p"}), []
    owners["stored"] = owners[f"{prefix}_stored_kwh"]
    cells = cell_rule(owners, ["hour_start"], "stored", suppress.REGION_RULE)
    sums = owners.groupby("hour_start").agg(
        assets=(f"{prefix}_count", "sum"),
        intervals=("household", "size"),
        stored=(f"{prefix}_stored_kwh", "sum"),
        setpoint=(f"{prefix}_setpoint_kw", "sum"),
    )
    steps = 12.0  # time average of the cohort total over the hour's 5-minute intervals
    cells["assets"] = (sums["assets"] / steps).round().astype("Int64")
    cells["stored_kwh"] = sums["stored"] / steps
    cells["setpoint_kw"] = sums["setpoint"] / steps
    hidden = cells["suppressed"]
    for name in ("assets", "stored_kwh", "setpoint_kw"):
        cells[name] = cells[name].mask(hidden)
    cells = cells.reset_index().rename(columns={"hour_start": "start"})
    block = dense(
        cells, start, end, "1h", {"assets": "assets", "stored_kwh": "stored_kwh", "setpoint_kw": "setpoint_kw"}
    )
    return block, cells["suppressed"].tolist()


def _ev_states(frame: pd.DataFrame) -> list[dict[str, Any]]:
    evs = frame[["hour_aest", "household", "ev_count", *(f"ev_{state}" for state in STATES)]]
    evs = evs[evs["ev_count"] > 0]
    if evs.empty:
        return []
    cells = cell_rule(evs.assign(weight=evs["ev_count"].astype(float)), ["hour_aest"], "weight", suppress.REGION_RULE)
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


def _bidirectional(frame: pd.DataFrame) -> dict[str, Any]:
    evs = frame[["household", "ev_count", "ev_bidirectional_capable", "ev_discharging"]]
    evs = evs[evs["ev_count"] > 0]
    per_household = evs.groupby("household").agg(
        evs=("ev_count", "max"), capable=("ev_bidirectional_capable", "max"), discharging=("ev_discharging", "sum")
    )
    households = len(per_household)
    if households < suppress.REGION_RULE.min_households:
        return {"evs": None, "bidirectional_capable_share": None, "discharging_share": None, "suppressed": True}
    ev_count = int(per_household["evs"].sum())
    return {
        "evs": ev_count,
        "bidirectional_capable_share": sig4(per_household["capable"].sum() / ev_count),
        "discharging_share": sig4(evs["ev_discharging"].sum() / evs["ev_count"].sum()),
        "suppressed": False,
    }


def build(inputs: Inputs) -> dict[str, Any]:
    days = inputs.window_days()
    frame = inputs.records()
    series: dict[str, Any] = {}
    flags: list[bool] = []
    ev_states: list[dict[str, Any]] = []
    bidirectional: dict[str, Any] = {
        "evs": None,
        "bidirectional_capable_share": None,
        "discharging_share": None,
        "suppressed": True,
    }
    if not frame.empty:
        start = pd.Timestamp(days[0], tz="UTC")
        end = pd.Timestamp(days[-1], tz="UTC") + pd.Timedelta(days=1)
        for kind, prefix in KINDS.items():
            series[kind], kind_flags = _kind_series(frame, prefix, start, end)
            flags += kind_flags
        ev_states = _ev_states(frame)
        flags += [row["suppressed"] for row in ev_states]
        bidirectional = _bidirectional(frame)
    units = {
        "assets": "count",
        "stored_kwh": "kWh",
        "setpoint_kw": "kW (+ charging)",
        "evs": "count",
        "unplugged": "share 0-1",
        "bidirectional_capable_share": "share 0-1",
        "discharging_share": "share 0-1",
    }
    notes = (
        "Last 28 days, NEM-wide. Hourly values are time averages of the cohort totals (stored kWh = capacity x "
        "SOC). EV state shares are shares of EV-intervals per AEST hour. A point is suppressed when fewer than 5 "
        "households own that kind of asset or one holds more than 50 % of it."
    )
    head = meta(inputs, "assets", "Assets and V2G", days, households_in(inputs, days), units, notes, flags)
    return {"meta": head, "series": series, "ev_states": ev_states, "bidirectional": bidirectional}
