"""Series length follows the span of the range, never the number of days with data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aggregation.build import build
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, write_day


def test_a_sparse_long_history_is_published_daily_in_all_and_hourly_in_28_days(tmp_path: Path) -> None:
    # Two days with data, 100 days apart: "all" spans both, daily; "28d" holds only the newest day, hourly.
    first, last = NOW - timedelta(days=101), NOW - timedelta(days=2)
    for n in range(1, 6):
        for day in (first, last):
            write_day(tmp_path / "raw", household_id(n), day, day_lines(day, 12))
    build(tmp_path / "raw", tmp_path / "cohort", tmp_path / "views", now=NOW)
    span = (last - first).days + 1
    for view in ("ledger", "flex"):
        everything = read_json(tmp_path / "views" / f"{view}-all.json")
        series = everything["series"]["NEM"]
        assert (series["interval"], everything["meta"]["resolution"], everything["meta"]["range"]) == (
            "1d",
            "1d",
            "all",
        )
        assert len(series["households"]) == span, view
        assert series["households"][0] == 5 and series["households"][-1] == 5 and series["households"][1] is None
        recent = read_json(
            tmp_path / "views" / f"{view}-28d.json" if view == "flex" else tmp_path / "views" / "ledger.json"
        )
        assert recent["series"]["NEM"]["interval"] == "1h"
        assert len(recent["series"]["NEM"]["households"]) == 24, view
        assert recent["meta"]["period"]["start"] == f"{last.date().isoformat()}T00:00:00Z"
