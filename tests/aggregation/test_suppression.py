"""Small-cell suppression and the guard against differencing."""

from __future__ import annotations

import pandas as pd

from aggregation import suppress


def _cells(households: list[int], shares: list[float] | None = None) -> pd.DataFrame:
    shares = shares or [0.2] * len(households)
    return pd.DataFrame(
        {
            "start": [0] * len(households),
            "households": households,
            "_max_energy": shares,
            "_total_energy": [1.0] * len(households),
        }
    )


def test_small_or_dominated_cells_fail_the_rule() -> None:
    cells = _cells([4, 5, 30], [0.1, 0.6, 0.5])
    assert suppress.primary(cells, suppress.REGION_RULE).tolist() == [False, False, True]


def test_postcode_cells_follow_the_15_15_rule() -> None:
    cells = _cells([14, 15, 40], [0.1, 0.1, 0.16])
    assert suppress.primary(cells, suppress.POSTCODE_RULE).tolist() == [False, True, False]


def test_a_lone_suppressed_region_takes_the_next_smallest_with_it() -> None:
    cells = _cells([3, 20, 8, 40])
    cells["suppressed"] = ~suppress.primary(cells, suppress.REGION_RULE)
    flags = suppress.complementary(cells, ["start"], suppress.REGION_RULE)
    # NEM minus the published regions now reveals only 3 + 8 households together.
    assert flags.tolist() == [True, False, True, False]


def test_two_tiny_suppressed_regions_are_not_enough_together() -> None:
    cells = _cells([1, 2, 9, 40])
    cells["suppressed"] = ~suppress.primary(cells, suppress.REGION_RULE)
    flags = suppress.complementary(cells, ["start"], suppress.REGION_RULE)
    assert flags.tolist() == [True, True, True, False]


def test_nothing_suppressed_means_nothing_changes() -> None:
    cells = _cells([10, 20])
    cells["suppressed"] = False
    assert suppress.complementary(cells, ["start"], suppress.REGION_RULE).tolist() == [False, False]
