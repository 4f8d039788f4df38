"""Coverage: missing intervals are not zeros; cells say how many intervals were expected and reported."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aggregation import publish
from aggregation.build import build
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, write_day

DAY = NOW - timedelta(days=1)


def test_a_household_missing_intervals_counts_for_what_it_reported(tmp_path: Path) -> None:
    # Six households offering 2 kW each; one reports only 40 of the day's first 43 intervals.
    for n in range(1, 7):
        lines = day_lines(DAY, 43)
        write_day(tmp_path / "raw", household_id(n), DAY, lines[:40] if n == 1 else lines)
    build(tmp_path / "raw", tmp_path / "cohort", tmp_path / "views", now=NOW)
    daily = publish.read_resolution(tmp_path / "cohort", "1d")
    nem = daily[daily["region"] == "NEM"].iloc[0]
    assert not nem["suppressed"]
    assert nem["intervals"] == 5 * 43 + 40
    assert nem["intervals_expected"] == 6 * 288
    # Each household's mean over its own reported intervals, summed: 6 x 2 kW, not less for the missing intervals.
    assert abs(nem["flex_up_kw"] - 12.0) < 1e-9
    ledger = read_json(tmp_path / "views" / "ledger.json")["series"]["NEM"]
    assert ledger["coverage"][:3] == [1.0, 1.0, 1.0]
    # The fourth hour: five households report 7 intervals, the sixth 4, of 6 x 12 expected.
    assert ledger["coverage"][3] == round((5 * 7 + 4) / 72, 4)
