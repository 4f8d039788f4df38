"""``python -m aggregation build``: raw JSONL -> cohort Parquet and dashboard views, incrementally.

Only days whose raw files changed (size, mtime and content hash in the state file) are
rebuilt (``aggregation.day``, several at once in worker processes); their validated intervals,
cells and view partials are cached under ``<cohort>/_state/``, the Parquet partitions holding
them are rewritten, and the views add up the partials of the window, so a run's cost follows
the new data.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aggregation import datapackage, jsonfile, layout, publish, published, quarantine, state, store, sybil
from aggregation import registry as reg
from aggregation.day import DayJob, DayResult, rebuild_day
from aggregation.progress import Progress
from aggregation.state import FileEntry
from aggregation.views import catalogue, common
from aggregation.views.registry import REGISTRY

HELP = "validate raw JSONL and build cohort Parquet and dashboard views"
# Household intervals are kept this long (the views read 28 days); older days keep only their cells
# and are re-read from raw in full if one of their files changes later.
RECORDS_KEPT_DAYS = 35
SITE_COHORT = "data/cohort"  # scripts/build_site.sh copies the cohort folder there
DEFAULT_WORKERS = min(2, os.cpu_count() or 1)  # days are rebuilt in parallel; the machines have 2 cores


@dataclass(slots=True)
class Summary:
    files: int = 0
    bytes: int = 0
    records: int = 0
    households: int = 0
    rejected: int = 0
    days: int = 0
    failed_days: int = 0  # days whose rebuild raised (kept as before, retried next run)
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.bytes / 1e6 / self.seconds if self.seconds else 0.0
        return (
            f"build: {self.files:,} files read ({self.bytes / 1e6:,.1f} MB, {rate:,.0f} MB/s), "
            f"{self.records:,} records, {self.households:,} households, {self.rejected:,} rejected, "
            f"{self.days} days rebuilt in {self.seconds:.1f} s"
            + (f", {self.failed_days} failed" if self.failed_days else "")
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--raw",
        type=Path,
        default=Path("work/raw"),
        help="raw layout root, as the ingest writes it (default: work/raw)",
    )
    parser.add_argument(
        "--out", type=Path, default=state.DEFAULT_COHORT, help=f"cohort folder (default: {state.DEFAULT_COHORT})"
    )
    parser.add_argument("--views", type=Path, default=Path("site/data"), help="view JSON folder (default: site/data)")
    parser.add_argument(
        "--site-cohort",
        default=SITE_COHORT,
        help=f"where the site serves the cohort folder, for views.json's downloads (default: {SITE_COHORT})",
    )
    parser.add_argument("--state", type=Path, default=None, help="state file (default: <out>/state.json)")
    parser.add_argument(
        "--registry",
        type=Path,
        default=Path(reg.REGISTRY_PATH),
        help=f"the cohort's registry: binding dates and cleared households for the copy screening "
        f"(default: {reg.REGISTRY_PATH}; none if missing)",
    )
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


def _jobs(
    raw: Path,
    out: Path,
    days: list[str],
    by_day: dict[str, list[layout.RawFile]],
    held: set[str],
    changed: set[str],
    known: state.State,
    now: datetime,
    workers: int,
    left_out: frozenset[str],
) -> list[DayJob]:
    """One job per day. Days run one per worker, each parsing with one thread; the days left over after the
    last full round of workers (an odd day out) run alone, so they get every thread."""
    jobs = []
    parallel = min(workers, len(days))
    held_by_day: dict[str, set[str]] = defaultdict(set)  # households whose file the ingest left out
    for rel in held:
        held_by_day[state.day_of(rel)].add(rel.split("/", 1)[0])
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
        kept = frozenset(held_by_day.get(day, ()))
        known_day = day in known.days
        jobs.append(DayJob(raw, out, day, files, changed_here, known_day, now, previous, threads, kept, left_out))
    return jobs


def _rebuild_here(job: DayJob) -> DayResult | None:
    """A day in this process; None (and a line on stderr) if it raises. Files are isolated inside the day, so
    this is the last guard: the day keeps its previous caches and its changed files stay unrecorded in the
    state, to be read again by the next run."""
    try:
        return rebuild_day(job)
    except Exception as error:  # one day never stops the run
        print(f"build: day {job.day} failed ({type(error).__name__}); it will be retried", file=sys.stderr)
        return None


def _rebuild_days(jobs: list[DayJob], workers: int) -> Iterator[tuple[DayJob, DayResult | None]]:
    """Days in order; in ``workers`` processes when there is more than one day (each day is independent).
    A day whose worker fails (an exception, a worker killed) is rebuilt again in this process."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield job, _rebuild_here(job)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["aggregation.day"])  # workers start with pandas and pyarrow imported
    pool_size = min(workers, len(jobs))
    with ProcessPoolExecutor(pool_size, mp_context=context) as pool:
        futures = [pool.submit(rebuild_day, job) for job in jobs]
        for job, future in zip(jobs, futures, strict=True):
            try:
                result = future.result()
            except Exception:  # includes BrokenProcessPool
                yield job, _rebuild_here(job)
            else:
                yield job, result


def _write_outputs(
    out: Path, views: Path, known: state.State, days: set[str], stamp: str, demo: bool, site_cohort: str
) -> None:
    """Partitions holding the rebuilt days, the quarantine report, every view in every range, the datapackage
    and the views' catalogue (``views.json``, listing the data files as the site serves them)."""
    publish.publish(out, days, known.days)
    quarantine.write(out / "quarantine.json", known)
    inputs = common.Inputs(out, known, stamp, demo, known.days)
    for view in REGISTRY:
        for name, period in view.outputs():
            common.write_json(views / name, view.build(inputs, period))
    datapackage.write(out)
    common.write_json(views / catalogue.FILE, catalogue.catalogue(stamp, catalogue.downloads(out, site_cohort)))


@dataclass(slots=True)
class _DaysRun:
    """What rebuilding days changes in the state and the summary, folded in as the days finish."""

    known: state.State
    by_day: dict[str, list[layout.RawFile]]
    hashes: dict[str, str]
    summary: Summary
    progress: Progress
    all_days: set[str]
    households: set[str]
    workers: int

    def absorb(self, jobs: list[DayJob], *, again: bool) -> None:
        """Rebuild ``jobs`` and fold them in (``again``: days rebuilt only because the screening changed)."""
        known, summary = self.known, self.summary
        for job, outcome in _rebuild_days(jobs, self.workers):
            if outcome is None:
                summary.failed_days += 1
                # Its files are read again next run (a day rebuilt again had no changed files of its own).
                for rel in [file.rel for file in job.files] if again else job.changed:
                    known.files.pop(rel, None)
                continue
            result = outcome
            self.progress.advance(len(result.summaries))
            summary.files += len(result.summaries)
            summary.bytes += result.bytes_parsed
            for file in self.by_day.get(result.day, []):
                if file.rel in result.summaries:
                    file_summary, read_digest = result.summaries[file.rel]
                    digest = read_digest or self.hashes.get(file.rel, "")  # "" for an unreadable file
                    known.files[file.rel] = FileEntry(file.size, file.mtime_ns, digest, file_summary)
                    summary.records += file_summary.records
                    summary.rejected += sum(file_summary.rejected.values()) + (1 if file_summary.file_reason else 0)
            if result.empty:
                self.all_days.discard(result.day)
                known.copies.pop(result.day, None)
            else:
                self.households.update(result.households)
                self.all_days.add(result.day)
                known.copies[result.day] = result.copies


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
    registry: Path | None = None,
    site_cohort: str = SITE_COHORT,
) -> Summary:
    """Run the build; returns what it did. Never stops on bad input: bad input is quarantined.

    ``workers > 1`` rebuilds days in that many processes (the command line's default). They start
    through multiprocessing's forkserver, which imports the calling script again: a script calling
    this with workers needs the usual ``if __name__ == "__main__":`` guard.

    ``registry`` (the cohort's registry file) gives the copy screening its binding dates and the
    households maintainers cleared; without it households rank by their first day with data.
    """
    began = time.perf_counter()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    state_path = state_path or out / state.STATE_FILE
    known, full = _start(out, state_path, full=full)
    files, rejected_paths = layout.scan(raw)
    held = state.held_files(known, raw)
    changed, hashes, days = state.changed_files(known, raw, files, held)
    days |= _mismatched_days(out, known)
    days -= _waiting_days(out, known, days, held)
    by_day: dict[str, list[layout.RawFile]] = defaultdict(list)
    for file in files:
        by_day[file.day].append(file)
    summary = Summary()
    changed_rels = {file.rel for file in changed}
    present = {file.rel for file in files} | held
    known.files = {rel: entry for rel, entry in known.files.items() if rel in present}
    progress = Progress(len(changed))
    days_run = _DaysRun(known, by_day, hashes, summary, progress, set(known.days), set(), workers)
    left_out = frozenset(known.left_out)
    days_run.absorb(
        _jobs(raw, out, sorted(days), by_day, held, changed_rels, known, now, workers, left_out), again=False
    )
    known.days = sorted(days_run.all_days)
    screening = _screen(known, registry)
    # Days holding a household whose screening changed were built with the old household set: again, from
    # their records (a new copy's days are built twice, once to find it and once without it).
    again = _days_of(known, set(screening.left_out) ^ left_out)
    again -= _waiting_days(out, known, again, held)  # their raw files come back with the next ingest
    if again:
        unchanged: set[str] = set()
        jobs = _jobs(
            raw, out, sorted(again), by_day, held, unchanged, known, now, workers, frozenset(screening.left_out)
        )
        days_run.absorb(jobs, again=True)
    days |= again
    known.left_out, known.cleared = screening.left_out, screening.cleared
    progress.close()
    known.days = sorted(days_run.all_days)
    store.prune_records(out, known.days, RECORDS_KEPT_DAYS)
    known.rejected_paths = rejected_paths
    summary.days, summary.households = len(days), len(days_run.households)
    rewritten = days | _hand_edited_days(out, known, days, full=full)
    _write_outputs(out, views, known, rewritten, generated_at or common.utc(now), demo, site_cohort)
    published.record(out)
    jsonfile.write(state_path, known.to_data(), indent=1, sort_keys=True)
    summary.seconds = time.perf_counter() - began
    return summary


def _start(out: Path, state_path: Path, *, full: bool) -> tuple[state.State, bool]:
    """The state to build on, and whether the build starts over (asked to, or the state was written by
    other code: never mix numbers)."""
    full = full or not state.current(state_path)
    if full:
        shutil.rmtree(out / store.STATE_DIR, ignore_errors=True)
        for folder in out.glob("resolution=*"):
            shutil.rmtree(folder)
    return (state.State() if full else state.load(state_path)), full


def _waiting_days(out: Path, known: state.State, days: set[str], held: set[str]) -> set[str]:
    """Days to rebuild from every raw file (no cached intervals left) of which the ingest left some out:
    not rebuilt now; their files leave the state, so the next ingest brings the whole day back."""
    waiting = {day for day in days & {state.day_of(rel) for rel in held} if not store.records_path(out, day).is_file()}
    if waiting:
        known.files = {rel: entry for rel, entry in known.files.items() if state.day_of(rel) not in waiting}
        print(f"build: {len(waiting)} days wait for raw files the next ingest brings back", file=sys.stderr)
    return waiting


def _screen(known: state.State, registry: Path | None) -> sybil.Screening:
    """The copy screening over every day's near-identical groups; a broken registry keeps the last
    decisions (the ingest refuses a broken registry too, and says why)."""
    try:
        bindings = reg.load(registry) if registry is not None else {}
    except (reg.RegistryError, OSError) as err:
        print(f"build: {registry} is broken, the copy screening keeps its last decisions: {err}", file=sys.stderr)
        return sybil.Screening(dict(known.left_out), dict(known.cleared))
    first_day: dict[str, str] = {}
    for day, found in sorted(known.household_days().items(), reverse=True):
        first_day.update(dict.fromkeys(found, day))
    joined = {household: binding.joined for household, binding in bindings.items()}
    cleared = {household for household, binding in bindings.items() if binding.cleared is not None}
    return sybil.screen(known.copies.values(), joined, first_day, cleared)


def _days_of(known: state.State, households: set[str]) -> set[str]:
    """The days with data of any of ``households``."""
    if not households:
        return set()
    return {day for day, found in known.household_days().items() if found & households} & set(known.days)


def _mismatched_days(out: Path, known: state.State) -> set[str]:
    """Days with a cached table unlike its declaration: dropped, to be rebuilt from raw."""
    days = state.mismatched_days(out, known.days)
    for day in days:
        store.drop_day(out, day)
    return days


def _hand_edited_days(out: Path, known: state.State, days: set[str], *, full: bool) -> set[str]:
    """Days whose published partitions differ from what the last run wrote: they are written again."""
    repaired: set[str] = set() if full else published.tampered_days(out, known.days)
    if repaired - days:
        print(f"build: republishing {len(repaired - days)} days whose partitions were edited by hand", file=sys.stderr)
    return repaired


def run(args: argparse.Namespace) -> int:
    now = args.now.replace(tzinfo=args.now.tzinfo or UTC) if args.now else None
    result: Any = build(
        args.raw,
        args.out,
        args.views,
        args.state,
        full=args.full,
        demo=args.demo,
        now=now,
        workers=args.workers,
        registry=args.registry,
        site_cohort=args.site_cohort,
    )
    print(json.dumps(dataclasses.asdict(result)) if args.json else result.line())
    return 0
