"""The periods a reader can choose on the dashboard, defined once: the views' builders, the file
names, ``views.json`` and through it the site all read them from here.

A range covers the last ``days`` UTC days with data (``None``: every day) at ``resolution``: the
time series of a view are published at that resolution, its hour-of-day and distribution tables
aggregate over the range's days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Range:
    id: str
    label: str
    days: int | None  # None: all history
    resolution: str  # a cohort resolution (``cohort.RESOLUTIONS``)

    def describe(self, days: Sequence[str]) -> str:
        """The period in words, for a view's notes: what the range asked for and the days it covers."""
        asked = "All history" if self.days is None else f"Last {self.days} day{'s' * (self.days != 1)} of data"
        if not days:
            return f"{asked} (no data yet)"
        covered = days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}"
        return f"{asked} ({covered}, UTC days; {len(days)} with data)"


RANGES: Final = (
    Range("1d", "1D", 1, "5min"),
    Range("7d", "7D", 7, "5min"),
    Range("28d", "28D", 28, "1h"),
    Range("all", "All", None, "1d"),
)
BY_ID: Final = {period.id: period for period in RANGES}
# Views built from household-level partials: those are kept for the last 35 days only (build.RECORDS_KEPT_DAYS),
# so their longest range is 28 days.
RECENT: Final = ("1d", "7d", "28d")
ALL: Final = tuple(BY_ID)


def windows(ids: Sequence[str]) -> tuple[int, ...]:
    """The day counts of the ranges ``ids`` (each a window of the last n days), shortest first: the windows
    a view's cells are judged among (``suppress.publish_windows``), so that no two of its ranges subtract
    to a cell that fails the rule."""
    counts = {BY_ID[rid].days for rid in ids}
    if None in counts:
        raise ValueError(f"ranges {ids}: all history is no window of household-level partials")
    return tuple(sorted(day for day in counts if day is not None))
