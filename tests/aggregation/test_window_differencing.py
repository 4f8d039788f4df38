"""Windows of one view (the last day, 7 days, 28 days, all history): a longer window's published cell
minus a shorter window's published cell is a cell over the days between them, and must pass the rule."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from aggregation import suppress

WINDOWS = (1, 7, 28, 10_000)  # 10_000: all history
KEYS = ["region", "hour_aest"]


def _rows(households: dict[str, tuple[str, range | list[int]]]) -> pd.DataFrame:
    """One row per household x day of age (0 = the last day) with one unit of gross energy, every household
    in its region and at AEST hour 10; NEM rows as the parent of the regions."""
    rows = [
        {"region": region, "hour_aest": 10, "household": household, suppress.AGE: age, "gross": 1.0}
        for household, (region, ages) in households.items()
        for age in ages
    ]
    frame = pd.DataFrame(rows)
    return pd.concat([frame.assign(region="NEM"), frame], ignore_index=True)


def _judge(rows: pd.DataFrame) -> dict[int, pd.DataFrame]:
    return suppress.publish_windows(
        rows, WINDOWS, KEYS, suppress.REGION_RULE, suppress.GROSS_ENERGY, "gross", child="region", parent="NEM"
    )


def _differences_pass(rows: pd.DataFrame, judged: dict[int, pd.DataFrame]) -> None:
    """What a reader computes: for every two windows and a cell published in both, the days between them."""
    for shorter, longer in itertools.combinations(sorted(judged), 2):
        both = judged[shorter].merge(judged[longer], on=KEYS, suffixes=("_short", "_long"))
        for cell in both[~both["suppressed_short"] & ~both["suppressed_long"]].to_dict("records"):
            between = rows[
                (rows["region"] == cell["region"]) & (rows[suppress.AGE] >= shorter) & (rows[suppress.AGE] < longer)
            ]
            if between.empty:
                continue  # the same cell twice reveals nothing
            per = between.groupby("household")["gross"].sum()
            assert len(per) >= suppress.REGION_RULE.min_households, (shorter, longer, cell["region"])
            assert per.max() / per.sum() <= suppress.REGION_RULE.max_share


def _ten(ages: range | list[int]) -> dict[str, tuple[str, range | list[int]]]:
    return {f"n{i}": ("NSW1", ages) for i in range(10)}


def _ten_steady() -> dict[str, tuple[str, range | list[int]]]:
    return _ten(range(40))


def test_steady_households_publish_every_window() -> None:
    rows = _rows(_ten_steady())
    judged = _judge(rows)
    assert all(not cells["suppressed"].any() for cells in judged.values())
    _differences_pass(rows, judged)


@pytest.mark.parametrize(
    ("name", "households", "hidden_window"),
    [
        # Ten joined 28 days ago; before that one household alone: all history minus 28 days is that one.
        ("one household alone in old history", {**_ten(range(28)), "old": ("NSW1", range(28, 32))}, 10_000),
        # Ten without data from 1 to 6 days back, one household only then: 7 days minus the last day is it.
        ("one household alone last week", {**_ten([0, *range(7, 40)]), "new": ("NSW1", range(1, 3))}, 7),
    ],
)
def test_a_window_that_differs_from_a_shorter_one_by_one_household_is_hidden(
    name: str, households: dict[str, tuple[str, range | list[int]]], hidden_window: int
) -> None:
    rows = _rows(households)
    judged = _judge(rows)
    nsw = {window: bool(cells.set_index("region").loc["NSW1", "suppressed"]) for window, cells in judged.items()}
    assert nsw[hidden_window], name
    assert not nsw[1], "the shortest window is judged on its own"
    _differences_pass(rows, judged)
