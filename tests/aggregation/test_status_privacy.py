"""status.json cannot be differenced: cohort_size minus the published regions never reveals a hidden region."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from aggregation.build import build
from aggregation.suppress import REGION_RULE
from aggregation.views.status import published_regions
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, write_day

DAY = NOW - timedelta(days=2)
PREFIX = {"NSW1": "200", "QLD1": "400", "VIC1": "300", "SA1": "500", "TAS1": "700"}
REGIONS = list(PREFIX)


def _status(tmp_path: Path, households: dict[str, int], movers: int = 0) -> dict[str, Any]:
    """status.json built from ``households`` per region (12 intervals each, on DAY); each of the first
    ``movers`` NSW1 households also has a record in QLD1 the day before (its region changed)."""
    raw, n = tmp_path / "raw", 0
    for region, count in households.items():
        for i in range(count):
            n += 1
            write_day(raw, household_id(n), DAY, day_lines(DAY, 12, region=region, postcode_prefix=PREFIX[region]))
            if region == "NSW1" and i < movers:
                before = DAY - timedelta(days=1)
                write_day(raw, household_id(n), before, day_lines(before, 12, region="QLD1", postcode_prefix="400"))
    build(raw, tmp_path / "cohort", tmp_path / "views", now=NOW)
    status: dict[str, Any] = read_json(tmp_path / "views" / "status.json")
    return status


def _assert_nothing_revealed(status: dict[str, Any], truth: dict[str, int]) -> None:
    """What a reader of status.json can compute reveals no hidden region's household count."""
    regions = status["regions"]
    assert list(regions) == REGIONS  # same shape as before: every region, null where not published
    published = {region: n for region, n in regions.items() if n is not None}
    for region, n in published.items():
        assert n == truth[region] and n >= REGION_RULE.min_households
    hidden = [region for region in REGIONS if truth.get(region, 0) > 0 and regions[region] is None]
    if not hidden:
        return
    difference = status["cohort_size"] - sum(published.values())
    # The difference covers at least two hidden regions and passes the rule as one cell, so it is no
    # single region's count and no small cell either.
    assert len(hidden) >= 2, (hidden, regions)
    assert difference >= REGION_RULE.min_households, (difference, regions)


def test_a_lone_hidden_region_takes_the_only_published_one_with_it(tmp_path: Path) -> None:
    truth = {"NSW1": 7, "QLD1": 3}
    status = _status(tmp_path, truth)
    assert status["cohort_size"] == 10
    # Publishing NSW1 = 7 would reveal QLD1 = 10 - 7 = 3.
    assert status["regions"] == dict.fromkeys(REGIONS)
    _assert_nothing_revealed(status, truth)


def test_two_hidden_regions_that_pass_together_leave_the_rest_published(tmp_path: Path) -> None:
    truth = {"NSW1": 6, "QLD1": 3, "VIC1": 2}
    status = _status(tmp_path, truth)
    assert status["cohort_size"] == 11
    # 11 - 6 = 5 households in QLD1 and VIC1 together: two regions, and at least 5.
    assert status["regions"] == {"NSW1": 6, "QLD1": None, "VIC1": None, "SA1": None, "TAS1": None}
    _assert_nothing_revealed(status, truth)


def test_only_the_next_smallest_region_is_hidden(tmp_path: Path) -> None:
    truth = {"NSW1": 9, "QLD1": 3, "VIC1": 6}
    status = _status(tmp_path, truth)
    assert status["regions"] == {"NSW1": 9, "QLD1": None, "VIC1": None, "SA1": None, "TAS1": None}
    _assert_nothing_revealed(status, truth)


def test_hidden_regions_too_small_together_hide_everything(tmp_path: Path) -> None:
    truth = {"NSW1": 12, "SA1": 1, "TAS1": 2}
    status = _status(tmp_path, truth)
    assert status["cohort_size"] == 15
    assert status["regions"] == dict.fromkeys(REGIONS)
    _assert_nothing_revealed(status, truth)


def test_regions_that_all_pass_are_all_published(tmp_path: Path) -> None:
    truth = {"NSW1": 5, "VIC1": 6}
    status = _status(tmp_path, truth)
    # Empty regions are null but reveal nothing: no region is hidden, nothing needs guarding.
    assert status["regions"] == {"NSW1": 5, "QLD1": None, "VIC1": 6, "SA1": None, "TAS1": None}
    assert status["cohort_size"] == 11
    _assert_nothing_revealed(status, truth)


def test_a_household_counted_in_two_regions_does_not_shrink_the_difference_below_the_rule(tmp_path: Path) -> None:
    # One NSW1 household was in QLD1 the day before: QLD1 counts 3 + 1 = 4 households, the cohort 11.
    status = _status(tmp_path, {"NSW1": 6, "QLD1": 3, "VIC1": 2}, movers=1)
    truth = {"NSW1": 6, "QLD1": 4, "VIC1": 2}
    assert status["cohort_size"] == 11
    # QLD1 + VIC1 = 6 pass together, and 11 - 6 = 5 still does.
    assert status["regions"] == {"NSW1": 6, "QLD1": None, "VIC1": None, "SA1": None, "TAS1": None}
    _assert_nothing_revealed(status, truth)


def test_a_difference_shrunk_by_households_counted_twice_hides_the_rest(tmp_path: Path) -> None:
    # Two NSW1 households were in QLD1 the day before: NSW1 7, QLD1 2 + 2 = 4, VIC1 2, the cohort 11.
    # QLD1 + VIC1 = 6 pass as a sum, but a reader's 11 - 7 = 4 would not: NSW1 is hidden too.
    status = _status(tmp_path, {"NSW1": 7, "QLD1": 2, "VIC1": 2}, movers=2)
    truth = {"NSW1": 7, "QLD1": 4, "VIC1": 2}
    assert status["cohort_size"] == 11
    assert status["regions"] == dict.fromkeys(REGIONS)
    _assert_nothing_revealed(status, truth)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"NSW1": 7, "QLD1": 3}, {"NSW1": None, "QLD1": None}),
        ({"NSW1": 6, "QLD1": 3, "VIC1": 2}, {"NSW1": 6, "QLD1": None, "VIC1": None}),
        ({"NSW1": 20, "QLD1": 8, "VIC1": 3}, {"NSW1": 20, "QLD1": None, "VIC1": None}),
        ({"NSW1": 6, "VIC1": 5}, {"NSW1": 6, "VIC1": 5}),
        ({"QLD1": 3}, {"QLD1": None}),
        ({}, {}),
    ],
)
def test_published_regions(counts: dict[str, int], expected: dict[str, int | None]) -> None:
    rows = [(f"h{region}{i}", region) for region, n in counts.items() for i in range(n)]
    week = pd.DataFrame(rows, columns=["household", "region"])
    assert published_regions(week) == expected
