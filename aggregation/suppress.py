"""Small-cell suppression: which published cells are too small or too dominated to show.

A cell passes when it covers at least ``min_households`` households and no single household
holds more than ``max_share`` of the cell's gross energy (|net import| + solar + house load,
summed over the cell's intervals). Complementary suppression then stops differencing: in a
group of sibling cells that add up to a published parent (regions -> NEM, postcode
prefixes -> their region-day), the suppressed siblings together must also pass the rule
and be at least two, else the next smallest published sibling is suppressed too, until they
do or every sibling is suppressed; the parent then reveals only itself and is judged by its
own rule, never suppressed for its children's sake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env


@dataclass(frozen=True, slots=True)
class Rule:
    """Minimum households and maximum share of one household in a cell."""

    min_households: int
    max_share: float

    def passes(self, households: np.ndarray, max_energy: np.ndarray, total_energy: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total_energy > 0, max_energy / np.where(total_energy > 0, total_energy, 1.0), 0.0)
        return np.asarray((households >= self.min_households) & (share <= self.max_share), dtype=bool)

    def describe(self) -> str:
        return f">= {self.min_households} households, none > {self.max_share * 100:g} % of gross energy"


REGION_RULE: Final = Rule(5, 0.5)
POSTCODE_RULE: Final = Rule(15, 0.15)
RULE_TEXT: Final = "region: >= 5 households, none > 50 % of energy; postcode: 15/15"


def primary(cells: pd.DataFrame, rule: Rule) -> np.ndarray:
    """The rule applied cell by cell (needs columns households, _max_energy, _total_energy)."""
    flags: np.ndarray = rule.passes(
        cells["households"].to_numpy(float),
        cells["_max_energy"].to_numpy(float),
        cells["_total_energy"].to_numpy(float),
    )
    return flags


def complementary(children: pd.DataFrame, keys: list[str], rule: Rule) -> np.ndarray:
    """Children's suppression flags after guarding against differencing from their parent.

    Sibling cells (same ``keys``, e.g. the same interval) partition their parent (NEM, or a
    region-day), so the parent minus the published siblings equals the suppressed ones
    together: that sum must itself pass the rule and cover at least two cells. When all
    siblings end up suppressed, the parent reveals only itself and is judged by its own rule.
    """
    flags: np.ndarray = children["suppressed"].to_numpy(bool).copy()
    households = children["households"].to_numpy(float)
    max_energy = children["_max_energy"].to_numpy(float)
    total_energy = children["_total_energy"].to_numpy(float)
    for rows in children.groupby(keys, sort=False, observed=True).indices.values():
        suppressed = [int(r) for r in rows if flags[r]]
        if not suppressed:
            continue
        published = sorted((int(r) for r in rows if not flags[r]), key=lambda r: (households[r], r))
        while published:
            combined = rule.passes(
                np.array([households[suppressed].sum()]),
                np.array([max_energy[suppressed].max()]),
                np.array([total_energy[suppressed].sum()]),
            )
            if len(suppressed) >= 2 and bool(combined[0]):
                break
            suppressed.append(published.pop(0))
        flags[suppressed] = True
    result: np.ndarray = flags
    return result
