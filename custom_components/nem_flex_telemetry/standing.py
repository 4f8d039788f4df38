"""A household against its region: the three measures, the published quantiles, and where it falls.

Written once for both sides: the aggregation publishes, per region, quantiles of each
measure over the households of the last ``WINDOW_DAYS`` days (``standing.json``), and the
integration computes the same measure for its own household from the same records and
places it among them. Plain arithmetic: the per-record parts work on single records and
on whole columns alike. Pure Python (no Home Assistant).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

from . import money

WINDOW_DAYS: Final = 28
# Quantiles across households. No minimum or maximum: the extremes are single households.
QUANTILES: Final = (0.1, 0.25, 0.5, 0.75, 0.9)
# |dual| above this counts the constraint as binding (the dashboard's shadow view uses the same).
BINDING: Final = 1e-6


@dataclass(frozen=True, slots=True)
class Measure:
    """One measure: its title and unit as the view and the sensors show them."""

    key: str
    title: str
    unit: str


MEASURES: Final = (
    Measure("flex_up_kw", "Flexibility offered: mean room to use more power", "kW"),
    Measure("saving_aud_per_day", "Saving against the baseline per day with data", "AUD/day"),
    Measure("export_binding_share", "Share of intervals with the export envelope binding", "%"),
)
# Per-household sums over the window that the measures are made of.
PARTS: Final = ("intervals", "flex_up_kw_sum", "saving_aud", "export_binding")


def record_parts(record: Mapping[str, Any]) -> dict[str, Any]:
    """What one record (or one table of records, column-wise) adds to the household's sums."""
    net = record["net_import_kw"]
    buy, sell = record["price_signal_seen"], record["price_export_seen"]
    dual = record["shadow_envelope_export_price"]
    return {
        "intervals": 1,
        "flex_up_kw_sum": record["flex_available_up_kw"],
        "saving_aud": money.saving_aud(net, record["naive_baseline_kw"], buy, sell),
        "export_binding": 0 if dual is None else abs(dual) > BINDING,
    }


def measures(sums: Mapping[str, float], days: int) -> dict[str, float | None]:
    """The three measures of one household from its sums over ``days`` days with data."""
    intervals = sums["intervals"]
    if not intervals or not days:
        return dict.fromkeys((measure.key for measure in MEASURES), None)
    return {
        "flex_up_kw": sums["flex_up_kw_sum"] / intervals,
        "saving_aud_per_day": sums["saving_aud"] / days,
        "export_binding_share": 100 * sums["export_binding"] / intervals,
    }


@dataclass(frozen=True, slots=True)
class RegionStanding:
    """What the cohort feed publishes for one region: households, period and each measure's quantiles."""

    region: str
    households: int
    period: str
    quantiles: Mapping[str, Sequence[float | None]]


def region_standing(feed: object, region: str) -> RegionStanding | None:
    """The region's entry of a ``standing`` feed, or None when it is suppressed, missing or malformed."""
    regions = feed.get("regions") if isinstance(feed, Mapping) else None
    entry = regions.get(region) if isinstance(regions, Mapping) else None
    if not isinstance(entry, Mapping):
        return None
    households = entry.get("households")
    quantiles: dict[str, list[float | None]] = {}
    for measure in MEASURES:
        points = entry.get(measure.key)
        if not isinstance(points, list) or len(points) != len(QUANTILES):
            return None
        if not all(
            point is None or (isinstance(point, int | float) and not isinstance(point, bool)) for point in points
        ):
            return None
        quantiles[measure.key] = [None if point is None else float(point) for point in points]
    if not isinstance(households, int) or isinstance(households, bool):
        return None
    period = feed.get("period") if isinstance(feed, Mapping) else None
    return RegionStanding(region, households, str(period or ""), quantiles)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a value falls among published quantiles: the percentile, clamped to the published range."""

    percentile: float
    beyond: str | None  # "below" the lowest or "above" the highest published quantile, else None


def place(value: float, points: Sequence[float | None]) -> Placement | None:
    """The percentile of ``value`` by linear interpolation between the quantiles (``QUANTILES``, ``points``)."""
    if len(points) != len(QUANTILES) or any(point is None for point in points):
        return None
    values = [float(point) for point in points if point is not None]
    shares = [100 * share for share in QUANTILES]
    if value < values[0]:
        return Placement(shares[0], "below")
    if value > values[-1]:
        return Placement(shares[-1], "above")
    for (low, high), (low_share, high_share) in zip(pairwise(values), pairwise(shares), strict=True):
        if low <= value <= high:
            if high == low:
                return Placement((low_share + high_share) / 2, None)
            return Placement(low_share + (value - low) / (high - low) * (high_share - low_share), None)
    return None
