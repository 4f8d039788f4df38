"""Validated raw rows -> one flat row per household interval, after the cross-file checks.

Checks the per-record validator cannot do: the record's UTC day equals the file's day,
the interval is neither before 2025-01-01 nor more than ``CLOCK_TOLERANCE`` in the future, the
record is not a placeholder (``is_placeholder``), and a household has one record per interval (the best copy is kept:
the last valid non-placeholder one; the others are counted as duplicates and their intervals
named). The energy balance is flagged, never dropped, as are the real-record findings in
``reasons.FLAGS``: a battery whose setpoint balances only with its sign flipped, a declared
limit above what a connection carries (kept as "no effective limit": null in the frame), and a
``subtraction`` baseline equal to the house load (the prior system's meaning: left out of savings).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env
import pyarrow as pa
import pyarrow.compute as pc

from aggregation import reasons as vocabulary
from aggregation.read import Parsed
from custom_components.nem_flex_telemetry import record as rec

OLDEST: Final = datetime(2025, 1, 1, tzinfo=UTC)
EV_STATES: Final = rec.CONNECTION_STATES
SCALARS: Final = tuple(name for name in rec.RECORD_FIELDS if name not in {"schema_version", "interval_start_utc"})
# A placeholder: a record whose grid, solar, load and baseline powers are all exactly zero and whose assets
# all have a zero or null setpoint. A household draws standby power, so no measured interval reads 0.0000 kW
# everywhere; the prior system wrote such records when its inputs were unavailable.
PLACEHOLDER_ZERO_FIELDS: Final = (
    "net_import_kw",
    "solar_kw",
    "house_load_kw",
    "deferrable_load_kw",
    "naive_baseline_kw",
)
AWAY_STATES: Final = rec.AWAY_STATES  # an EV's null setpoint counts as 0 in these states
# Above this a limit is "no effective limit": no household connection carries more (SCHEMA.md).
CONNECTION_MAX_KW: Final = rec.POWER_RANGE[1]
LIMIT_FIELDS: Final = ("envelope_import_limit_kw", "envelope_export_limit_kw")
# A subtraction baseline is net import minus the batteries' setpoints, each rounded to 4 decimals.
BASELINE_TOLERANCE_KW: Final = 0.001
SAME_VALUE_KW: Final = 0.5 * 10.0**-rec.DECIMALS  # two values that print the same at 4 decimals


@dataclass(slots=True)
class FileSummary:
    """What one raw file contributed: counts only, kept in the state file."""

    records: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    flagged: int = 0
    file_reason: str | None = None
    flags: Counter[str] = field(default_factory=Counter)  # reasons.FLAGS: kept records with a finding
    dropped: list[str] = field(default_factory=list)  # first intervals whose duplicate copies were dropped


def _asset_sums(assets: pa.ChunkedArray, rows: int) -> dict[str, object]:
    items_list = assets.combine_chunks()
    items = items_list.flatten()
    out: dict[str, object] = {}
    if not len(items):
        zeros = np.zeros(rows)
        for prefix in ("battery", "ev"):
            out[f"{prefix}_count"] = zeros.astype(np.int16)
            out[f"{prefix}_capacity_kwh"] = zeros
            out[f"{prefix}_stored_kwh"] = zeros
            out[f"{prefix}_setpoint_kw"] = zeros
        for state_name in EV_STATES:
            out[f"ev_{state_name}"] = zeros.astype(np.int16)
        out["ev_bidirectional_capable"] = zeros.astype(np.int16)
        out["asset_dual_mean"] = np.full(rows, np.nan)
        out["setpoint_sum_kw"] = zeros
        out["setpoint_abs_kw"] = zeros
        out["setpoint_unknown"] = np.zeros(rows, dtype=bool)
        out["battery_setpoint_unknown"] = np.zeros(rows, dtype=bool)
        return out
    parents = np.asarray(pc.list_parent_indices(items_list).to_numpy(zero_copy_only=False))
    kind: np.ndarray = np.asarray(items.field("kind").to_numpy(zero_copy_only=False), dtype=object)
    capacity = np.asarray(items.field("capacity_kwh").to_numpy(zero_copy_only=False), dtype=float)
    soc = np.asarray(items.field("soc_pct").to_numpy(zero_copy_only=False), dtype=float)
    setpoint = np.asarray(pc.fill_null(items.field("setpoint_kw"), np.nan).to_numpy(zero_copy_only=False), float)
    dual = np.asarray(
        pc.fill_null(items.field("shadow_power_balance_price"), np.nan).to_numpy(zero_copy_only=False), float
    )

    def total(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(parents[mask], weights=weights[mask].astype(float), minlength=rows).astype(float)

    every = np.ones(len(kind), dtype=bool)
    masks = [("battery", np.asarray(kind == "stationary_battery")), ("ev", np.asarray(kind == "ev"))]
    for name, mask in masks:
        out[f"{name}_count"] = total(np.ones(len(kind)), mask).astype(np.int16)
        out[f"{name}_capacity_kwh"] = total(capacity, mask)
        out[f"{name}_stored_kwh"] = total(capacity * soc / 100.0, mask)
        known = mask & ~np.isnan(setpoint)
        out[f"{name}_setpoint_kw"] = total(setpoint, known)
    state: np.ndarray = np.asarray(items.field("connection_state").to_numpy(zero_copy_only=False), dtype=object)
    for state_name in EV_STATES:
        out[f"ev_{state_name}"] = total(np.ones(len(kind)), np.asarray(state == state_name)).astype(np.int16)
    capable = np.asarray(pc.fill_null(items.field("bidirectional_capable"), False).to_numpy(zero_copy_only=False))
    out["ev_bidirectional_capable"] = total(capable.astype(float), np.asarray(kind == "ev")).astype(np.int16)
    has_dual = ~np.isnan(dual)
    dual_count = total(np.ones(len(kind)), has_dual)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["asset_dual_mean"] = np.where(dual_count > 0, total(dual, has_dual) / dual_count, np.nan)
    out["setpoint_sum_kw"] = total(np.nan_to_num(setpoint), every)
    out["setpoint_abs_kw"] = total(np.abs(np.nan_to_num(setpoint)), every)
    away = np.asarray(kind == "ev") & np.isin(state, AWAY_STATES)
    out["setpoint_unknown"] = total((np.isnan(setpoint) & ~away).astype(float), every) > 0
    out["battery_setpoint_unknown"] = total(np.isnan(setpoint).astype(float), masks[0][1]) > 0
    return out


def is_placeholder(table: pa.Table) -> np.ndarray:
    """Per row of a validated raw table: whether it is a placeholder (see ``PLACEHOLDER_ZERO_FIELDS``)."""
    zero = np.ones(table.num_rows, dtype=bool)
    for name in PLACEHOLDER_ZERO_FIELDS:
        zero &= np.asarray(pc.fill_null(pc.equal(table.column(name), 0.0), False).to_numpy(zero_copy_only=False))
    assets = table.column("assets").combine_chunks()
    items = assets.flatten()
    if len(items):
        parents = np.asarray(pc.list_parent_indices(assets).to_numpy(zero_copy_only=False))
        setpoint = pc.fill_null(items.field("setpoint_kw"), 0.0)
        moving = np.asarray(pc.not_equal(setpoint, 0.0).to_numpy(zero_copy_only=False), dtype=bool)
        zero &= np.bincount(parents[moving], minlength=table.num_rows) == 0
    result: np.ndarray = zero
    return result


def clean_many(parsed: list[Parsed], now: datetime) -> tuple[pd.DataFrame, list[FileSummary]]:
    """Files' valid rows as one flat frame after the cross checks, and each file's summary (same order).

    Rows keep the files' order (callers sort); columns are built as arrays and framed once. Should the
    checks raise on the files together, each file is checked alone and one that still raises is
    quarantined ("check failed"), so one file's rows can never stop its day.
    """
    try:
        return _clean_many(parsed, now)
    except Exception:  # isolate the file that breaks the checks
        frames: list[pd.DataFrame] = []
        summaries: list[FileSummary] = []
        for item in parsed:
            try:
                frame, [summary] = _clean_many([item], now)
            except Exception:
                frame, summary = _empty(), FileSummary(file_reason="check failed")  # like any whole-file quarantine
            frames.append(frame)
            summaries.append(summary)
        kept = [frame for frame in frames if not frame.empty]
        return (pd.concat(kept, ignore_index=True) if kept else _empty()), summaries


def _clean_many(parsed: list[Parsed], now: datetime) -> tuple[pd.DataFrame, list[FileSummary]]:
    summaries = [
        FileSummary(records=item.lines, rejected=Counter(item.rejected), file_reason=item.file_reason)
        for item in parsed
    ]
    tables = [item.table for item in parsed]
    rows = np.array([table.num_rows for table in tables], dtype=np.int64)
    if not rows.sum():
        return _empty(), summaries
    table = pa.concat_tables([t for t in tables if t.num_rows])
    file_index = np.repeat(np.arange(len(parsed)), rows)
    stamps_arrow = pc.strptime(table.column("interval_start_utc"), format="%Y-%m-%dT%H:%M:%SZ", unit="s")
    seconds = np.asarray(pc.cast(stamps_arrow, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    file_days = np.array([np.datetime64(item.file.day, "s").astype(np.int64) for item in parsed])[file_index]
    reasons = np.full(len(seconds), None, dtype=object)
    reasons[seconds // 86400 * 86400 != file_days] = "day differs from file name"
    unset = reasons == None  # noqa: E711
    reasons[(seconds > int((now + rec.CLOCK_TOLERANCE).timestamp())) & unset] = "future timestamp"
    unset = reasons == None  # noqa: E711
    reasons[(seconds < int(OLDEST.timestamp())) & unset] = "before 2025-01-01"
    unset = reasons == None  # noqa: E711
    reasons[is_placeholder(table) & unset] = vocabulary.PLACEHOLDER
    bad = reasons != None  # noqa: E711
    for index, reason in zip(file_index[bad].tolist(), reasons[bad].tolist(), strict=True):
        summaries[index].rejected[reason] += 1
    # A household's repeated interval: the last valid copy is kept (placeholders are already out), the
    # earlier ones are counted and their intervals named.
    key = pd.Series(file_index.astype(np.int64) << 40 | (seconds - int(OLDEST.timestamp())))
    duplicated = np.zeros(len(seconds), dtype=bool)
    duplicated[~bad] = key[~bad].duplicated(keep="last").to_numpy()
    for index, n in enumerate(np.bincount(file_index[duplicated], minlength=len(parsed)).tolist()):
        summaries[index].duplicates = n
    if duplicated.any():
        stamps = np.asarray(table.column("interval_start_utc").to_numpy(zero_copy_only=False), dtype=object)
        for index in np.unique(file_index[duplicated]).tolist():
            summaries[index].dropped = vocabulary.first_examples(stamps[duplicated & (file_index == index)].tolist())
    keep = ~bad & ~duplicated
    households = np.array([item.file.household for item in parsed], dtype=object)
    kept = pa.array(keep)
    scalars = table.select(list(SCALARS)).filter(kept).to_pandas()  # pyarrow frames strings faster than pandas
    asset_columns = _asset_sums(table.column("assets").filter(kept), int(keep.sum()))
    leading = {
        "household": households[file_index[keep]],
        "interval_start": pd.to_datetime(seconds[keep], unit="s", utc=True).as_unit("s"),
    }
    internal = {"setpoint_sum_kw", "setpoint_abs_kw", "setpoint_unknown", "battery_setpoint_unknown"}
    assets = {name: values for name, values in asset_columns.items() if name not in internal}
    frame = pd.concat([pd.DataFrame(leading), scalars, pd.DataFrame(assets)], axis=1)
    kept_files = file_index[keep]
    findings = _findings(frame, asset_columns)
    frame["energy_balance_flag"] = findings.pop("energy balance")
    for index, n in enumerate(np.bincount(kept_files[frame["energy_balance_flag"].to_numpy()], minlength=len(parsed))):
        summaries[index].flagged = int(n)
    for name, mask in findings.items():
        for index, n in enumerate(np.bincount(kept_files[mask], minlength=len(parsed)).tolist()):
            if n:
                summaries[index].flags[name] = n
    return frame, summaries


def _findings(frame: pd.DataFrame, asset_columns: dict[str, object]) -> dict[str, np.ndarray]:
    """Per kept row, the energy-balance flag and each of ``reasons.FLAGS``; masks the values they void."""
    setpoint_sum = np.asarray(asset_columns["setpoint_sum_kw"], dtype=float)
    setpoint_abs = np.asarray(asset_columns["setpoint_abs_kw"], dtype=float)
    unknown = np.asarray(asset_columns["setpoint_unknown"], dtype=bool)
    battery_unknown = np.asarray(asset_columns["battery_setpoint_unknown"], dtype=bool)
    battery = frame["battery_setpoint_kw"].to_numpy(float)
    net, house, deferrable, solar, baseline = (
        frame[name].to_numpy(float)
        for name in ("net_import_kw", "house_load_kw", "deferrable_load_kw", "solar_kw", "naive_baseline_kw")
    )
    residual = net - (house + deferrable + setpoint_sum - solar)
    tolerance = rec.BALANCE_TOLERANCE_KW + rec.BALANCE_TOLERANCE_SHARE * (house + deferrable + solar + setpoint_abs)
    flag = (np.abs(residual) > tolerance) & ~unknown
    # Negating the batteries' setpoints moves the residual by twice their sum.
    flipped = flag & (frame["battery_count"].to_numpy() > 0) & (np.abs(residual + 2 * battery) <= tolerance)
    above = np.zeros(len(frame), dtype=bool)
    for name in LIMIT_FIELDS:
        over = frame[name].to_numpy(float) > CONNECTION_MAX_KW
        frame[name] = frame[name].mask(over)  # no effective limit: never "at the cap"
        above |= over
    subtraction = frame["naive_baseline_method"].to_numpy() == "subtraction"
    is_house = np.abs(baseline - house) <= SAME_VALUE_KW
    ours = np.abs(baseline - (net - battery)) <= BASELINE_TOLERANCE_KW
    house_baseline = subtraction & is_house & ~ours & ~battery_unknown
    frame["naive_baseline_kw"] = frame["naive_baseline_kw"].mask(house_baseline)  # left out of savings
    return {
        "energy balance": flag,
        vocabulary.SIGN_FLIPPED: flipped,
        vocabulary.NO_EFFECTIVE_LIMIT: above,
        vocabulary.BASELINE_IS_HOUSE_LOAD: house_baseline,
    }


def _empty() -> pd.DataFrame:
    return pd.DataFrame()
