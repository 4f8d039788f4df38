"""No published number, in any view the registry lists or any Parquet file, reveals a hidden cell.

Cohorts are built to be awkward for small-cell suppression; the test knows every household's region
per day, so it can tell the true households behind any cell or any union of cells. Cells are found
generically: a list of rows with ``region`` and ``suppressed`` (siblings share the fields a hidden row
keeps), a block per region of dense series (siblings share an index), and Parquet rows (siblings share
a start; postcode prefixes share a region-day; finer cells sit inside coarser ones).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from aggregation import publish
from aggregation.build import build
from aggregation.suppress import POSTCODE_RULE, REGION_RULE
from aggregation.views.registry import REGISTRY
from tests.aggregation.helpers import NOW, day_lines, household_id, make_record, read_json, write_day

DAY = NOW - timedelta(days=2)
PREFIX = {"NSW1": "200", "QLD1": "400", "VIC1": "300", "SA1": "500", "TAS1": "700"}
NEM = "NEM"
INTERVALS = 12  # records per household-day: the first hour of the UTC day
STEP = {"5m": timedelta(minutes=5), "1h": timedelta(hours=1), "1d": timedelta(days=1)}
PARQUET_STEP = {"5min": STEP["5m"], "1h": STEP["1h"], "1d": STEP["1d"], "1d_postcode": STEP["1d"]}
DOMINANT_LOAD = 100.0


@dataclass(frozen=True)
class Household:
    number: int
    regions: tuple[str | None, ...]  # region on DAY + first, DAY + first + 1, ... (None: no data that day)
    dominant: bool = False
    ev: bool = False  # owns an EV besides the battery every household has
    first: int = 0  # days from DAY to the first of ``regions``
    export_dual: bool = False  # reports the export envelope's dual (make_record leaves it null)

    def gross(self) -> float:
        """Gross energy per interval (|net import| + solar + load) of ``make_record``'s figures."""
        load = DOMINANT_LOAD if self.dominant else 1.0
        return abs(load + 1.5 - 3.0) + 3.0 + load

    def days(self) -> Iterator[tuple[datetime, str]]:
        """The UTC days with data, each with the household's region that day."""
        for offset, region in enumerate(self.regions, start=self.first):
            if region is not None:
                yield DAY + timedelta(days=offset), region


LAST = 1  # the newest day with data is DAY + 1 in every cohort


def _aged(number: int, region: str, ages: set[int], **fields: Any) -> Household:
    """A household with data on the days of ``ages`` (0: the newest day, DAY + 1) in ``region``."""
    oldest = max(ages)
    regions = tuple(region if oldest - i in ages else None for i in range(oldest + 1))
    return Household(number, regions, first=LAST - oldest, **fields)


def _households(spec: dict[str, int], days: int = 2) -> list[Household]:
    out, n = [], 0
    for region, count in spec.items():
        for _ in range(count):
            n += 1
            out.append(Household(n, (region,) * days))
    return out


def _cohorts() -> dict[str, list[Household]]:
    movers = _households({"NSW1": 8, "QLD1": 5, "VIC1": 4})
    moved = movers[8]  # the first QLD1 household lives in VIC1 on the second day
    movers[8] = Household(moved.number, ("QLD1", "VIC1"))
    dominant = _households({"NSW1": 8, "QLD1": 6, "VIC1": 6})
    dominant[0] = Household(dominant[0].number, dominant[0].regions, dominant=True)
    few_evs = _households({"NSW1": 8, "QLD1": 6})
    for index in (0, 1, 8):  # two EVs in NSW1, one in QLD1: every EV cell is too small
        few_evs[index] = Household(few_evs[index].number, few_evs[index].regions, ev=True)
    # Between two ranges: ten households report on the newest day and 10 days back, five 3 days back, one of
    # them with the export envelope's dual: 7 days minus the last day of that dual's cells is that household.
    alone = [_aged(n, "NSW1", {0, 10}, export_dual=True) for n in range(1, 11)]
    alone += [_aged(n, "NSW1", {3}, export_dual=n == 11) for n in range(11, 16)]
    # Ten report every day of the last 7 (the dual too); 8 to 15 days back one household reports the dual every
    # day, four more on one day, amid five that report every one of those days without it: 28 days minus 7 of
    # the dual's cells is dominated by that household (96 of 144 household-intervals).
    dominated = [_aged(n, "NSW1", set(range(7)), export_dual=True) for n in range(1, 11)]
    dominated.append(_aged(11, "NSW1", set(range(8, 16)), export_dual=True))
    dominated += [_aged(n, "NSW1", {10}, export_dual=True) for n in range(12, 16)]
    dominated += [_aged(n, "NSW1", set(range(8, 16))) for n in range(16, 21)]
    return {
        "one household alone between two ranges": alone,
        "one household dominating between two ranges": dominated,
        "26 households": _households({"NSW1": 12, "QLD1": 10, "VIC1": 4}),
        "one region just under": _households({"NSW1": 10, "QLD1": 4, "VIC1": 4}),
        "exactly one hidden sibling": _households({"NSW1": 9, "QLD1": 6, "TAS1": 3}),
        "dominant household": dominant,
        "households moving region": movers,
        "three EV owners": few_evs,
    }


EV_ASSET: dict[str, Any] = {
    "asset_id": "ev1",
    "kind": "ev",
    "bidirectional_capable": False,
    "capacity_kwh": 60.0,
    "soc_pct": 50.0,
    "setpoint_kw": 0.0,  # idle: the record's energy balance is unchanged
    "available_up_kw": 7.0,
    "available_down_kw": 0.0,
    "shadow_power_balance_price": None,
    "connection_state": "plugged_idle",
    "power_flow_capability": "charge_only",
    "departure_target_pct": None,
    "departure_time_utc": None,
}


def _write(raw: Path, households: list[Household]) -> None:
    for household in households:
        for day, region in household.days():
            changes: dict[str, Any] = {"region": region, "postcode_prefix": PREFIX[region]}
            if household.export_dual:
                changes["shadow_envelope_export_price"] = 0.2
            if household.dominant:
                changes |= {"house_load_kw": DOMINANT_LOAD, "net_import_kw": DOMINANT_LOAD - 1.5}
            if household.ev:
                changes["assets"] = [make_record(day)["assets"][0], EV_ASSET]
            write_day(raw, household_id(household.number), day, day_lines(day, INTERVALS, **changes))


@dataclass(frozen=True)
class Truth:
    households: list[Household]

    def shares(
        self,
        regions: set[str],
        start: datetime,
        end: datetime,
        gross: bool,
        who: Callable[[Household], bool] | None = None,
    ) -> dict[int, float]:
        """Per household of ``who`` (every one by default) with a record in one of ``regions`` within
        [start, end): its part of the cell, in gross energy (``gross``) or in household-intervals."""
        found: dict[int, float] = {}
        for household in self.households:
            if who is not None and not who(household):
                continue
            for day, region in household.days():
                if region in regions or NEM in regions:
                    n = sum(1 for i in range(INTERVALS) if start <= day + i * STEP["5m"] < end)
                    if n:
                        part = n * (household.gross() if gross else 1.0)
                        found[household.number] = found.get(household.number, 0.0) + part
        return found

    def passes(
        self,
        regions: set[str],
        start: datetime,
        end: datetime,
        gross: bool,
        rule: Any = REGION_RULE,
        who: Callable[[Household], bool] | None = None,
    ) -> bool:
        return _passes(self.shares(regions, start, end, gross, who), rule)


def _passes(shares: dict[Any, float], rule: Any = REGION_RULE) -> bool:
    if len(shares) < rule.min_households:
        return False
    return max(shares.values()) / sum(shares.values()) <= rule.max_share


@dataclass
class Group:
    """A parent cell (``NEM``) and its region children, over one period."""

    where: str
    start: datetime
    end: datetime
    gross: bool
    published: dict[str, int | None]  # region -> published household count (None when not given)
    hidden: set[str]


def _when(text: str | None) -> datetime:
    assert text is not None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


COUNTS = ("households", "count", "intervals", "evs")


def _table_groups(
    rows: list[dict[str, Any]], where: str, start: datetime, end: datetime, gross: bool, values: set[str]
) -> list[Group]:
    """Groups of sibling rows; a row publishes numbers when one of ``values`` (the fields ``meta.units``
    names, and counts) is not null."""
    hidden_rows = [row for row in rows if row["suppressed"]]
    keys = sorted(
        {k for row in hidden_rows for k, v in row.items() if v is not None and not isinstance(v, bool)} - {"region"}
    )
    groups: dict[tuple[Any, ...], Group] = {}
    for row in rows:
        key = tuple(row.get(k) for k in keys)
        group = groups.setdefault(
            key, Group(f"{where} {dict(zip(keys, key, strict=True))}", start, end, gross, {}, set())
        )
        if row["suppressed"]:
            group.hidden.add(row["region"])
        elif any(row.get(k) is not None for k in values):
            group.published[row["region"]] = row.get("households")
    return list(groups.values())


def _series_groups(blocks: dict[str, Any], where: str, gross: bool) -> list[Group]:
    groups: dict[int, Group] = {}
    for region, block in blocks.items():
        start, step = _when(block["start"]), STEP[block["interval"]]
        arrays = [v for k, v in block.items() if isinstance(v, list) and k != "suppressed"]
        for i in range(max((len(a) for a in arrays), default=0)):
            group = groups.setdefault(
                i, Group(f"{where}[{i}]", start + i * step, start + (i + 1) * step, gross, {}, set())
            )
            if i in block["suppressed"]:
                group.hidden.add(region)
            elif any(a[i] is not None for a in arrays):
                counts = block.get("households")
                group.published[region] = counts[i] if counts else None
    return list(groups.values())


def _view_groups(view: dict[str, Any]) -> Iterator[Group]:
    meta = view["meta"]
    gross = "gross energy" in meta["suppression"]["rule"].split(";")[0]  # the region cells' basis
    period = meta["period"]
    if period["start"] is None:
        return
    start, end = _when(period["start"]), _when(period["end"])
    values = {*meta["units"], *COUNTS}

    def walk(node: Any, where: str) -> Iterator[Group]:
        if isinstance(node, list) and node and all(isinstance(r, dict) and "suppressed" in r for r in node):
            if all("region" in r for r in node):
                yield from _table_groups(node, where, start, end, gross, values)
            return
        if isinstance(node, dict):
            blocks = {k: v for k, v in node.items() if isinstance(v, dict) and "suppressed" in v and "start" in v}
            if blocks and set(blocks) <= {NEM, *PREFIX}:
                yield from _series_groups(blocks, where, gross)
                return
            for key, value in node.items():
                if key != "meta":
                    yield from walk(value, f"{where}.{key}")

    yield from walk(view, meta["view"])


def _parquet_groups(cohort: Path) -> Iterator[Group]:
    for resolution in ("5min", "1h", "1d"):
        cells = publish.read_resolution(cohort, resolution)
        for moment, rows in cells.groupby("start"):
            start = moment.to_pydatetime()
            group = Group(f"{resolution} {start}", start, start + PARQUET_STEP[resolution], True, {}, set())
            for row in rows.to_dict("records"):
                if row["suppressed"]:
                    group.hidden.add(str(row["region"]))
                else:
                    group.published[str(row["region"])] = int(row["households"])
            yield group


def _check_group(group: Group, truth: Truth) -> None:
    for region, households in group.published.items():
        shown = truth.passes({region}, group.start, group.end, group.gross)
        assert shown, f"{group.where}: {region} fails the rule"
        if households is not None:
            assert households >= REGION_RULE.min_households, f"{group.where}: {region} shows {households}"
    children = {r for r in group.published if r != NEM} | group.hidden
    if NEM not in group.published or not group.hidden or group.hidden == children:
        return
    # NEM minus the published regions is what a reader learns about the hidden ones together.
    assert len(group.hidden) >= 2, f"{group.where}: NEM minus published regions reveals {group.hidden}"
    together = truth.passes(group.hidden, group.start, group.end, group.gross)
    assert together, f"{group.where}: {group.hidden} revealed"
    counts = [group.published[r] for r in group.published]
    if all(c is not None for c in counts):
        published = {r: c for r, c in group.published.items() if c is not None}
        revealed = published[NEM] - sum(c for r, c in published.items() if r != NEM)
        assert revealed >= REGION_RULE.min_households, f"{group.where}: reveals a count of {revealed}"


def _check_postcodes_and_cascade(cohort: Path, truth: Truth) -> None:
    postcode = publish.read_resolution(cohort, "1d_postcode")
    for row in postcode[~postcode["suppressed"]].to_dict("records") if not postcode.empty else []:
        start = row["start"].to_pydatetime()
        assert truth.passes({str(row["region"])}, start, start + STEP["1d"], True, POSTCODE_RULE)
    # A published coarse cell minus its published finer cells would reveal a hidden finer one.
    for fine, coarse, freq in (("5min", "1h", "h"), ("1h", "1d", "D")):
        fine_cells = publish.read_resolution(cohort, fine)
        coarse_cells = publish.read_resolution(cohort, coarse)
        hidden = fine_cells[fine_cells["suppressed"]]
        hidden_keys = set(zip(hidden["region"].astype(str), hidden["start"].dt.floor(freq), strict=True))
        for row in coarse_cells[~coarse_cells["suppressed"]].to_dict("records"):
            assert (str(row["region"]), row["start"]) not in hidden_keys, f"{coarse} {row} holds a hidden {fine} cell"


AEST = timedelta(hours=10)
ASSET_COLUMNS = {"battery": ("batteries", "battery_stored_kwh"), "ev": ("evs", "ev_stored_kwh")}
ASSET_SERIES = {"stationary_battery": "battery", "ev": "ev"}


def _owners(households: list[Household], kind: str) -> Truth:
    """The households owning ``kind`` (every household has a battery)."""
    return Truth([h for h in households if kind == "battery" or h.ev])


def _check_asset_cells(cohort: Path, households: list[Household]) -> int:
    """A kind's columns in a Parquet cell are a cell of that kind's owners: they pass the rule among the
    owners, and NEM minus the published regions reveals no hidden region's owners. Regions without
    owners (zeros) are no cell."""
    checked = 0
    for resolution in ("5min", "1h", "1d"):
        for moment, rows in publish.read_resolution(cohort, resolution).groupby("start"):
            start = moment.to_pydatetime()
            for kind, (count, stored) in ASSET_COLUMNS.items():
                group = Group(f"{resolution} {kind} {start}", start, start + PARQUET_STEP[resolution], False, {}, set())
                for row in rows.to_dict("records"):
                    if row["suppressed"] or pd.isna(row[stored]):
                        group.hidden.add(str(row["region"]))
                    elif row[count] > 0:
                        group.published[str(row["region"])] = None  # owners are not counted in the Parquet
                _check_group(group, _owners(households, kind))
                checked += 1
    return checked


def _check_asset_series(view: dict[str, Any], households: list[Household]) -> None:
    """assets.json publishes a kind's hour only where its owners pass the rule."""
    for name, block in view.get("series", {}).items():
        truth = _owners(households, ASSET_SERIES[name])
        start, step = _when(block["start"]), STEP[block["interval"]]
        for i, stored in enumerate(block["stored_kwh"]):
            if i not in block["suppressed"] and stored is not None:
                moment = start + i * step
                assert truth.passes({NEM}, moment, moment + step, False), f"assets {name}[{i}] shows too few owners"


def _row_lists(node: Any) -> Iterator[list[dict[str, Any]]]:
    if isinstance(node, list) and node and all(isinstance(r, dict) and "suppressed" in r for r in node):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key != "meta":
                yield from _row_lists(value)


def _check_hours_of_day(view: dict[str, Any], cohort: Path) -> int:
    """A published region x AEST-hour cell over the view's period holds no hidden hourly Parquet cell: it
    minus the published hourly cells of that hour would reveal it."""
    period = view["meta"]["period"]
    if period["start"] is None:
        return 0
    start, end = _when(period["start"]), _when(period["end"])
    hourly = publish.read_resolution(cohort, "1h")
    hidden = hourly[hourly["suppressed"]]
    hidden_keys = {
        (str(region), (moment + AEST).hour)
        for region, moment in zip(hidden["region"], hidden["start"].dt.to_pydatetime(), strict=True)
        if start <= moment < end
    }
    checked = 0
    for rows in _row_lists(view):
        for row in rows:
            if "hour_aest" in row and "region" in row and not row["suppressed"]:
                key = (row["region"], row["hour_aest"])
                assert key not in hidden_keys, f"{view['meta']['view']} {row} holds a hidden hourly cell"
                checked += 1
    return checked


KEY_FIELDS = ("dual", "region", "hour_aest", "bin")  # what a table cell of a view is keyed by
EXPORT_DUAL = "shadow_envelope_export_price"


def _keyed_cells(view: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The cells of a view aggregated over its range, by place and keys: table rows (lists of rows with
    ``suppressed``) and single cells (a dict of figures with ``suppressed``). Dense series are left out:
    one cell per time step, the same cell in every range."""
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list) and node and all(isinstance(r, dict) and "suppressed" in r for r in node):
            for row in node:
                cells[(where, *((k, row[k]) for k in KEY_FIELDS if k in row))] = row
        elif isinstance(node, dict):
            if isinstance(node.get("suppressed"), bool) and not any(isinstance(v, (dict, list)) for v in node.values()):
                cells[(where,)] = node
                return
            for key, value in node.items():
                if key != "meta":
                    walk(value, f"{where}.{key}")

    walk(view, view["meta"]["view"])
    return cells


def _price_kept(household: Household, start: datetime, end: datetime) -> set[tuple[datetime, str]]:
    """The household's days (with region) that price_response's range [start, end) keeps: each needs another
    day of the same day type in the range for its baseline (records fall at 10:00 AEST, on the UTC date)."""
    days = [(day, region) for day, region in household.days() if start <= day < end]
    return {
        (day, region)
        for day, region in days
        if any(other != day and (other.weekday() >= 5) == (day.weekday() >= 5) for other, _ in days)
    }


def _difference_shares(
    view: str, place: tuple[Any, ...], truth: Truth, longer: datetime, shorter: datetime, end: datetime, gross: bool
) -> dict[int, float]:
    """The households behind a longer range's cell minus the shorter range's cell (ranges ending at ``end``),
    each with its part of the difference."""
    keys = dict(place[1:])
    region = keys.get("region", NEM)
    if view == "price_response":
        found: dict[int, float] = {}
        for household in truth.households:
            extra = _price_kept(household, longer, end) - _price_kept(household, shorter, end)
            days = [day for day, where in extra if region in (where, NEM)]
            if days:
                found[household.number] = float(len(days) * INTERVALS)
        return found
    who: Callable[[Household], bool] | None = None
    if keys.get("dual") == EXPORT_DUAL:
        who = lambda household: household.export_dual  # noqa: E731
    elif view == "assets":
        who = lambda household: household.ev  # noqa: E731
    return truth.shares({region}, longer, shorter, gross, who)


def _check_range_differences(view_id: str, views: dict[str, dict[str, Any]], truth: Truth) -> int:
    """For every two ranges of a view and every cell published in both: the longer minus the shorter is a
    cell of the days between them, and must pass the rule."""
    checked = 0
    ranged = sorted(views.values(), key=lambda view: _when(view["meta"]["period"]["start"] or "9999-01-01"))
    for longer, shorter in ((a, b) for i, a in enumerate(ranged) for b in ranged[i + 1 :]):
        first, second = longer["meta"]["period"]["start"], shorter["meta"]["period"]["start"]
        if first is None or second is None or first == second:
            continue  # no data, or the same days twice
        meta = longer["meta"]
        gross = "gross energy" in meta["suppression"]["rule"].split(";")[0]
        values = {*meta["units"], *COUNTS}
        short_cells = _keyed_cells(shorter)
        for place, row in _keyed_cells(longer).items():
            other = short_cells.get(place)
            if other is None or row["suppressed"] or other["suppressed"]:
                continue
            if not any(row.get(k) is not None for k in values) or not any(other.get(k) is not None for k in values):
                continue
            end = _when(meta["period"]["end"])
            shares = _difference_shares(view_id, place, truth, _when(first), _when(second), end, gross)
            if shares:
                where = f"{meta['view']} {meta['range']} minus {shorter['meta']['range']} {place}"
                assert _passes(shares), f"{where}: reveals {len(shares)} households {shares}"
            checked += 1
    return checked


@pytest.mark.parametrize("case", list(_cohorts()))
def test_no_view_or_parquet_file_reveals_a_hidden_cell(tmp_path: Path, case: str) -> None:
    households = _cohorts()[case]
    truth = Truth(households)
    _write(tmp_path / "raw", households)
    build(tmp_path / "raw", tmp_path / "cohort", tmp_path / "views", now=NOW)
    groups = 0
    catalogue = read_json(tmp_path / "views" / "views.json")  # every file of every view and range
    files = {view["id"]: {view["file"], *(view["ranges"] or {}).values()} for view in catalogue["views"]}
    assert sum(len(names) for names in files.values()) > len(REGISTRY)
    for view_id, names in sorted(files.items()):
        views = {file: read_json(tmp_path / "views" / file) for file in sorted(names)}
        for published in views.values():
            for group in _view_groups(published):
                _check_group(group, truth)
                groups += 1
            groups += _check_hours_of_day(published, tmp_path / "cohort")
            if view_id == "assets":
                _check_asset_series(published, households)
        groups += _check_range_differences(view_id, views, truth)
    for group in _parquet_groups(tmp_path / "cohort"):
        _check_group(group, truth)
        groups += 1
    _check_postcodes_and_cascade(tmp_path / "cohort", truth)
    groups += _check_asset_cells(tmp_path / "cohort", households)
    assert groups > 0


def test_the_26_household_case_hides_two_regions_everywhere(tmp_path: Path) -> None:
    """The issue's case: VIC1 (4) is hidden, and so must QLD1 be wherever NEM and NSW1 are published."""
    households = _cohorts()["26 households"]
    _write(tmp_path / "raw", households)
    build(tmp_path / "raw", tmp_path / "cohort", tmp_path / "views", now=NOW)
    shadow = read_json(tmp_path / "views" / "shadow.json")
    by_region = pd.DataFrame(shadow["cells"]).groupby("region")["suppressed"].all()
    assert by_region["VIC1"] and by_region["QLD1"] and not by_region["NSW1"] and not by_region["NEM"]
    rows = pd.DataFrame(read_json(tmp_path / "views" / "price_response.json")["rows"])
    shown = rows[rows["region"] == NEM].dropna(subset=["mean_delta_kw"])
    for bin_index in shown["bin"]:
        regions = rows[rows["bin"] == bin_index].set_index("region")["suppressed"]
        assert regions["VIC1"] and regions["QLD1"]
