"""What the cohort outputs should say, computed straight from raw JSONL lines with plain Python.

Independent of ``aggregation/``: it follows the written rules (SCHEMA.md for energy and the energy
balance, docs/PRIVACY.md for suppression, docs/DATA.md and docs/VIEWS.md for the cells and the
overview), not the aggregation's code, so the end-to-end test can compare the two.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

STEP_H = 5 / 60
NEM = "NEM"
REGIONS = ("NSW1", "QLD1", "VIC1", "SA1", "TAS1")
MIN_HOUSEHOLDS = 5  # region cells: >= 5 households ...
MAX_SHARE = 0.5  # ... and no household above 50 % of the cell's gross energy
AEST = timedelta(hours=10)


@dataclass(frozen=True, slots=True)
class Line:
    """One raw record as read from a household's day file."""

    household: str
    record: dict[str, Any]

    @property
    def start(self) -> datetime:
        return datetime.strptime(self.record["interval_start_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def read_lines(files: Mapping[str, str]) -> list[Line]:
    """Records of ``{"<household>/YYYY/MM/DD.jsonl": text}`` (paths relative to data/raw)."""
    return [
        Line(path.split("/", 1)[0], json.loads(text_line))
        for path, text in sorted(files.items())
        for text_line in text.splitlines()
    ]


def cost(power_kw: float, buy: float, sell: float) -> float:
    """AUD of one interval: import at the buy price, export at the sell price (negative cost)."""
    return power_kw * (buy if power_kw > 0 else sell) * STEP_H


def saving(record: Mapping[str, Any]) -> float:
    """What the household saved against its naive baseline in one interval."""
    buy, sell = record["price_signal_seen"], record["price_export_seen"]
    return cost(record["naive_baseline_kw"], buy, sell) - cost(record["net_import_kw"], buy, sell)


def gross_kwh(record: Mapping[str, Any]) -> float:
    """|net import| + solar + house load, in kWh: what decides whether one household dominates a cell."""
    return (abs(record["net_import_kw"]) + record["solar_kw"] + record["house_load_kw"]) * STEP_H


def energy_balance_flagged(record: Mapping[str, Any]) -> bool:
    """SCHEMA.md's energy balance: net ~ house + deferrable + setpoints - solar (skipped for a null setpoint,
    except an unplugged or driving EV's, which is 0)."""
    away = ("unplugged", "driving")
    setpoints = [
        0.0 if a["setpoint_kw"] is None and a.get("connection_state") in away else a["setpoint_kw"]
        for a in record["assets"]
    ]
    if any(setpoint is None for setpoint in setpoints):
        return False
    house, deferrable, solar = record["house_load_kw"], record["deferrable_load_kw"], record["solar_kw"]
    residual = record["net_import_kw"] - (house + deferrable + sum(setpoints) - solar)
    allowed = 0.1 + 0.05 * (house + deferrable + solar + sum(abs(s) for s in setpoints))
    return abs(residual) > allowed


@dataclass(slots=True)
class Cell:
    """A region (or NEM) x period cell: per-household gross energy and the sums the outputs publish."""

    energy: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    intervals: int = 0
    net_import_kwh: float = 0.0
    solar_kwh: float = 0.0
    flex_up_kw: float = 0.0  # summed over the cell's household-intervals
    saving_aud: float = 0.0
    suppressed: bool = False

    @property
    def households(self) -> int:
        return len(self.energy)

    def add(self, line: Line) -> None:
        record = line.record
        self.energy[line.household] += gross_kwh(record)
        self.intervals += 1
        self.net_import_kwh += record["net_import_kw"] * STEP_H
        self.solar_kwh += record["solar_kw"] * STEP_H
        self.flex_up_kw += record["flex_available_up_kw"]
        self.saving_aud += saving(record)


def passes(households: int, largest: float, total: float) -> bool:
    """The region rule on one cell (or on suppressed siblings taken together)."""
    share = largest / total if total > 0 else 0.0
    return households >= MIN_HOUSEHOLDS and share <= MAX_SHARE


def _suppress(cells: dict[tuple[str, datetime], Cell]) -> None:
    """The rule on every cell, then complementary suppression among the regions of each period."""
    for cell in cells.values():
        cell.suppressed = not passes(cell.households, max(cell.energy.values()), sum(cell.energy.values()))
    periods = sorted({start for _, start in cells})
    for start in periods:
        siblings = [(region, cells[(region, start)]) for region in sorted(REGIONS) if (region, start) in cells]
        hidden = [cell for _, cell in siblings if cell.suppressed]
        shown = sorted((cell for _, cell in siblings if not cell.suppressed), key=lambda cell: cell.households)
        if not hidden:
            continue
        while shown:
            together = passes(
                sum(cell.households for cell in hidden),
                max(max(cell.energy.values()) for cell in hidden),
                sum(sum(cell.energy.values()) for cell in hidden),
            )
            if len(hidden) >= 2 and together:
                break
            hidden.append(shown.pop(0))
        for cell in hidden:
            cell.suppressed = True


def region_cells(lines: Iterable[Line]) -> dict[str, dict[tuple[str, datetime], Cell]]:
    """5-minute and hourly cells per region and NEM-wide, suppressed as docs/PRIVACY.md says."""
    by_resolution: dict[str, dict[tuple[str, datetime], Cell]] = {"5min": defaultdict(Cell), "1h": defaultdict(Cell)}
    for line in lines:
        start = line.start
        hour = start.replace(minute=0)
        for region in (NEM, line.record["region"]):
            by_resolution["5min"][(region, start)].add(line)
            by_resolution["1h"][(region, hour)].add(line)
    for cells in by_resolution.values():
        _suppress(cells)
    # An hour is suppressed when any of its 5-minute cells is (else the hour minus the rest reveals it).
    for (region, start), cell in by_resolution["5min"].items():
        if cell.suppressed:
            by_resolution["1h"][(region, start.replace(minute=0))].suppressed = True
    return {name: dict(cells) for name, cells in by_resolution.items()}


def sig4(value: float) -> float:
    """Rounded to 4 significant figures, as every published view number is."""
    return float(f"{value:.4g}")


@dataclass(frozen=True, slots=True)
class Overview:
    """The figures the dashboard's overview shows, from the raw lines alone."""

    households: int
    records: int
    files: int
    last_interval: datetime
    regions: dict[str, int | None]  # households per region, None where hidden (see published_region_counts)
    saving_aud: float | None  # published NEM hours only; None when every NEM hour is suppressed
    energy_balance_flagged: int

    @property
    def last_data_aest(self) -> str:
        return f"{self.last_interval + AEST:%Y-%m-%d %H:%M} AEST"


def published_region_counts(counts: dict[str, int]) -> dict[str, int | None]:
    """Households per region as the overview may show them: a region below the minimum is hidden, and
    hidden regions must together hold the minimum across at least two of them (else the smallest shown
    one is hidden too), so the cohort size minus the shown regions never reveals a hidden one."""
    hidden = {region for region in REGIONS if 0 < counts.get(region, 0) < MIN_HOUSEHOLDS}
    shown = sorted((r for r in REGIONS if counts.get(r, 0) >= MIN_HOUSEHOLDS), key=lambda r: counts[r])
    while hidden and shown and (len(hidden) < 2 or sum(counts[r] for r in hidden) < MIN_HOUSEHOLDS):
        hidden.add(shown.pop(0))
    return {region: counts[region] if counts.get(region, 0) and region not in hidden else None for region in REGIONS}


def overview(files: Mapping[str, str]) -> Overview:
    """The overview's figures for raw files ``{"<household>/YYYY/MM/DD.jsonl": text}`` (all within 7 days)."""
    lines = read_lines(files)
    per_region: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        per_region[line.record["region"]].add(line.household)
    hours = region_cells(lines)["1h"]
    published = [cell.saving_aud for (region, _), cell in hours.items() if region == NEM and not cell.suppressed]
    return Overview(
        households=len({line.household for line in lines}),
        records=len(lines),
        files=len(files),
        last_interval=max(line.start for line in lines),
        regions=published_region_counts({region: len(households) for region, households in per_region.items()}),
        saving_aud=sig4(math.fsum(published)) if published else None,
        energy_balance_flagged=sum(energy_balance_flagged(line.record) for line in lines),
    )
