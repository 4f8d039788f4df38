"""``python -m aggregation build``: raw JSONL -> cohort Parquet and dashboard views, incrementally.

Only days whose raw files changed (size, mtime and content hash in the state file) are
re-read; their validated intervals and cells are cached under ``<cohort>/_state/``, the
Parquet partitions holding them are rewritten, and the views are recomputed from the
cached cells and the last 28 days of intervals, so a run's cost follows the new data.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import multiprocessing
import os
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import clean, cohort, datapackage, layout, partials, publish, quarantine, read, state, store
from aggregation.state import FileEntry
from aggregation.views import (
    assets,
    common,
    curtailment,
    flex,
    ledger,
    price_response,
    quality,
    shadow,
    spread,
    status,
)

HELP = "validate raw JSONL and build cohort Parquet and dashboard views"
# Household intervals are kept this long (the views read 28 days); older days keep only their cells
# and are re-read from raw in full if one of their files changes later.
RECORDS_KEPT_DAYS = 35
DEFAULT_WORKERS = min(2, os.cpu_count() or 1)  # days are rebuilt in parallel; the machines have 2 cores
VIEWS = {
    "status": status.build,
    "flex": flex.build,
    "price_response": price_response.build,
    "curtailment": curtailment.build,
    "ledger": ledger.build,
    "spread": spread.build,
    "assets": assets.build,
    "shadow": shadow.build,
    "quality": quality.build,
}


@dataclass(slots=True)
class Summary:
    files: int = 0
    bytes: int = 0
    records: int = 0
    households: int = 0
    rejected: int = 0
    days: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.bytes / 1e6 / self.seconds if self.seconds else 0.0
        return (
            f"build: {self.files:,} files read ({self.bytes / 1e6:,.1f} MB, {rate:,.0f} MB/s), "
            f"{self.records:,} records, {self.households:,} households, {self.rejected:,} rejected, "
            f"{self.days} days rebuilt in {self.seconds:.1f} s"
        )


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.enabled = sys.stderr.isatty()

    def advance(self, step: int) -> None:
        self.done += step
        if self.enabled:
            filled = int(30 * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} files")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", type=Path, default=Path("data/raw"), help="raw layout root (default: data/raw)")
    parser.add_argument("--out", type=Path, default=Path("data/cohort"), help="cohort folder (default: data/cohort)")
    parser.add_argument("--views", type=Path, default=Path("site/data"), help="view JSON folder (default: site/data)")
    parser.add_argument("--state", type=Path, default=None, help="state file (default: <out>/state.json)")
    parser.add_argument("--full", action="store_true", help="ignore the state and rebuild everything")
    parser.add_argument("--demo", action="store_true", help="mark the views as built from synthetic data")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"processes for rebuilding days (default {DEFAULT_WORKERS})",
    )
    parser.add_argument(
        "--now", type=datetime.fromisoformat, default=None, help="reference time for the future check (UTC ISO)"
    )


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


@dataclass(slots=True)
class DayResult:
    day: str
    summaries: dict[str, tuple[clean.FileSummary, str]]
    households: list[str]
    empty: bool
    bytes_parsed: int = 0


def _merge(before: clean.FileSummary, tail: clean.FileSummary) -> clean.FileSummary:
    """The summary of a whole file from the summary of its old part and of its new tail."""
    return clean.FileSummary(
        records=before.records + tail.records,
        rejected=before.rejected + tail.rejected,
        duplicates=before.duplicates + tail.duplicates,
        flagged=before.flagged + tail.flagged,
    )


def _drop_repeats(fresh: pd.DataFrame, cached: pd.DataFrame, households: set[str]) -> tuple[pd.DataFrame, Any]:
    """New tail rows whose interval the household already has (the old row is kept, as a full read would)."""
    earlier = cached.loc[cached["household"].isin(households), ["household", "interval_start"]]
    keys = pd.MultiIndex.from_frame(fresh[["household", "interval_start"]])
    repeated = keys.isin(pd.MultiIndex.from_frame(earlier))
    return fresh[~repeated], fresh.loc[repeated, "household"].value_counts()


def _day_frame(job: DayJob) -> tuple[pd.DataFrame, dict[str, tuple[clean.FileSummary, str]], int]:
    """The day's intervals: cached rows of unchanged files and of appended files' old parts, plus what was
    read anew; the files' summaries; the bytes parsed."""
    present = {file.household for file in job.files}
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
    if appended and not fresh.empty:
        fresh, repeats = _drop_repeats(fresh, cached, set(appended))
        for household, count in repeats.items():
            index = next(i for i, item in enumerate(parsed) if item.file.household == household)
            file_summaries[index].duplicates += int(count)
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
    # Derived columns once for cells and partials; categorical households group by their codes, fast.
    data = partials.with_time_keys(frame)
    data["household"] = pd.Categorical(data["household"], categories=households)
    for column in ("region", "postcode_prefix"):
        data[column] = pd.Categorical(data[column], categories=sorted(data[column].unique().tolist()))
    for resolution, cells in cohort.day_cells(data).items():
        store.write_table(cells, store.cells_path(job.out, job.day, resolution))
    partials.write_day(job.out, job.day, partials.day_partials(data))
    return DayResult(job.day, summaries, households, empty=False, bytes_parsed=parsed_bytes)


def _jobs(
    raw: Path,
    out: Path,
    days: list[str],
    by_day: dict[str, list[layout.RawFile]],
    changed: set[str],
    known: state.State,
    now: datetime,
    workers: int,
) -> list[DayJob]:
    """One job per day. Days run one per worker, each parsing with one thread; the days left over after the
    last full round of workers (an odd day out) run alone, so they get every thread."""
    jobs = []
    parallel = min(workers, len(days))
    for index, day in enumerate(days):
        files = by_day.get(day, [])
        previous = {
            file.rel: (entry.size, entry.hash, entry.summary)
            for file in files
            if file.rel in changed
            and (entry := known.files.get(file.rel)) is not None
            and entry.size < file.size
            and entry.hash
            and not entry.summary.file_reason
        }
        alone = parallel <= 1 or index >= len(days) - len(days) % parallel
        threads = workers if alone else 1
        changed_here = frozenset(file.rel for file in files if file.rel in changed)
        jobs.append(DayJob(raw, out, day, files, changed_here, day in known.days, now, previous, threads))
    return jobs


def _rebuild_days(jobs: list[DayJob], workers: int) -> Iterator[DayResult]:
    """Days in order; in ``workers`` processes when there is more than one day (each day is independent)."""
    if workers <= 1 or len(jobs) <= 1:
        yield from map(rebuild_day, jobs)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["aggregation.build"])  # workers start with pandas and pyarrow imported
    pool_size = min(workers, len(jobs))
    with ProcessPoolExecutor(pool_size, mp_context=context) as pool:
        yield from pool.map(rebuild_day, jobs)


def _write_outputs(out: Path, views: Path, known: state.State, days: set[str], stamp: str, demo: bool) -> None:
    """Partitions holding the rebuilt days, the quarantine report, every view and the datapackage."""
    publish.publish(out, days, known.days)
    quarantine.write(out / "quarantine.json", known)
    inputs = common.Inputs(out, known, stamp, demo, known.days)
    for name, make in VIEWS.items():
        common.write_json(views / f"{name}.json", make(inputs))
    datapackage.write(out)


def build(
    raw: Path,
    out: Path,
    views: Path,
    state_path: Path | None = None,
    *,
    full: bool = False,
    demo: bool = False,
    now: datetime | None = None,
    generated_at: str | None = None,
    workers: int = 1,
) -> Summary:
    """Run the build; returns what it did. Never stops on bad input: bad input is quarantined.

    ``workers > 1`` rebuilds days in that many processes (the command line's default). They start
    through multiprocessing's forkserver, which imports the calling script again: a script calling
    this with workers needs the usual ``if __name__ == "__main__":`` guard.
    """
    began = time.perf_counter()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    state_path = state_path or out / "state.json"
    if full:
        shutil.rmtree(out / store.STATE_DIR, ignore_errors=True)
        for folder in out.glob("resolution=*"):
            shutil.rmtree(folder)
    known = state.State() if full else state.load(state_path)
    files, rejected_paths = layout.scan(raw)
    changed, hashes, days = state.changed_files(known, raw, files)
    by_day: dict[str, list[layout.RawFile]] = defaultdict(list)
    for file in files:
        by_day[file.day].append(file)
    summary = Summary()
    changed_rels = {file.rel for file in changed}
    present = {file.rel for file in files}
    known.files = {rel: entry for rel, entry in known.files.items() if rel in present}
    progress = Progress(len(changed))
    all_days = set(known.days)
    households: set[str] = set()
    jobs = _jobs(raw, out, sorted(days), by_day, changed_rels, known, now, workers)
    for result in _rebuild_days(jobs, workers):
        day_files = by_day.get(result.day, [])
        progress.advance(len(result.summaries))
        summary.files += len(result.summaries)
        summary.bytes += result.bytes_parsed
        for file in day_files:
            if file.rel in result.summaries:
                file_summary, read_digest = result.summaries[file.rel]
                digest = read_digest or hashes.get(file.rel, "")  # "" for an unreadable file
                known.files[file.rel] = FileEntry(file.size, file.mtime_ns, digest, file_summary)
                summary.records += file_summary.records
                summary.rejected += sum(file_summary.rejected.values()) + (1 if file_summary.file_reason else 0)
        if result.empty:
            all_days.discard(result.day)
        else:
            households.update(result.households)
            all_days.add(result.day)
    progress.close()
    known.days = sorted(all_days)
    store.prune_records(out, known.days, RECORDS_KEPT_DAYS)
    known.rejected_paths = rejected_paths
    summary.days = len(days)
    summary.households = len(households)
    _write_outputs(out, views, known, days, generated_at or common.utc(now), demo)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state_path.write_text(known.to_json(), encoding="utf-8")
    summary.seconds = time.perf_counter() - began
    return summary


def run(args: argparse.Namespace) -> int:
    now = args.now.replace(tzinfo=args.now.tzinfo or UTC) if args.now else None
    result: Any = build(
        args.raw, args.out, args.views, args.state, full=args.full, demo=args.demo, now=now, workers=args.workers
    )
    print(json.dumps(dataclasses.asdict(result)) if args.json else result.line())
    return 0
