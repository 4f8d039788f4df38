"""Per-day partial aggregates: what the household-level views need, summed once per UTC day.

The views cover the last 28 days. Reading 28 days of household intervals on every run made
a run's time and memory grow with the window; instead each rebuilt day leaves small tables
of sums and counts (and, for the shadow-price quantiles, a histogram) under
``<cohort>/_state/partials/day=YYYY-MM-DD/``, and the views add them up. Every table keeps
the household (or the per-household sums the small-cell rule needs), so suppression and the
cluster bootstrap see exactly what they would see in the household intervals.

Tables, keyed by:
- ``hours``: region x AEST hour x household: intervals, gross energy, envelope, price and
  dual sums, EV state counts (curtailment, spread, shadow, EV states);
- ``price``: household x region x AEST hour x day type x AEST day x price bin: intervals and
  net import sum (the price-response baseline is exact from these);
- ``shadow_hist``: dual x region x AEST hour x log bin: values and their sum;
- ``asset_hours``: asset kind x UTC hour: the finished hourly asset cells (an hour never
  spans two days);
- ``households``: household x region: EV maxima and sums, last interval;
- ``standing``: household x region x AEST day: the sums of the standing measures (``standing.json``);
- ``methods``: the baseline methods present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import clean, cohort, store, suppress
from custom_components.nem_flex_telemetry import standing

AEST: Final = pd.Timedelta(hours=10)
BINDING: Final = 1e-6  # |dual| above this counts as binding
AT_CAP: Final = 0.98  # power within 2 % of its envelope counts as at the cap
PRICE_EDGES: Final = (-np.inf, 0.0, 0.05, 0.10, 0.30, 1.0, 5.0, np.inf)
# Dual columns of the views: the five record-level duals and the per-record mean of the assets' duals.
DUAL_COLUMNS: Final = {
    "shadow_energy_price": "shadow_energy_price",
    "shadow_load_forecast_price": "shadow_load_forecast_price",
    "shadow_solar_forecast_price": "shadow_solar_forecast_price",
    "shadow_envelope_import_price": "shadow_envelope_import_price",
    "shadow_envelope_export_price": "shadow_envelope_export_price",
    "shadow_power_balance_price": "asset_dual_mean",
}
# Shadow-price histogram: bin 0 holds |v| <= 1e-6; bin +-k holds 10**(-6 + (k - 1) / 100) < |v| <= the next edge,
# so 100 bins per decade up to the schema's 1000 $/kWh and a bin's width is 2.3 % of its values.
BINS_PER_DECADE: Final = 100
LOWEST_DECADE: Final = -6
ASSET_KINDS: Final = cohort.ASSET_KINDS


def partial_path(cohort_dir: Path, day: str, name: str) -> Path:
    return store.partials_dir(cohort_dir, day) / f"{name}.parquet"


def aest_day(utc_day: pd.Series, hour_aest: pd.Series) -> pd.Series:
    """The AEST market day (``YYYY-MM-DD``) of an AEST hour within a UTC day: a UTC day starts at
    ``AEST`` o'clock AEST, so its earlier AEST hours belong to the next market day."""
    start = pd.to_datetime(utc_day) + AEST
    local = start.dt.normalize() + pd.to_timedelta(hour_aest, unit="h")
    local = local.where(local >= start.dt.floor("h"), local + pd.Timedelta(days=1))
    return local.dt.strftime("%Y-%m-%d")


def with_time_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Derived quantities (``cohort.derive``) plus AEST hour, AEST day and weekend flag."""
    frame = cohort.derive(frame)
    local = frame["interval_start"] + AEST
    frame["hour_aest"] = local.dt.hour.astype(np.int64)
    days = local.dt.floor("D")
    codes, uniques = pd.factorize(days)
    labels = np.array([day.strftime("%Y-%m-%d") for day in uniques], dtype=object)
    frame["day_aest"] = labels[codes]
    frame["weekend"] = (local.dt.dayofweek >= 5).to_numpy()
    return frame


def dual_bins(values: np.ndarray) -> np.ndarray:
    """Histogram bin of each dual value (monotone in the value; NaN gets bin 0 but is filtered before)."""
    magnitude = np.abs(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.floor((np.log10(np.maximum(magnitude, 1e-300)) - LOWEST_DECADE) * BINS_PER_DECADE) + 1
    level = np.where(magnitude > BINDING, np.maximum(level, 1), 0)
    bins: np.ndarray = (np.sign(values) * level).astype(np.int32)
    return bins


def _hours(frame: pd.DataFrame) -> pd.DataFrame:
    data = pd.DataFrame(
        {"region": frame["region"], "hour_aest": frame["hour_aest"], "household": frame["household"]},
    )
    data["intervals"] = 1
    data["gross_kw"] = frame["gross_kw"]
    for side, power, limit, dual in (
        ("export", "export_kw", "envelope_export_limit_kw", "shadow_envelope_export_price"),
        ("import", "import_kw", "envelope_import_limit_kw", "shadow_envelope_import_price"),
    ):
        data[f"{side}_at_cap"] = ((frame[limit] > 0) & (frame[power] >= AT_CAP * frame[limit])).astype(np.int64)
        binding = frame[dual].abs() > BINDING
        data[f"{side}_binding"] = binding.astype(np.int64)
        data[f"{side}_dual_sum"] = frame[dual].where(binding, 0.0)
    data["export_kwh"] = frame["export_kw"] * cohort.STEP_H
    data["price_buy_sum"] = frame["price_signal_seen"]
    data["price_sell_sum"] = frame["price_export_seen"]
    data["negative_sell"] = (frame["price_export_seen"] < 0).astype(np.int64)
    for dual, column in DUAL_COLUMNS.items():
        values = frame[column]
        data[f"{dual}_n"] = values.notna().astype(np.int64)
        data[f"{dual}_sum"] = values.fillna(0.0)
        data[f"{dual}_binding"] = (values.abs() > BINDING).astype(np.int64)
    data["ev_weight"] = frame["ev_count"].astype(np.int64)
    for state in clean.EV_STATES:
        data[f"ev_{state}"] = frame[f"ev_{state}"].astype(np.int64)
    keys = ["region", "hour_aest", "household"]
    return data.groupby(keys, sort=True, observed=True).sum().reset_index()


def _price(frame: pd.DataFrame) -> pd.DataFrame:
    bins = pd.cut(frame["price_signal_seen"], bins=list(PRICE_EDGES), labels=False, right=False)
    data = pd.DataFrame(
        {
            "household": frame["household"],
            "region": frame["region"],
            "hour_aest": frame["hour_aest"],
            "weekend": frame["weekend"],
            "day_aest": frame["day_aest"],
            "bin": bins.astype(np.int64),
            "intervals": 1,
            "net_sum": frame["net_import_kw"],
        }
    )
    keys = ["household", "region", "hour_aest", "weekend", "day_aest", "bin"]
    return data.groupby(keys, sort=True, observed=True).sum().reset_index()


def _shadow_hist(frame: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for dual, column in DUAL_COLUMNS.items():
        present = frame[column].notna().to_numpy()
        if not present.any():
            continue
        values = frame[column].to_numpy(float)[present]
        part = pd.DataFrame(
            {
                "region": frame["region"][present],
                "hour_aest": frame["hour_aest"].to_numpy()[present],
                "bin": dual_bins(values),
                "count": 1,
                "value_sum": values,
            }
        )
        part = part.groupby(["region", "hour_aest", "bin"], sort=True, observed=True).sum().reset_index()
        part.insert(0, "dual", dual)
        parts.append(part)
    if not parts:
        return pd.DataFrame(
            {"dual": [], "region": [], "hour_aest": [], "bin": [], "count": [], "value_sum": []}
        ).astype({"hour_aest": np.int64, "bin": np.int32, "count": np.int64, "value_sum": float})
    return pd.concat(parts, ignore_index=True)


def _asset_hours(frame: pd.DataFrame, hourly: pd.DataFrame) -> pd.DataFrame:
    """Hourly NEM-wide cells per asset kind: totals over the intervals reported, hidden where the hourly
    Parquet's NEM cell hides that kind's columns (``cohort``: judged among its owners, with the cascade
    from 5-minute cells), so the view and the Parquet publish the same cells."""
    nem = hourly[hourly["region"] == cohort.NEM].set_index("start")
    parts = []
    for kind in ASSET_KINDS:
        owners = frame.loc[
            frame[f"{kind}_count"] > 0,
            ["hour_start", "household", f"{kind}_count", f"{kind}_stored_kwh", f"{kind}_setpoint_kw"],
        ]
        if owners.empty:
            continue
        cells = suppress.publish(
            owners, ["hour_start"], suppress.REGION_RULE, suppress.ASSET_ENERGY, f"{kind}_stored_kwh"
        ).set_index("hour_start")
        cells["suppressed"] = nem[f"{kind}_stored_kwh"].reindex(cells.index).isna().to_numpy()
        hidden = cells["suppressed"].to_numpy()
        # Cohort totals over the intervals reported: each owner's mean over its intervals in the hour, summed.
        columns = [f"{kind}_count", f"{kind}_stored_kwh", f"{kind}_setpoint_kw"]
        per_owner = owners.groupby(["hour_start", "household"], sort=True, observed=True)[columns]
        sums = per_owner.mean().groupby(level="hour_start", sort=True).sum()
        part = pd.DataFrame(index=cells.index)
        part["kind"] = kind
        part["households"] = cells["households"].astype("Int64").mask(hidden)
        part["assets"] = sums[f"{kind}_count"].round().astype("Int64").mask(hidden)
        part["stored_kwh"] = sums[f"{kind}_stored_kwh"].mask(hidden)
        part["setpoint_kw"] = sums[f"{kind}_setpoint_kw"].mask(hidden)
        part["suppressed"] = hidden
        parts.append(part.reset_index().rename(columns={"hour_start": "start"}))
    columns = ["start", "kind", "households", "assets", "stored_kwh", "setpoint_kw", "suppressed"]
    if not parts:
        empty = pd.DataFrame({name: [] for name in columns})
        return empty.astype({"start": "datetime64[s, UTC]", "kind": str, "suppressed": bool})
    return pd.concat(parts, ignore_index=True)[columns]


def _households(frame: pd.DataFrame) -> pd.DataFrame:
    evs = frame["ev_count"] > 0
    data = pd.DataFrame(
        {
            "household": frame["household"],
            "region": frame["region"],
            "ev_max": frame["ev_count"].astype(np.int64),
            "capable_max": frame["ev_bidirectional_capable"].astype(np.int64),
            "ev_discharging": frame["ev_discharging"].where(evs, 0).astype(np.int64),
            "ev_intervals": frame["ev_count"].where(evs, 0).astype(np.int64),
            "last_interval": frame["interval_start"],
        }
    )
    grouped = data.groupby(["household", "region"], sort=True, observed=True)
    return grouped.agg(
        ev_max=("ev_max", "max"),
        capable_max=("capable_max", "max"),
        ev_discharging=("ev_discharging", "sum"),
        ev_intervals=("ev_intervals", "sum"),
        last_interval=("last_interval", "max"),
    ).reset_index()


def _standing(frame: pd.DataFrame) -> pd.DataFrame:
    """Household x region x AEST day: the sums the standing measures are made of (``standing.PARTS``)."""
    parts = standing.record_parts(frame)  # the integration's own per-record parts, column-wise
    data = pd.DataFrame({"household": frame["household"], "region": frame["region"], "day_aest": frame["day_aest"]})
    data["intervals"] = np.int64(1)
    data["flex_up_kw_sum"] = parts["flex_up_kw_sum"].astype(float)
    data["saving_aud"] = parts["saving_aud"].fillna(0.0)  # a baseline left out (house load) saves nothing
    data["export_binding"] = parts["export_binding"].astype(np.int64)
    keys = ["household", "region", "day_aest"]
    return data.groupby(keys, sort=True, observed=True).sum().reset_index()


def day_partials(data: pd.DataFrame, hourly: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every partial table of one UTC day of household intervals with ``with_time_keys``'s columns
    (``hourly``: the day's finished hourly cells, whose judgement of the asset columns the assets keep)."""
    methods = sorted(data["naive_baseline_method"].unique().tolist())
    return {
        "hours": _hours(data),
        "price": _price(data),
        "shadow_hist": _shadow_hist(data),
        "asset_hours": _asset_hours(data, hourly),
        "households": _households(data),
        "standing": _standing(data),
        "methods": pd.DataFrame({"method": methods}),
    }


def write_day(cohort_dir: Path, day: str, tables: dict[str, pd.DataFrame]) -> None:
    for name, table in tables.items():
        for column in ("household", "region"):
            if column in table and isinstance(table[column].dtype, pd.CategoricalDtype):
                table[column] = table[column].astype(str)  # plain strings: days concatenate without recoding
        store.write_table(table, partial_path(cohort_dir, day, name))


def read(cohort_dir: Path, days: list[str], name: str, *, with_day: bool = False) -> pd.DataFrame:
    """One partial table over ``days`` (days without it are skipped); ``with_day`` adds each row's UTC ``day``."""
    parts = [store.read_path(partial_path(cohort_dir, day, name)) for day in days]
    if with_day:
        parts = [part.assign(day=day) for part, day in zip(parts, days, strict=True)]
    parts = [part for part in parts if not part.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
