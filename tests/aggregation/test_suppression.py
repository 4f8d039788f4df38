"""Small-cell suppression through ``suppress.publish``: the rule, the guard against differencing, the cascade."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aggregation import suppress


def _rows(households: dict[str, int], dominant: dict[str, float] | None = None) -> pd.DataFrame:
    """Per-household rows of one interval: ``households`` per region (each of measure 1, except a first
    household of ``dominant`` measure), and the same rows as region NEM."""
    rows = []
    for region, count in households.items():
        for i in range(count):
            measure = (dominant or {}).get(region, 1.0) if i == 0 else 1.0
            rows.append({"start": 0, "region": region, "household": f"{region}-{i}", "gross": measure})
    frame = pd.DataFrame(rows)
    return pd.concat([frame.assign(region="NEM"), frame], ignore_index=True)


def _hidden(rows: pd.DataFrame, **options: object) -> dict[str, bool]:
    cells = suppress.publish(
        rows,
        ["region", "start"],
        suppress.REGION_RULE,
        suppress.GROSS_ENERGY,
        "gross",
        **options,  # type: ignore[arg-type]
    )
    return dict(zip(cells["region"], cells["suppressed"].tolist(), strict=True))


def test_small_or_dominated_cells_fail_the_rule() -> None:
    hidden = _hidden(_rows({"NSW1": 4, "QLD1": 5, "VIC1": 30}, dominant={"QLD1": 10.0}))
    assert hidden == {"NEM": False, "NSW1": True, "QLD1": True, "VIC1": False}


def test_postcode_cells_follow_the_15_15_rule() -> None:
    rows = pd.DataFrame({"cell": [0] * 14 + [1] * 15, "household": range(29), "gross": 1.0})
    cells = suppress.publish(rows, ["cell"], suppress.POSTCODE_RULE, suppress.GROSS_ENERGY, "gross")
    assert cells["suppressed"].tolist() == [True, False]


def test_a_lone_suppressed_region_takes_the_next_smallest_with_it() -> None:
    hidden = _hidden(_rows({"NSW1": 3, "QLD1": 20, "VIC1": 8, "SA1": 40}), child="region", parent="NEM")
    # NEM minus the published regions now reveals only 3 + 8 households together.
    assert hidden == {"NEM": False, "NSW1": True, "QLD1": False, "VIC1": True, "SA1": False}


def test_two_tiny_suppressed_regions_are_not_enough_together() -> None:
    hidden = _hidden(_rows({"NSW1": 1, "QLD1": 2, "VIC1": 9, "SA1": 40}), child="region", parent="NEM")
    assert hidden == {"NEM": False, "NSW1": True, "QLD1": True, "VIC1": True, "SA1": False}


def test_hidden_regions_dominated_together_take_another_with_them() -> None:
    # NSW1 (4) and QLD1 (3) pass as 7 households, but NSW1's big household holds over half of the two.
    rows = _rows({"NSW1": 4, "QLD1": 3, "VIC1": 6, "SA1": 40}, dominant={"NSW1": 8.0})
    hidden = _hidden(rows, child="region", parent="NEM")
    assert hidden == {"NEM": False, "NSW1": True, "QLD1": True, "VIC1": True, "SA1": False}


def test_the_26_household_case() -> None:
    hidden = _hidden(_rows({"NSW1": 12, "QLD1": 10, "VIC1": 4}), child="region", parent="NEM")
    assert hidden == {"NEM": False, "NSW1": False, "QLD1": True, "VIC1": True}


def test_nothing_suppressed_means_nothing_changes() -> None:
    hidden = _hidden(_rows({"NSW1": 10, "QLD1": 20}), child="region", parent="NEM")
    assert not any(hidden.values())


def test_a_cell_holding_a_hidden_finer_cell_is_hidden() -> None:
    within = pd.DataFrame({"region": ["QLD1"], "start": [0]})
    hidden = _hidden(_rows({"NSW1": 10, "QLD1": 20, "VIC1": 10}), child="region", parent="NEM", hidden_within=within)
    # QLD1 hidden by the cascade, and the smallest published region with it.
    assert hidden == {"NEM": False, "NSW1": True, "QLD1": True, "VIC1": False}


def test_rule_texts_come_from_the_rules() -> None:
    text = suppress.rule_text(suppress.INTERVALS)
    assert text == (
        "region cells: >= 5 households, none > 50 % of the cell's intervals; "
        "postcode cells: >= 15 households, none > 15 % of the cell's gross energy"
    )


def test_the_docs_state_the_rules_as_the_code_generates_them() -> None:
    root = Path(__file__).parents[2]
    privacy = (root / "docs" / "PRIVACY.md").read_text(encoding="utf-8")
    for rule in (suppress.REGION_RULE, suppress.POSTCODE_RULE):
        assert f"`{rule.describe()}`" in privacy
    for basis in (suppress.ASSET_ENERGY, suppress.EV_INTERVALS, suppress.EVS, suppress.INTERVALS, suppress.HOUSEHOLDS):
        assert f"`{basis.name}`" in privacy
    views = (root / "docs" / "VIEWS.md").read_text(encoding="utf-8")
    assert f'"rule": "{suppress.rule_text(suppress.GROSS_ENERGY)}"' in views
