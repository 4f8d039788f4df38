"""Windows of one view (the last day, 7 days, 28 days, all history): a longer window's published cell
minus a shorter window's published cell is a cell over the days between them, and must pass the rule."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from aggregation import suppress

WINDOWS = (1, 7, 28, 10_000)  # 10_000: all history
KEYS = ["region", "hour_aest"]


def _rows(households: dict[str, tuple[str, range | list[int]]], gross: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per household x day of age (0 = the last day) with one unit of gross energy (or ``gross``'s),
    every household in its region and at AEST hour 10; NEM rows as the parent of the regions."""
    rows = [
        {
            "region": region,
            "hour_aest": 10,
            "household": household,
            suppress.AGE: age,
            "gross": (gross or {}).get(household, 1.0),
        }
        for household, (region, ages) in households.items()
        for age in ages
    ]
    frame = pd.DataFrame(rows)
    return pd.concat([frame.assign(region="NEM"), frame], ignore_index=True)


def _judge(rows: pd.DataFrame) -> dict[int, pd.DataFrame]:
    return suppress.publish_windows(
        rows, WINDOWS, KEYS, suppress.REGION_RULE, suppress.GROSS_ENERGY, "gross", child="region", parent="NEM"
    )


def _passes(between: pd.DataFrame) -> bool:
    per = between.groupby("household")["gross"].sum()
    return len(per) >= suppress.REGION_RULE.min_households and per.max() / per.sum() <= suppress.REGION_RULE.max_share


def _differences_pass(rows: pd.DataFrame, judged: dict[int, pd.DataFrame]) -> None:
    """What a reader computes: for every two windows and a cell published in both, the days between them;
    and where NEM is published in both, NEM's difference minus the published regions' differences (the
    regions hidden in either window, together)."""
    for shorter, longer in itertools.combinations(sorted(judged), 2):
        both = judged[shorter].merge(judged[longer], on=KEYS, how="outer", suffixes=("_short", "_long"))
        both["known"] = ~both["suppressed_short"].fillna(False).astype(bool) & ~both["suppressed_long"].fillna(
            True
        ).astype(bool)
        span = rows[(rows[suppress.AGE] >= shorter) & (rows[suppress.AGE] < longer)]
        for cell in both[both["known"]].to_dict("records"):
            between = span[span["region"] == cell["region"]]
            if between.empty:
                continue  # the same cell twice reveals nothing
            assert _passes(between), (shorter, longer, cell["region"])
        if not both.set_index("region")["known"].get("NEM", False):
            continue
        unknown = set(both.loc[~both["known"], "region"])
        together = span[span["region"].isin(unknown)]
        if not together.empty:
            assert _passes(together), (shorter, longer, unknown)


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


def _nsw(judged: dict[int, pd.DataFrame], region: str = "NSW1") -> dict[int, bool]:
    return {window: bool(cells.set_index("region").loc[region, "suppressed"]) for window, cells in judged.items()}


def test_28_days_minus_7_days_isolating_three_households_hides_the_28_day_cell() -> None:
    """Ten households report in the last 7 days only, three only between 10 and 20 days back: the 28-day
    cell (13 households) passes alone, but minus the published 7-day cell (10) it is the three."""
    households = {**_ten(range(7)), **{f"old{i}": ("NSW1", range(10, 20)) for i in range(3)}}
    rows = _rows(households)
    assert (
        suppress.publish(rows[rows[suppress.AGE] < 28], KEYS, suppress.REGION_RULE, suppress.GROSS_ENERGY, "gross")[
            "suppressed"
        ]
        .eq(False)
        .all()
    ), "judged alone, every 28-day cell passes"
    judged = _judge(rows)
    nsw = _nsw(judged)
    assert not nsw[1] and not nsw[7], "the shorter windows pass and stay published"
    assert nsw[28], "28 days minus 7 days would be three households"
    _differences_pass(rows, judged)


def test_28_days_minus_7_days_dominated_by_one_household_hides_the_28_day_cell() -> None:
    """The days between hold five households, one with 20 times the others' energy: the 28-day cell, where
    the ten recent households weigh in, passes alone; its difference with the 7-day cell does not."""
    old = {f"old{i}": ("NSW1", [12]) for i in range(5)}
    rows = _rows({**_ten(range(7)), **old}, gross={"old0": 20.0})
    alone = suppress.publish(rows[rows[suppress.AGE] < 28], KEYS, suppress.REGION_RULE, suppress.GROSS_ENERGY, "gross")
    assert not alone["suppressed"].any()
    judged = _judge(rows)
    nsw = _nsw(judged)
    assert not nsw[7] and nsw[28]
    _differences_pass(rows, judged)


def test_regions_hidden_in_either_window_are_judged_together_on_their_differences() -> None:
    """7 days: VIC1 (3) is hidden and QLD1 with it. 28 days: both pass (VIC1 has three older households) and
    neither difference is published directly, but NEM's difference minus NSW1's is theirs together: the three
    older VIC1 households alone. Another region is hidden in the 28-day window."""
    households = {
        **_ten(range(28)),
        **{f"q{i}": ("QLD1", range(7)) for i in range(6)},
        **{f"v{i}": ("VIC1", range(7)) for i in range(3)},
        **{f"w{i}": ("VIC1", range(10, 20)) for i in range(3)},
    }
    rows = _rows(households)
    alone = suppress.publish(
        rows[rows[suppress.AGE] < 28],
        KEYS,
        suppress.REGION_RULE,
        suppress.GROSS_ENERGY,
        "gross",
        child="region",
        parent="NEM",
    )
    assert not alone["suppressed"].any(), "judged alone, the 28-day window publishes every region"
    judged = _judge(rows)
    assert _nsw(judged, "VIC1")[7] and _nsw(judged, "QLD1")[7] and not _nsw(judged, "NSW1")[7]
    assert sum(_nsw(judged, region)[28] for region in ("NSW1", "QLD1", "VIC1")) >= 2
    _differences_pass(rows, judged)
