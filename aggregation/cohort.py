"""Cohort cells from one UTC day of validated household intervals.

Cells: region x 5-minute interval, region x hour, region x day (each also NEM-wide) and
region x postcode prefix x day. Each carries the number of households behind it and is
suppressed (values null, flag true) when it fails the small-cell rule. No row names a household.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import suppress
from custom_components.nem_flex_telemetry import money

STEP_H: Final = money.INTERVAL_HOURS
RESOLUTIONS: Final = {"5min": ("interval_start", STEP_H), "1h": ("hour_start", 1.0), "1d": ("day_start", 24.0)}
NEM: Final = "NEM"
REGION_ORDER: Final = ("NEM", "NSW1", "QLD1", "VIC1", "SA1", "TAS1")

# Per-interval quantities summed over a cell; kW x 5/60 gives kWh.
ENERGY: Final = {
    "net_import_kwh": "net_import_kw",
    "import_kwh": "import_kw",
    "export_kwh": "export_kw",
    "solar_kwh": "solar_kw",
    "house_load_kwh": "house_load_kw",
}
# Cohort totals averaged over the cell's length (the cohort sum in kW for a 5-minute cell).
AVERAGED: Final = {
    "flex_up_kw": "flex_available_up_kw",
    "flex_down_kw": "flex_available_down_kw",
    "battery_setpoint_kw": "battery_setpoint_kw",
    "ev_setpoint_kw": "ev_setpoint_kw",
    "battery_stored_kwh": "battery_stored_kwh",
    "ev_stored_kwh": "ev_stored_kwh",
    "batteries": "battery_count",
    "evs": "ev_count",
}
# Asset kinds: a household owns one in a cell when its count column is positive there. The kind's averaged
# columns are a cell within the cell (its owners only), judged apart on their stored energy.
ASSET_KINDS: Final = ("battery", "ev")
ASSET_COLUMNS: Final = {
    kind: tuple(name for name, source in AVERAGED.items() if source.startswith(f"{kind}_")) for kind in ASSET_KINDS
}
MONEY: Final = ("cost_actual_aud", "cost_baseline_aud", "saving_aud")
VALUE_COLUMNS: Final = (
    "intervals",
    "intervals_expected",
    "net_import_kwh",
    "net_import_kwh_mean",
    "net_import_kwh_p10",
    "net_import_kwh_p50",
    "net_import_kwh_p90",
    *[name for name in ENERGY if name != "net_import_kwh"],
    *AVERAGED,
    "price_buy",
    "price_sell",
    *MONEY,
    "energy_balance_flagged",
)
POSTCODE_COLUMNS: Final = (
    "intervals",
    "intervals_expected",
    "net_import_kwh",
    "net_import_kwh_mean",
    "import_kwh",
    "export_kwh",
    "solar_kwh",
    "house_load_kwh",
    "saving_aud",
)


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-interval quantities the cells sum: import/export split, gross energy, costs, time keys."""
    out = frame
    net = out["net_import_kw"]
    out["import_kw"] = net.clip(lower=0)
    out["export_kw"] = (-net).clip(lower=0)
    # Gross energy flow decides dominance: |net import| + solar + house load.
    out["gross_kw"] = net.abs() + out["solar_kw"] + out["house_load_kw"]
    buy, sell = out["price_signal_seen"], out["price_export_seen"]
    out["cost_actual_aud"] = money.interval_cost_aud(net, buy, sell)
    out["cost_baseline_aud"] = money.interval_cost_aud(out["naive_baseline_kw"], buy, sell)
    out["saving_aud"] = out["cost_baseline_aud"] - out["cost_actual_aud"]
    out["hour_start"] = out["interval_start"].dt.floor("h")
    out["day_start"] = out["interval_start"].dt.floor("D")
    return out


SUMMED: Final = tuple(
    sorted(
        {"energy_balance_flag", "gross_kw", "price_signal_seen", "price_export_seen", *MONEY}
        | {*ENERGY.values(), *AVERAGED.values()}
    )
)


def _per_household(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Each household's sums within each cell of ``keys`` (index: keys + household), with interval counts."""
    grouped = frame.groupby([*keys, "household"], sort=True, observed=True)
    return grouped[[*SUMMED, "intervals"]].sum()


def _coarser(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A per-household table summed up to the coarser cells of ``keys``."""
    return table.groupby(level=[*keys, "household"], sort=True, observed=True).sum()


def _cells(per_household: pd.DataFrame, keys: list[str], hours: float) -> pd.DataFrame:
    """Cells of ``keys`` from a table with one row per household and cell (``keys`` are columns or levels)."""
    grouped = per_household.groupby(keys, sort=True, observed=True)
    cells = pd.DataFrame({"households": grouped.size()})
    total = grouped[[*SUMMED, "intervals"]].sum()
    cells["intervals"] = total["intervals"]
    cells["intervals_expected"] = cells["households"] * round(hours / STEP_H)
    for name, source in ENERGY.items():
        cells[name] = total[source] * STEP_H
    cells["net_import_kwh_mean"] = cells["net_import_kwh"] / cells["households"]
    quantiles = grouped["net_import_kw"].quantile([0.1, 0.5, 0.9]).unstack() * STEP_H
    for q, label in ((0.1, "p10"), (0.5, "p50"), (0.9, "p90")):
        cells[f"net_import_kwh_{label}"] = quantiles[q]
    # Cohort totals over the intervals reported: each household's mean over its own intervals in the cell,
    # summed (a household reporting 40 of 43 intervals counts for what it reported, not 3 zeros).
    means = per_household[list(AVERAGED.values())].div(per_household["intervals"], axis=0)
    by = [per_household[k] if k in per_household.columns else per_household.index.get_level_values(k) for k in keys]
    mean_sums = means.groupby(by, sort=True, observed=True).sum()
    for name, source in AVERAGED.items():
        cells[name] = mean_sums[source]
    cells["price_buy"] = total["price_signal_seen"] / total["intervals"]
    cells["price_sell"] = total["price_export_seen"] / total["intervals"]
    for name in MONEY:
        cells[name] = total[name]
    cells["energy_balance_flagged"] = total["energy_balance_flag"].astype(np.int64)
    return cells.reset_index()


def _with_nem(rows: pd.DataFrame) -> pd.DataFrame:
    """Per-household rows of region cells, plus the same rows as region ``NEM`` (the parent cells)."""
    regions = rows.assign(region=rows["region"].astype(str))
    return pd.concat([regions.assign(region=NEM), regions], ignore_index=True)


def _judged(
    rows: pd.DataFrame, keys: list[str], basis: suppress.Basis, measure: str, hidden_within: pd.DataFrame | None
) -> pd.DataFrame:
    """Region and NEM cells of per-household ``rows`` (regions only) judged by ``suppress.publish``, NEM
    being the parent of the regions."""
    return suppress.publish(
        _with_nem(rows[[*keys, "household", measure]]),
        keys,
        suppress.REGION_RULE,
        basis,
        measure,
        child="region",
        parent=NEM,
        hidden_within=hidden_within,
    )[[*keys, "suppressed"]]


def _region_cells(
    regions: pd.DataFrame,
    nem: pd.DataFrame,
    time_key: str,
    hours: float,
    finer: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Region and NEM cells from their per-household tables, judged by ``suppress.publish``, and each asset
    kind's columns judged among its owners (``_hidden_<kind>``); ``finer``: the finer resolution's cells,
    whose hidden cells hide the coarse cells holding them."""
    nem_cells = _cells(nem, [time_key], hours)
    nem_cells.insert(0, "region", NEM)
    cells = pd.concat([nem_cells, _cells(regions, ["region", time_key], hours)], ignore_index=True)
    cells["region"] = cells["region"].astype(str)
    rows = regions.reset_index()
    keys = ["region", time_key]
    within = None if finer is None else _hidden_within(finer, "suppressed", time_key)
    judged = _judged(rows, keys, suppress.GROSS_ENERGY, "gross_kw", within)
    cells = cells.merge(judged, on=keys, how="left", validate="one_to_one")
    for kind in ASSET_KINDS:
        flag = f"_hidden_{kind}"
        owners = rows[rows[f"{kind}_count"] > 0]
        within = None if finer is None else _hidden_within(finer, flag, time_key)
        hidden = _judged(owners, keys, suppress.ASSET_ENERGY, f"{kind}_stored_kwh", within).rename(
            columns={"suppressed": flag}
        )
        cells = cells.merge(hidden, on=keys, how="left", validate="one_to_one")
        cells[flag] = cells[flag].eq(True) | cells["suppressed"]  # no owner in the cell: NaN, not hidden
    return cells


def _hidden_within(finer: pd.DataFrame, flag: str, coarse_key: str) -> pd.DataFrame:
    """The coarse cells (region, ``coarse_key``) holding a finer cell whose ``flag`` is set."""
    fine_key = next(key for key, _ in RESOLUTIONS.values() if key in finer.columns)
    freq = {"hour_start": "h", "day_start": "D"}[coarse_key]
    hidden = finer.loc[finer[flag], ["region", fine_key]]
    return pd.DataFrame({"region": hidden["region"], coarse_key: hidden[fine_key].dt.floor(freq)}).drop_duplicates()


def _finish(cells: pd.DataFrame, time_key: str, columns: tuple[str, ...]) -> pd.DataFrame:
    cells = cells.rename(columns={time_key: "start"})
    for column in ("region", "postcode_prefix"):
        if column in cells:
            cells[column] = cells[column].astype(str)
    hidden = cells["suppressed"].to_numpy(bool)
    out = cells[["start", "region", *([] if "postcode_prefix" not in cells else ["postcode_prefix"])]].copy()
    out["households"] = cells["households"].astype("Int64").mask(hidden)
    asset_hidden = {
        name: cells[f"_hidden_{kind}"].to_numpy(bool)
        for kind, names in ASSET_COLUMNS.items()
        if f"_hidden_{kind}" in cells
        for name in names
    }
    for name in columns:
        kind = "Int64" if name in {"intervals", "intervals_expected", "energy_balance_flagged"} else "float64"
        out[name] = cells[name].astype(kind).mask(asset_hidden.get(name, hidden))
    out["suppressed"] = hidden
    order = {region: i for i, region in enumerate(REGION_ORDER)}
    out["_order"] = out["region"].map(order).fillna(len(order))
    sort = ["start", "_order", *(["postcode_prefix"] if "postcode_prefix" in out else [])]
    return out.sort_values(sort, kind="stable").drop(columns="_order").reset_index(drop=True)


def day_cells(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """All cells of one UTC day of household intervals (with ``derive``'s columns), suppressed, by resolution.

    Cells only group by household, so the household column may hold any codes that sort like the ids.
    """
    # A household has one record per interval, so for 5-minute cells the rows are the per-household table;
    # one pass to hourly per-household sums serves the hours and the day.
    frame["intervals"] = 1
    hourly = _per_household(frame, ["region", "postcode_prefix", "day_start", "hour_start"])
    raw = {"5min": _region_cells(frame, frame, "interval_start", STEP_H)}
    raw["1h"] = _region_cells(
        _coarser(hourly, ["region", "hour_start"]), _coarser(hourly, ["hour_start"]), "hour_start", 1.0, raw["5min"]
    )
    raw["1d"] = _region_cells(
        _coarser(hourly, ["region", "day_start"]), _coarser(hourly, ["day_start"]), "day_start", 24.0, raw["1h"]
    )
    result = {name: _finish(raw[name], key, VALUE_COLUMNS) for name, (key, _) in RESOLUTIONS.items()}
    keys = ["region", "postcode_prefix", "day_start"]
    by_postcode = _coarser(hourly, keys)
    postcode = _cells(by_postcode, keys, 24.0)
    judged = suppress.publish(
        by_postcode.reset_index()[[*keys, "household", "gross_kw"]],
        keys,
        suppress.POSTCODE_RULE,
        suppress.GROSS_ENERGY,
        "gross_kw",
        child="postcode_prefix",
    )
    postcode = postcode.merge(judged[[*keys, "suppressed"]], on=keys, how="left", validate="one_to_one")
    result["1d_postcode"] = _finish(postcode, "day_start", POSTCODE_COLUMNS)
    return result
