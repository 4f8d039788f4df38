"""Series length follows the span of the period, never the number of days with data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aggregation.build import build
from aggregation.views.common import HOURLY_LIMIT_DAYS
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, write_day


def test_a_sparse_long_history_is_published_daily(tmp_path: Path) -> None:
    # Two days with data, 100 days apart: hourly would be 2,424 mostly empty points per region.
    first, last = NOW - timedelta(days=101), NOW - timedelta(days=2)
    for n in range(1, 6):
        for day in (first, last):
            write_day(tmp_path / "raw", household_id(n), day, day_lines(day, 12))
    build(tmp_path / "raw", tmp_path / "cohort", tmp_path / "views", now=NOW)
    span = (last - first).days + 1
    assert span > HOURLY_LIMIT_DAYS
    for view in ("ledger", "spread"):
        series = read_json(tmp_path / "views" / f"{view}.json")["series"]["NEM"]
        assert series["interval"] == "1d", view
        assert len(series["price_buy" if view == "spread" else "saving_aud"]) == span, view
