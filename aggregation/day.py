"""One UTC day rebuilt: read its changed files (or their appended tails), validate, merge with the cached
rows of the rest, and write the day's intervals, cells and view partials under ``<cohort>/_state/``.

Days are independent, so ``build`` runs several of these at once in worker processes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import clean, cohort, layout, partials, read, store, sybil
from aggregation import reasons as vocabulary
from custom_components.nem_flex_telemetry import record as rec


@dataclass(frozen=True, slots=True)
class DayJob:
    """One UTC day to rebuild: its files, which of them changed, and whether its intermediates existed."""

    raw: Path
    out: Path
    day: str
    files: list[layout.RawFile]
    changed: frozenset[str]
    known: bool
    now: datetime
    # Changed files that grew: what was processed before (size, digest, summary), for reading only the new tail.
    previous: dict[str, tuple[int, str, clean.FileSummary]] = field(default_factory=dict)
    threads: int = 1  # pyarrow threads for this day (more for a day that runs alone)
    held: frozenset[str] = frozenset()  # households whose unchanged file the ingest left out: cached rows kept
    left_out: frozenset[str] = frozenset()  # households the copy screening keeps out of cells and partials


@dataclass(slots=True)
class DayResult:
    day: str
    summaries: dict[str, tuple[clean.FileSummary, str]]
    households: list[str]
    empty: bool
    bytes_parsed: int = 0
    copies: list[list[str]] = field(default_factory=list)  # the day's near-identical groups (aggregation.sybil)


def _merge(before: clean.FileSummary, tail: clean.FileSummary) -> clean.FileSummary:
    """The summary of a whole file from the summary of its old part and of its new tail."""
    return clean.FileSummary(
        records=before.records + tail.records,
        rejected=before.rejected + tail.rejected,
        duplicates=before.duplicates + tail.duplicates,
        flagged=before.flagged + tail.flagged,
        flags=before.flags + tail.flags,
        dropped=vocabulary.first_examples([*before.dropped, *tail.dropped]),
    )


def _drop_repeats(fresh: pd.DataFrame, cached: pd.DataFrame, households: set[str]) -> tuple[pd.DataFrame, Any]:
    """Cached rows of appended households that a new tail row repeats: the later copy is kept, as a full
    read would keep it. Returns the cached rows left and the repeated rows (household, interval start)."""
    mine = cached["household"].isin(households)
    keys = pd.MultiIndex.from_frame(cached[["household", "interval_start"]])
    repeated = mine.to_numpy() & keys.isin(pd.MultiIndex.from_frame(fresh[["household", "interval_start"]]))
    return cached[~repeated], cached.loc[repeated, ["household", "interval_start"]]


def _day_frame(job: DayJob) -> tuple[pd.DataFrame, dict[str, tuple[clean.FileSummary, str]], int]:
    """The day's intervals: cached rows of unchanged files and of appended files' old parts, plus what was
    read anew; the files' summaries; the bytes parsed."""
    present = {file.household for file in job.files} | job.held
    changed: set[str] = set(job.changed)
    cached = store.read_records(job.out, job.day)
    if cached.empty and job.known:
        changed |= {file.rel for file in job.files}  # intermediates pruned: re-read the whole day
    previous = {rel: (size, digest) for rel, (size, digest, _) in job.previous.items()} if not cached.empty else {}
    parsed = read.read_files(job.raw, [file for file in job.files if file.rel in changed], previous)
    appended = {item.file.household: item.file.rel for item in parsed if item.skipped}
    reread = {file.household for file in job.files if file.rel in changed} - set(appended)
    if not cached.empty:
        cached = cached[cached["household"].isin(present - reread)]
        # Parquet keeps milliseconds; the fresh rows are in seconds, and a mix would concatenate as objects.
        cached = cached.assign(interval_start=cached["interval_start"].dt.as_unit("s"))
    fresh, file_summaries = clean.clean_many(parsed, job.now)
    if appended and not fresh.empty and not cached.empty:
        cached, repeats = _drop_repeats(fresh, cached, set(appended))
        position = {item.file.household: index for index, item in enumerate(parsed)}
        for household, group in repeats.groupby("household", sort=False):
            summary = file_summaries[position[household]]
            summary.duplicates += len(group)
            stamps = [rec.format_utc(moment.to_pydatetime()) for moment in group["interval_start"]]
            summary.dropped = vocabulary.first_examples([*summary.dropped, *stamps])
    summaries: dict[str, tuple[clean.FileSummary, str]] = {}
    for item, summary in zip(parsed, file_summaries, strict=True):
        whole = _merge(job.previous[item.file.rel][2], summary) if item.skipped else summary
        summaries[item.file.rel] = (whole, item.digest)
    parsed_bytes = sum(item.parsed_bytes for item in parsed)
    frames = [frame for frame in (cached, fresh) if not frame.empty]
    if not frames:
        return pd.DataFrame(), summaries, parsed_bytes
    if len(frames) == 1 and _in_order(frames[0]):  # files are read in household order, lines in time order
        only = frames[0]
        return only.set_axis(pd.RangeIndex(len(only)), axis=0, copy=False), summaries, parsed_bytes
    merged = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    ordered = merged.sort_values(["household", "interval_start"], kind="stable").reset_index(drop=True)
    return ordered, summaries, parsed_bytes


def _in_order(frame: pd.DataFrame) -> bool:
    """Whether rows are already sorted by household, then interval start (a sort would only copy them).

    Rows of one household share one id object, so telling where the household changes is cheap; only
    the ids at those points are compared as strings."""
    households = frame["household"].to_numpy()
    stamps = frame["interval_start"].array.asi8  # integers: to_numpy() would make a Timestamp per row
    if len(households) < 2:
        return True
    changes = np.flatnonzero(households[1:] != households[:-1])
    firsts = households[np.concatenate(([0], changes + 1))].tolist()
    if any(later <= earlier for earlier, later in itertools.pairwise(firsts)):
        return False
    same = np.ones(len(households) - 1, dtype=bool)
    same[changes] = False
    return bool(np.all(stamps[1:][same] > stamps[:-1][same]))


def rebuild_day(job: DayJob) -> DayResult:
    """Read, validate and aggregate one day; writes its intervals, cells and view partials."""
    import pyarrow as pa

    pa.set_cpu_count(job.threads)
    frame, summaries, parsed_bytes = _day_frame(job)
    if frame.empty:
        store.drop_day(job.out, job.day)
        return DayResult(job.day, summaries, [], empty=True, bytes_parsed=parsed_bytes)
    store.write_table(frame, store.records_path(job.out, job.day))
    households = sorted(frame["household"].unique().tolist())
    copies = sybil.day_groups(frame)
    # The records keep every household (the screening reads them); cells and partials leave some out.
    if job.left_out:
        frame = frame[~frame["household"].isin(job.left_out)].reset_index(drop=True)
    if frame.empty:
        store.drop_outputs(job.out, job.day)
        return DayResult(job.day, summaries, households, empty=False, bytes_parsed=parsed_bytes, copies=copies)
    # Derived columns once for cells and partials; categorical households group by their codes, fast.
    data = partials.with_time_keys(frame)
    data["household"] = pd.Categorical(data["household"], categories=sorted(frame["household"].unique().tolist()))
    for column in ("region", "postcode_prefix"):
        data[column] = pd.Categorical(data[column], categories=sorted(data[column].unique().tolist()))
    cells = cohort.day_cells(data)
    for resolution, table in cells.items():
        store.write_table(table, store.cells_path(job.out, job.day, resolution))
    partials.write_day(job.out, job.day, partials.day_partials(data, cells["1h"]))
    return DayResult(job.day, summaries, households, empty=False, bytes_parsed=parsed_bytes, copies=copies)
