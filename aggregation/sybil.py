"""Copy screening: households whose series are identical or near-identical to another household's.

The raw data is public, so anyone can register a new id and publish a copy of a member's series: the
cohort grows, small cells pass the rule and totals inflate, with nothing new measured. Per UTC day,
each household's 5-minute series of ``KEY_FIELDS`` is compared with the households nearest to it in
mean gross power (``NEIGHBOURS`` on either side: a copy, even scaled or noisy, has nearly the same
mean, so every pair of full series is never compared). Two readings agree when they differ by at
most ``TOLERANCE_KW`` or ``TOLERANCE_SHARE`` of the larger; an interval counts when both report it
and one of the two moved since its previous interval (flat stretches, a sensor stuck at one value,
agree by chance and prove nothing); a pair is near-identical on the day when, at a shift of at most
``MAX_LAG`` intervals, at least ``MATCH_SHARE`` of at least ``MIN_OVERLAP`` counted intervals agree
on every key field. Near-identical pairs of a day are joined into groups (``day_groups``).

Which household stays (``screen``): an attacker can copy a victim, so leaving every member out would
let anyone get a victim excluded. Households are taken in ``rank`` order (registry binding date, then
first day with data, then id); one is left out when a group of some day holds it together with an
earlier household that stayed, unless a maintainer cleared it in the registry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from custom_components.nem_flex_telemetry import money

KEY_FIELDS: Final = ("net_import_kw", "solar_kw", "house_load_kw")
TOLERANCE_KW: Final = 0.05  # a meter's and an inverter's resolution is finer; noise added to a copy is larger
TOLERANCE_SHARE: Final = 0.02  # a copy scaled by a few per cent
MATCH_SHARE: Final = 0.9  # honest households of one region and tariff agree in well under half their intervals
MIN_OVERLAP: Final = 72  # six hours of counted intervals: a short overlap is too little evidence
MAX_LAG: Final = 1  # a copy shifted by one interval
NEIGHBOURS: Final = 16  # candidates on either side in the order of mean gross power
SLOTS: Final = round(24 / money.INTERVAL_HOURS)  # 5-minute intervals in a UTC day
_CHUNK: Final = 2048  # candidate pairs compared at once (bounds the memory of one comparison)


def describe() -> str:
    """The measure in one sentence, from the constants (for the quality view and the docs)."""
    fields = ", ".join(KEY_FIELDS)
    return (
        f"per UTC day, two households are near-identical when at least {MATCH_SHARE * 100:g} % of at least "
        f"{MIN_OVERLAP} intervals both report (and one of them moved in) agree within {TOLERANCE_KW:g} kW or "
        f"{TOLERANCE_SHARE * 100:g} % on each of {fields}, shifted by at most {MAX_LAG} interval"
    )


def _agree(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise agreement of two readings (False where either is missing)."""
    with np.errstate(invalid="ignore"):
        allowed = np.maximum(TOLERANCE_KW, TOLERANCE_SHARE * np.maximum(np.abs(a), np.abs(b)))
        return np.asarray(np.abs(a - b) <= allowed)


def _series(frame: pd.DataFrame) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Households, their day of ``KEY_FIELDS`` (household x slot x field, NaN where missing), which slots
    they report and which of those moved since the previous slot."""
    codes, households = pd.factorize(frame["household"].astype(str), sort=True)
    start = frame["interval_start"].min().floor("D")
    slots = ((frame["interval_start"] - start) // pd.Timedelta(hours=money.INTERVAL_HOURS)).to_numpy(np.int64)
    values = np.full((len(households), SLOTS, len(KEY_FIELDS)), np.nan)
    values[codes, slots] = frame[list(KEY_FIELDS)].to_numpy(float)
    present = ~np.isnan(values).any(axis=2)
    moved = np.zeros_like(present)
    moved[:, 1:] = present[:, 1:] & present[:, :-1] & ~_agree(values[:, 1:], values[:, :-1]).all(axis=2)
    return [str(h) for h in households], values, present, moved


def _candidates(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of households near each other in the order of their mean gross power over the day."""
    with np.errstate(invalid="ignore"):
        gross = np.nanmean(np.abs(values[:, :, 0]) + values[:, :, 1] + values[:, :, 2], axis=1)
    order = np.argsort(np.nan_to_num(gross), kind="stable")
    steps = range(1, min(NEIGHBOURS, len(order) - 1) + 1)
    first = np.concatenate([order[:-k] for k in steps]) if steps else np.zeros(0, np.int64)
    second = np.concatenate([order[k:] for k in steps]) if steps else np.zeros(0, np.int64)
    return first, second


def _near(values: np.ndarray, present: np.ndarray, moved: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which pairs (a[i], b[i]) are near-identical over the day, at some shift of at most ``MAX_LAG``."""
    near = np.zeros(len(a), dtype=bool)
    for lag in range(-MAX_LAG, MAX_LAG + 1):
        lo, hi = max(0, -lag), SLOTS - max(0, lag)  # slot t of a against slot t + lag of b
        counted = (
            present[a, lo:hi] & present[b, lo + lag : hi + lag] & (moved[a, lo:hi] | moved[b, lo + lag : hi + lag])
        )
        agree = counted & _agree(values[a, lo:hi], values[b, lo + lag : hi + lag]).all(axis=2)
        overlap, matched = counted.sum(axis=1), agree.sum(axis=1)
        near |= (overlap >= MIN_OVERLAP) & (matched >= MATCH_SHARE * overlap)
    return near


def day_groups(frame: pd.DataFrame) -> list[list[str]]:
    """Groups of near-identical households among one UTC day's intervals (``household``,
    ``interval_start`` and ``KEY_FIELDS``), each sorted; households alike to no other are in none."""
    if frame.empty or frame["household"].nunique() < 2:
        return []
    households, values, present, moved = _series(frame)
    first, second = _candidates(values)
    pairs: list[tuple[int, int]] = []
    for begin in range(0, len(first), _CHUNK):
        a, b = first[begin : begin + _CHUNK], second[begin : begin + _CHUNK]
        near = _near(values, present, moved, a, b)
        pairs += zip(a[near].tolist(), b[near].tolist(), strict=True)
    parent = list(range(len(households)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[root(i)] = root(j)
    groups: dict[int, list[str]] = defaultdict(list)
    for i in sorted({i for pair in pairs for i in pair}):
        groups[root(i)].append(households[i])
    return sorted(sorted(group) for group in groups.values())


@dataclass(frozen=True, slots=True)
class Screening:
    """Households left out of cells and counts, each with the earlier household it copies; and those a
    maintainer cleared although they would be."""

    left_out: dict[str, str] = field(default_factory=dict)
    cleared: dict[str, str] = field(default_factory=dict)


def rank(household: str, joined: Mapping[str, str], first_day: Mapping[str, str]) -> tuple[bool, str, str, str]:
    """Who came first: registry binding date (unbound households last), first day with data, id."""
    bound = joined.get(household)
    return (bound is None, bound or "", first_day.get(household, ""), household)


def screen(
    groups_by_day: Iterable[list[list[str]]],
    joined: Mapping[str, str],
    first_day: Mapping[str, str],
    cleared: Collection[str],
) -> Screening:
    """Which households are left out, from every day's near-identical groups (``day_groups``)."""
    partners: dict[str, set[str]] = defaultdict(set)
    for groups in groups_by_day:
        for group in groups:
            for household in group:
                partners[household].update(other for other in group if other != household)
    kept: set[str] = set()
    result = Screening()
    for household in sorted(partners, key=lambda h: rank(h, joined, first_day)):
        earlier = sorted(partners[household] & kept, key=lambda h: rank(h, joined, first_day))
        if earlier and household not in cleared:
            result.left_out[household] = earlier[0]
            continue
        if earlier:
            result.cleared[household] = earlier[0]
        kept.add(household)
    return result
