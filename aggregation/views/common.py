"""What every view shares: the inputs, rounding, dense series, ``meta`` and deterministic JSON."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import cohort, jsonfile, partials, publish, store, suppress
from aggregation.state import State
from aggregation.views import ranges
from aggregation.views.ranges import Range

REGIONS: Final = cohort.REGION_ORDER
LONGEST_WINDOW: Final = max(ranges.windows(ranges.RECENT))  # household-level partials are kept for it
NEM_WITHIN: Final = "_within_hidden_nem"  # the NEM's mark while the window's rows are summed
# The columns of the hours partial that hour-of-day cells are judged on, per day (``Inputs.hours_by_day``).
JUDGED_HOURS: Final = (
    "gross_kw",
    "ev_weight",
    *(f"{dual}_n" for dual in partials.DUAL_COLUMNS),
)
INTERVALS: Final = {"5m": pd.Timedelta(minutes=5), "1h": pd.Timedelta(hours=1), "1d": pd.Timedelta(days=1)}
INTERVAL_OF: Final = {"5min": "5m", "1h": "1h", "1d": "1d"}  # a cohort resolution's name in a dense block


def _utc_ns(moments: pd.Series) -> pd.DatetimeIndex:
    """UTC instants at one resolution (Parquet reads milliseconds, the partials' keys seconds)."""
    return pd.DatetimeIndex(moments).tz_convert(UTC).as_unit("ns")


def sig4(value: Any) -> float | int | None:
    """4 significant figures; None for missing or non-finite values."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    if number == 0:
        return 0.0
    return float(f"{number:.4g}")


def count(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def utc(moment: datetime | pd.Timestamp) -> str:
    text: str = pd.Timestamp(moment).tz_convert(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return text


@dataclass(slots=True)
class Inputs:
    """Everything the views read, loaded once per build."""

    cohort_dir: Path
    state: State
    generated_at: str
    demo: bool
    days: list[str]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict)
    _households_by_day: dict[str, set[str]] | None = None
    _judged: dict[str, dict[int, pd.DataFrame]] = field(default_factory=dict)

    def window_days(self, days: int | None) -> list[str]:
        """The days with data among the last ``days`` calendar days up to the newest (None: all of them)."""
        if not self.days or days is None:
            return list(self.days)
        last = datetime.fromisoformat(self.days[-1])
        first = (last - timedelta(days=days - 1)).date().isoformat()
        return [day for day in self.days if day >= first]

    def partial(self, name: str, days: int | None, *, by_day: bool = False) -> pd.DataFrame:
        """One per-day partial table (``aggregation.partials``) over the last ``days`` days; ``by_day`` adds
        each row's UTC ``day`` and its ``suppress.AGE``."""
        key = f"partial:{name}:{days}:{by_day}"
        if key not in self._cache:
            frame = partials.read(self.cohort_dir, self.window_days(days), name, with_day=by_day)
            if by_day and not frame.empty:
                frame[suppress.AGE] = self.age(frame["day"])
            self._cache[key] = frame
        return self._cache[key]

    def hours_by_market_day(self, days: int | None) -> pd.DataFrame:
        """The ``hours`` partial of the last ``days`` days with each row's AEST market day (``day_aest``); read
        once per window (the spread's ranges and their judgement share it)."""
        key = f"market_days:{days}"
        if key not in self._cache:
            frame = partials.read(self.cohort_dir, self.window_days(days), "hours", with_day=True)
            if not frame.empty:
                frame["day_aest"] = partials.aest_day(frame["day"], frame["hour_aest"])
            self._cache[key] = frame
        return self._cache[key]

    def households_by_day(self) -> dict[str, set[str]]:
        """Per UTC day, the households with at least one accepted record (one pass over the build state),
        without those the copy screening left out (``aggregation.sybil``): they count nowhere."""
        if self._households_by_day is None:
            left_out = self.state.left_out
            by_day = self.state.household_days()
            self._households_by_day = {day: {h for h in found if h not in left_out} for day, found in by_day.items()}
        return self._households_by_day

    def hours(self, days: int | None) -> pd.DataFrame:
        """The ``hours`` partial of the last ``days`` days per region (and NEM) x AEST hour x household. Rows
        holding an hour the hourly Parquet hides are marked ``suppress.WITHIN_HIDDEN``: a cell over the window
        holding one, minus the published hours, would reveal it (``suppress.publish`` hides it)."""
        key = f"hours:{days}"
        if key not in self._cache:
            frame = self._marked_hours(days)
            if not frame.empty:
                keys = ["region", "hour_aest", "household"]
                frame = frame.drop(columns=["day", suppress.AGE])
                regional = frame.groupby(keys, sort=True, observed=True).sum()
                nem = regional.groupby(level=["hour_aest", "household"], sort=True, observed=True).sum()
                nem[suppress.WITHIN_HIDDEN] = nem.pop(NEM_WITHIN)
                regional = regional.drop(columns=NEM_WITHIN)
                nem = nem.assign(region=cohort.NEM).set_index("region", append=True)
                nem = nem.reorder_levels(keys)
                frame = pd.concat([nem, regional]).reset_index()
                frame[suppress.WITHIN_HIDDEN] = frame[suppress.WITHIN_HIDDEN] > 0
                frame["household"] = frame["household"].astype(str)
                frame = frame.sort_values(keys, kind="stable", ignore_index=True)
            self._cache[key] = frame
        return self._cache[key]

    def hours_by_day(self, days: int | None) -> pd.DataFrame:
        """The columns of the ``hours`` partial that cells are judged on (``JUDGED_HOURS``, the marks) per UTC
        day (``day``, its ``suppress.AGE``): region (and NEM) x AEST hour x household x day."""
        key = f"hours_by_day:{days}"
        if key not in self._cache:
            frame = self._marked_hours(days)
            if not frame.empty:
                keys = ["hour_aest", "household", "day"]
                frame = frame[["region", *keys, suppress.AGE, suppress.WITHIN_HIDDEN, NEM_WITHIN, *JUDGED_HOURS]]
                nem = frame.drop(columns=["region", suppress.WITHIN_HIDDEN]).groupby(keys, sort=False, observed=True)
                nem = nem.agg(dict.fromkeys([suppress.AGE, NEM_WITHIN], "max") | dict.fromkeys(JUDGED_HOURS, "sum"))
                nem = nem.reset_index().rename(columns={NEM_WITHIN: suppress.WITHIN_HIDDEN})
                nem.insert(0, "region", cohort.NEM)
                frame = pd.concat([nem, frame.drop(columns=NEM_WITHIN)], ignore_index=True)
            self._cache[key] = frame
        return self._cache[key]

    def age(self, days: pd.Series) -> np.ndarray:
        """Each UTC day's age in days before the newest day with data (0: the newest), as ``window_days``
        counts them: a day of age a lies in the window of the last n days when a < n."""
        newest = datetime.fromisoformat(self.days[-1])
        ages = {day: (newest - datetime.fromisoformat(day)).days for day in pd.unique(days)}
        result: np.ndarray = days.map(ages).to_numpy(np.int64)
        return result

    def judged(
        self,
        name: str,
        period: Range,
        windows: Sequence[int],
        rows: Callable[[int], pd.DataFrame],
        keys: list[str],
        basis: suppress.Basis,
        measure: str,
        *,
        regions: bool = True,
        aggregate: str = "sum",
    ) -> pd.DataFrame:
        """The cells of ``keys`` over ``period``'s window, judged with every window of ``windows`` (the day
        counts of the view's ranges, ``ranges.windows``) by ``suppress.publish_windows`` on
        ``suppress.REGION_RULE``: no two of the view's ranges subtract to a cell of the days between them
        that fails the rule. ``rows(n)``: per-household rows of the last n days, with ``suppress.AGE``
        (``age``); with ``regions``, NEM among the regions as their parent. Judged once per ``name`` for all
        of the view's ranges."""
        if period.days is None or period.days not in windows:
            raise ValueError(f"{name}: range {period.id} is not one of the windows {tuple(windows)}")
        key = f"{name}:{tuple(windows)}"
        if key not in self._judged:
            frame = rows(max(windows))
            options: dict[str, Any] = {"aggregate": aggregate}
            if regions:
                options |= {"child": "region", "parent": cohort.NEM}
            self._judged[key] = (
                suppress.publish_windows(frame, windows, keys, suppress.REGION_RULE, basis, measure, **options)
                if not frame.empty
                else {}
            )
        judged = self._judged[key]
        return judged[period.days] if judged else pd.DataFrame(columns=[*keys, "households", "suppressed"])

    def _marked_hours(self, days: int | None) -> pd.DataFrame:
        """The ``hours`` partials of the last ``days`` days, each row with its UTC ``day`` (and ``suppress.AGE``)
        and marked when its region's (``WITHIN_HIDDEN``) or the NEM's (``NEM_WITHIN``) hourly Parquet cell of
        that UTC hour is hidden. Read once for the longest window of household-level partials: a shorter
        window is its youngest rows."""
        key = f"marked_hours:{days}"
        if key in self._cache:
            return self._cache[key]
        if days is not None and days < LONGEST_WINDOW:
            full = self._marked_hours(LONGEST_WINDOW)
            self._cache[key] = full[full[suppress.AGE] < days].reset_index(drop=True) if not full.empty else full
            return self._cache[key]
        window = self.window_days(days)
        hourly = self.cells("1h", window)
        hidden = pd.MultiIndex.from_arrays([[], pd.DatetimeIndex([], tz=UTC)])
        if not hourly.empty:
            shown = hourly.loc[hourly["suppressed"], ["region", "start"]]
            hidden = pd.MultiIndex.from_arrays([shown["region"].astype(str), _utc_ns(shown["start"])])
        offset = pd.Timedelta(hours=24) - partials.AEST  # AEST hour h of a UTC day is its UTC hour (h + 14) % 24
        parts = []
        for day in window:
            part = partials.read(self.cohort_dir, [day], "hours")
            if part.empty:
                continue
            hour = pd.to_timedelta(part["hour_aest"].to_numpy(), unit="h")
            start = _utc_ns(pd.Series(pd.Timestamp(day, tz=UTC) + (hour + offset) % pd.Timedelta(hours=24)))
            regions = part["region"].astype(str).to_numpy()
            part[suppress.WITHIN_HIDDEN] = pd.MultiIndex.from_arrays([regions, start]).isin(hidden)
            nem = np.full(len(part), cohort.NEM, dtype=object)
            part[NEM_WITHIN] = pd.MultiIndex.from_arrays([nem, start]).isin(hidden)
            part["day"] = day
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if not frame.empty:
            for column in ("household", "day"):  # grouped on often: codes, not strings
                frame[column] = frame[column].astype("category")
            frame[suppress.AGE] = self.age(frame["day"])
        self._cache[key] = frame
        return frame

    def cells(self, resolution: str, days: Sequence[str]) -> pd.DataFrame:
        """The published cohort cells of ``resolution`` (``suppress.publish``'d when the day was built) on ``days``."""
        if resolution == "5min":  # read per day: only the recent days are ever asked for
            key = f"5min:{days[0]}:{days[-1]}" if days else "5min:"
            if key not in self._cache:
                parts = [store.read_cells(self.cohort_dir, day, "5min") for day in days]
                parts = [part for part in parts if not part.empty]
                self._cache[key] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
            return self._cache[key]
        if resolution not in self._cache:
            frame = publish.read_resolution(self.cohort_dir, resolution)
            if not frame.empty:
                frame["region"] = frame["region"].astype(str)
            self._cache[resolution] = frame
        frame = self._cache[resolution]
        if frame.empty or not days:
            return frame.iloc[0:0]
        start, end = span(days)
        return frame[(frame["start"] >= start) & (frame["start"] < end)].reset_index(drop=True)

    def period(self, days: Sequence[str]) -> dict[str, str | None]:
        if not days:
            return {"start": None, "end": None}
        end = datetime.fromisoformat(days[-1]).replace(tzinfo=UTC) + timedelta(days=1)
        start = datetime.fromisoformat(days[0]).replace(tzinfo=UTC)
        return {"start": utc(start), "end": utc(end)}


def span(days: Sequence[str]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The UTC start of the first day and the end of the last: the extent of a range's dense series."""
    return pd.Timestamp(days[0], tz="UTC"), pd.Timestamp(days[-1], tz="UTC") + pd.Timedelta(days=1)


def meta(
    inputs: Inputs,
    view: str,
    title: str,
    days: Sequence[str],
    households: int | None,
    units: dict[str, str],
    notes: str,
    flags: Iterable[bool],
    basis: suppress.Basis = suppress.GROSS_ENERGY,
    rule: suppress.Rule = suppress.REGION_RULE,
    *,
    period: Range | None = None,
    resolution: str | None = None,
) -> dict[str, Any]:
    """The ``meta`` block; ``period`` is the range the file was built for (None for a view without ranges) and
    ``resolution`` its series' resolution (the range's unless the view says otherwise)."""
    flag_list = list(flags)
    return {
        "view": view,
        "title": title,
        "generated_at": inputs.generated_at,
        "schema_version": "2.0",
        "range": period.id if period else None,
        "resolution": resolution or (period.resolution if period else None),
        "period": inputs.period(days),
        "households": households,
        "regions": list(REGIONS),
        "suppression": {
            "rule": suppress.rule_text(basis),
            "cells": len(flag_list),
            "suppressed": int(sum(flag_list)),
            "min_households": rule.min_households,
        },
        "units": units,
        "notes": notes,
    }


def dense(
    frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, interval: str, columns: dict[str, str]
) -> dict[str, Any]:
    """A dense block ``{start, interval, <name>: [...], suppressed: [...]}`` from cells with a ``start`` column.

    ``columns`` maps output names to cell columns; ``households`` is published as integers.
    """
    index = pd.date_range(start, end, freq=INTERVALS[interval], inclusive="left")
    aligned = frame.set_index("start").reindex(index) if not frame.empty else pd.DataFrame(index=index)
    block: dict[str, Any] = {"start": utc(start), "interval": interval}
    for name, column in columns.items():
        values = aligned[column] if column in aligned else pd.Series([None] * len(index), index=index)
        convert = count if name in {"households", "household_intervals", "assets", "evs"} else sig4
        block[name] = [convert(value) for value in values.tolist()]
    flags = aligned["suppressed"] if "suppressed" in aligned else pd.Series(False, index=index)
    block["suppressed"] = [i for i, flag in enumerate(flags.tolist()) if flag is True]
    return block


def region_series(
    cells: pd.DataFrame, days: Sequence[str], resolution: str, columns: dict[str, str]
) -> tuple[dict[str, Any], list[bool]]:
    """Per region (NEM first) a ``dense`` block of ``columns`` over ``days`` from cohort cells of ``resolution``,
    and the suppression flags of the cells used."""
    series: dict[str, Any] = {}
    flags: list[bool] = []
    if not days or cells.empty:
        return series, flags
    start, end = span(days)
    for region in REGIONS:
        rows = cells[cells["region"] == region]
        flags += rows["suppressed"].tolist()
        series[region] = dense(rows, start, end, INTERVAL_OF[resolution], columns)
    return series, flags


def write_json(path: Path, data: dict[str, Any]) -> int:
    """Compact, deterministic, strict JSON (``jsonfile``); returns the bytes written."""
    return jsonfile.write(path, data)


def with_nem(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame twice: once as region ``NEM`` (all rows) and once per real region."""
    nem = frame.copy()
    nem["region"] = cohort.NEM
    return pd.concat([nem, frame], ignore_index=True)


def hour_cells(
    inputs: Inputs, period: Range, windows: Sequence[int], basis: suppress.Basis, measure: str, *, present: bool = False
) -> pd.DataFrame:
    """Region (and NEM) x AEST hour cells of the ``hours`` partial over ``period``'s days on ``measure``,
    judged among ``windows`` (``Inputs.judged``); ``present``: only the rows where ``measure`` is positive."""

    def rows(days: int) -> pd.DataFrame:
        frame = inputs.hours_by_day(days)
        if frame.empty:
            return frame
        columns = frame[["region", "hour_aest", "household", measure, suppress.WITHIN_HIDDEN, suppress.AGE]]
        return columns[columns[measure] > 0] if present else columns

    return inputs.judged(f"hours:{measure}:{present}", period, windows, rows, ["region", "hour_aest"], basis, measure)


def hour_sums(hours: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Sums of ``columns`` per region (and NEM) x AEST hour, with the number of intervals."""
    return hours.groupby(["region", "hour_aest"], sort=True)[["intervals", *columns]].sum().reset_index()


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is zero (a mean over no values)."""
    return numerator / denominator.where(denominator > 0)


def ordered_regions(frame: pd.DataFrame) -> pd.DataFrame:
    order = {region: i for i, region in enumerate(REGIONS)}
    return frame.assign(_o=frame["region"].map(order)).sort_values(["_o"], kind="stable").drop(columns="_o")


def households_in(inputs: Inputs, days: Sequence[str]) -> int | None:
    """Distinct households with at least one accepted record on ``days`` (from the build state)."""
    by_day = inputs.households_by_day()
    seen = set().union(*(by_day.get(day, set()) for day in days))
    return len(seen) if seen else None
