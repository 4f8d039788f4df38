"""Validated raw rows -> one flat row per household interval, after the cross-file checks.

Checks the per-record validator cannot do: the record's UTC day equals the file's day,
the interval is neither before 2025-01-01 nor more than ``CLOCK_TOLERANCE`` in the future, and a
household has one record per interval (the first in the file is kept, the rest are counted as
duplicates). The
energy balance is flagged, never dropped.
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

from aggregation.read import Parsed
from custom_components.nem_flex_telemetry import record as rec

OLDEST: Final = datetime(2025, 1, 1, tzinfo=UTC)
EV_STATES: Final = rec.CONNECTION_STATES
SCALARS: Final = tuple(name for name in rec.RECORD_FIELDS if name not in {"schema_version", "interval_start_utc"})


@dataclass(slots=True)
class FileSummary:
    """What one raw file contributed: counts only, kept in the state file."""

    records: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    flagged: int = 0
    file_reason: str | None = None


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
    out["setpoint_unknown"] = total(np.isnan(setpoint).astype(float), every) > 0
    return out


def clean_many(parsed: list[Parsed], now: datetime) -> tuple[pd.DataFrame, list[FileSummary]]:
    """Files' valid rows as one flat frame after the cross checks, and each file's summary (same order).

    Rows keep the files' order (callers sort); columns are built as arrays and framed once.
    """
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
    bad = reasons != None  # noqa: E711
    for index, reason in zip(file_index[bad].tolist(), reasons[bad].tolist(), strict=True):
        summaries[index].rejected[reason] += 1
    # A household's repeated interval: the first line in the file is kept, the rest counted.
    key = pd.Series(file_index.astype(np.int64) << 40 | (seconds - int(OLDEST.timestamp())))
    duplicated = np.zeros(len(seconds), dtype=bool)
    duplicated[~bad] = key[~bad].duplicated(keep="first").to_numpy()
    for index, n in enumerate(np.bincount(file_index[duplicated], minlength=len(parsed)).tolist()):
        summaries[index].duplicates = n
    keep = ~bad & ~duplicated
    households = np.array([item.file.household for item in parsed], dtype=object)
    kept = pa.array(keep)
    scalars = table.select(list(SCALARS)).filter(kept).to_pandas()  # pyarrow frames strings faster than pandas
    asset_columns = _asset_sums(table.column("assets").filter(kept), int(keep.sum()))
    leading = {
        "household": households[file_index[keep]],
        "interval_start": pd.to_datetime(seconds[keep], unit="s", utc=True).as_unit("s"),
    }
    assets = {name: values for name, values in asset_columns.items() if not name.startswith("setpoint_")}
    frame = pd.concat([pd.DataFrame(leading), scalars, pd.DataFrame(assets)], axis=1)
    setpoint_sum = np.asarray(asset_columns["setpoint_sum_kw"], dtype=float)
    setpoint_abs = np.asarray(asset_columns["setpoint_abs_kw"], dtype=float)
    unknown = np.asarray(asset_columns["setpoint_unknown"], dtype=bool)
    house, deferrable, solar = (
        frame[name].to_numpy(float) for name in ("house_load_kw", "deferrable_load_kw", "solar_kw")
    )
    residual = frame["net_import_kw"].to_numpy(float) - (house + deferrable + setpoint_sum - solar)
    tolerance = rec.BALANCE_TOLERANCE_KW + rec.BALANCE_TOLERANCE_SHARE * (house + deferrable + solar + setpoint_abs)
    flag = (np.abs(residual) > tolerance) & ~unknown
    frame["energy_balance_flag"] = flag
    flagged = np.bincount(file_index[keep][flag], minlength=len(parsed))
    for index, n in enumerate(flagged.tolist()):
        summaries[index].flagged = n
    return frame, summaries


def _empty() -> pd.DataFrame:
    return pd.DataFrame()
