"""Small-cell suppression: which published cells are too small or too dominated to show.

A cell passes when it covers at least ``min_households`` households and no single household
holds more than ``max_share`` of the cell on its declared basis (gross energy = |net import| +
solar + house load for the cohort cells; intervals, asset energy, ... for views of a subset).
``publish`` is the only way cells are judged: primary rule, cascade across resolutions and
complementary suppression among siblings, for every view and every Parquet file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env


@dataclass(frozen=True, slots=True)
class Basis:
    """What a household's share of a cell is measured in, for the dominance test."""

    name: str


GROSS_ENERGY: Final = Basis("gross energy")
INTERVALS: Final = Basis("intervals")
ASSET_ENERGY: Final = Basis("stored energy of that kind of asset")
EV_INTERVALS: Final = Basis("EV-intervals")
EVS: Final = Basis("EVs")
HOUSEHOLDS: Final = Basis("households")  # a count of households: each one counts once


@dataclass(frozen=True, slots=True)
class Rule:
    """Minimum households and maximum share of one household in a cell."""

    min_households: int
    max_share: float

    def passes(self, households: np.ndarray, max_energy: np.ndarray, total_energy: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total_energy > 0, max_energy / np.where(total_energy > 0, total_energy, 1.0), 0.0)
        return np.asarray((households >= self.min_households) & (share <= self.max_share), dtype=bool)

    def describe(self, basis: Basis = GROSS_ENERGY) -> str:
        return f">= {self.min_households} households, none > {self.max_share * 100:g} % of the cell's {basis.name}"


# A boolean column of ``publish``'s rows: the row lies within a hidden cell published elsewhere (an hour of
# the hourly Parquet, for a view's AEST hour over 28 days), so the cells holding it are hidden too.
WITHIN_HIDDEN: Final = "_within_hidden"

REGION_RULE: Final = Rule(5, 0.5)
POSTCODE_RULE: Final = Rule(15, 0.15)


def rule_text(basis: Basis) -> str:
    """The rule as ``meta.suppression.rule`` states it for cells measured on ``basis``."""
    return f"region cells: {REGION_RULE.describe(basis)}; postcode cells: {POSTCODE_RULE.describe()}"


def primary(cells: pd.DataFrame, rule: Rule) -> np.ndarray:
    """The rule applied cell by cell (needs columns households, _max_energy, _total_energy)."""
    flags: np.ndarray = rule.passes(
        cells["households"].to_numpy(float),
        cells["_max_energy"].to_numpy(float),
        cells["_total_energy"].to_numpy(float),
    )
    return flags


def publish(
    rows: pd.DataFrame,
    keys: list[str],
    rule: Rule,
    basis: Basis,
    measure: str,
    *,
    child: str | None = None,
    parent: str | None = None,
    hidden_within: pd.DataFrame | None = None,
    aggregate: str = "sum",
) -> pd.DataFrame:
    """Cells of ``keys`` from per-household rows, each with ``households`` and ``suppressed``: the one way
    a view or a Parquet file decides which of its cells it may publish.

    ``rows`` hold ``keys``, ``household`` and ``measure`` (the household's part of the cell on the
    declared ``basis``; several rows per household and cell are summed, or with ``aggregate="max"`` the
    largest taken: a household's EVs over several days). Steps:

    1. primary: each cell passes ``rule`` on its own;
    2. cascade: a cell holding a hidden finer cell (``hidden_within``: key columns of the coarse cells
       concerned; or rows marked in a ``WITHIN_HIDDEN`` column) is hidden, since it minus the published
       finer cells would reveal the hidden one;
    3. complementary: the cells that differ only in ``child`` (regions; postcode prefixes) partition
       a parent (the row whose ``child`` is ``parent``, or a cell published elsewhere). The parent
       minus the published siblings reveals the hidden siblings together, so they must be at least
       two and pass the rule as one cell, counted as a reader can count them (the parent's households
       minus the published siblings', never more than the distinct hidden households); else the
       smallest published sibling is hidden too, until they pass or every sibling is hidden (the
       parent then reveals only itself and is judged by its own rule).
    """
    del basis  # declared by the caller for the rule's text; the measure column carries it here
    per = rows.groupby([*keys, "household"], sort=True, observed=True)[measure].agg(aggregate).reset_index()
    grouped = per.groupby(keys, sort=True, observed=True)
    cells = grouped[measure].agg(households="size", _max_energy="max", _total_energy="sum").reset_index()
    suppressed = ~primary(cells, rule)
    if WITHIN_HIDDEN in rows.columns:
        marked = rows.loc[rows[WITHIN_HIDDEN].to_numpy(bool), keys].drop_duplicates()
        hidden_within = marked if hidden_within is None else pd.concat([hidden_within[keys], marked])
    if hidden_within is not None and not hidden_within.empty:
        index = pd.MultiIndex.from_frame(cells[list(hidden_within.columns)])
        suppressed |= index.isin(pd.MultiIndex.from_frame(hidden_within))
    if child is not None:
        parts = (
            grouped.ngroup().to_numpy(),
            pd.factorize(per["household"])[0],
            np.nan_to_num(per[measure].to_numpy(float)),
        )
        suppressed = _complementary(cells, parts, keys, child, parent, rule, suppressed)
    cells["suppressed"] = suppressed
    return cells.drop(columns=["_max_energy", "_total_energy"])


AGE: Final = "age_days"  # a row's age in days before the last day of the windows (0: the last day)


def publish_windows(
    rows: pd.DataFrame,
    windows: Sequence[int],
    keys: list[str],
    rule: Rule,
    basis: Basis,
    measure: str,
    **options: Any,
) -> dict[int, pd.DataFrame]:
    """``publish`` over each window of the last ``w`` days (``w`` in ``windows``; rows carry ``AGE``), so
    that no longer window's published cell minus a shorter window's published cell reveals a cell of the
    days between them that fails ``rule`` (``options``: ``publish``'s).

    Windows are judged from the shortest; a shorter window's judgement stands. For a longer window, against
    every shorter one (not only the next: with the window between them hidden, the two still subtract):

    1. a cell whose difference (the rows of the days between) fails ``rule`` on its own, where the shorter
       cell is published, is hidden before ``publish``'s cascade and complementary steps;
    2. with ``child`` (regions), the differences are siblings too: the parent's difference minus the
       published siblings' differences reveals the siblings hidden in either window together, so the
       complementary step is run on the differences (where the parent is published in both windows),
       and a sibling it hides is hidden in the longer window; the window is judged again until nothing
       more is hidden.
    """
    result: dict[int, pd.DataFrame] = {}
    given = options.pop("hidden_within", None)
    child, aggregate = options.get("child"), options.get("aggregate", "sum")
    for window in sorted(set(windows)):
        inside = rows[rows[AGE] < window]
        hidden = [given[keys]] if given is not None else []
        betweens = {shorter: inside[inside[AGE] >= shorter] for shorter in result}
        betweens = {shorter: between for shorter, between in betweens.items() if not between.empty}
        for shorter, between in betweens.items():
            difference = publish(between, keys, rule, basis, measure, aggregate=aggregate)
            failed = difference.loc[difference["suppressed"], keys]
            hidden.append(failed.merge(_shown(result[shorter], keys), on=keys, how="inner"))
        while True:
            within = pd.concat(hidden, ignore_index=True) if hidden else None
            cells = publish(inside, keys, rule, basis, measure, hidden_within=within, **options)
            if child is None:
                break
            more = [
                _revealed_between(cells, result[shorter], between, keys, rule, basis, measure, options)
                for shorter, between in betweens.items()
            ]
            found = pd.concat(more, ignore_index=True).drop_duplicates() if more else pd.DataFrame()
            if found.empty:
                break
            hidden.append(found)
        result[window] = cells
    return result


def _shown(cells: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return cells.loc[~cells["suppressed"].to_numpy(bool), keys]


def _revealed_between(
    longer: pd.DataFrame,
    shorter: pd.DataFrame,
    between: pd.DataFrame,
    keys: list[str],
    rule: Rule,
    basis: Basis,
    measure: str,
    options: dict[str, Any],
) -> pd.DataFrame:
    """Keys of the cells published in ``longer`` that the complementary step on the differences (the
    rows ``between`` the windows) hides: a difference is known where the longer cell is published and the
    shorter one too or has no rows (nothing); the others are hidden in the step."""
    child, parent = options["child"], options.get("parent")
    hidden_shorter = shorter.loc[shorter["suppressed"].to_numpy(bool), keys]
    in_hidden = pd.MultiIndex.from_frame(longer[keys]).isin(pd.MultiIndex.from_frame(hidden_shorter))
    known_flags = ~longer["suppressed"].to_numpy(bool) & ~in_hidden
    known, unknown = longer.loc[known_flags, keys], longer.loc[~known_flags, keys]
    groups = [key for key in keys if key != child]
    if parent is not None:
        parents = known[known[child] == parent]
        if parents.empty:
            return known.iloc[0:0]
        between = between.merge(parents[groups], on=groups, how="inner") if groups else between
        if between.empty:
            return known.iloc[0:0]
    difference = publish(between, keys, rule, basis, measure, hidden_within=unknown, **options)
    revealed = difference.loc[difference["suppressed"].to_numpy(bool), keys]
    return revealed.merge(known, on=keys, how="inner")


def _complementary(
    cells: pd.DataFrame,
    parts: tuple[np.ndarray, np.ndarray, np.ndarray],
    keys: list[str],
    child: str,
    parent: str | None,
    rule: Rule,
    flags: np.ndarray,
) -> np.ndarray:
    """The complementary step of ``publish``; ``parts`` are, per per-household row (sorted by cell), its
    cell, its household's code and its measure."""
    cell_of_row, codes, measure = parts
    flags = flags.copy()
    siblings = (cells[child] != parent).to_numpy() if parent is not None else np.ones(len(cells), dtype=bool)
    households = cells["households"].to_numpy(np.int64)
    bounds = np.searchsorted(cell_of_row, np.arange(len(cells) + 1))  # rows of cell c: bounds[c]:bounds[c + 1]
    group_keys = [key for key in keys if key != child]
    candidates = cells[siblings & flags]
    if candidates.empty:
        return flags
    sibling_cells = cells[siblings]
    groups = sibling_cells.groupby(group_keys, sort=False, observed=True).indices if group_keys else {0: None}
    positions = np.flatnonzero(siblings)
    for members in groups.values():
        group = positions if members is None else positions[members]
        hidden = [int(c) for c in group if flags[c]]
        if not hidden:
            continue
        shown = sorted((int(c) for c in group if not flags[c]), key=lambda c: (households[c], c))
        everyone = len(np.unique(codes[np.concatenate([np.arange(bounds[c], bounds[c + 1]) for c in group])]))
        while shown:
            rows = np.concatenate([np.arange(bounds[c], bounds[c + 1]) for c in hidden])
            distinct, inverse = np.unique(codes[rows], return_inverse=True)
            shares = np.bincount(inverse, weights=measure[rows])
            counted = min(len(distinct), everyone - int(households[shown].sum()))
            combined = rule.passes(np.array([counted]), np.array([shares.max()]), np.array([shares.sum()]))
            if len(hidden) >= 2 and bool(combined[0]):
                break
            hidden.append(shown.pop(0))
        flags[hidden] = True
    return flags
