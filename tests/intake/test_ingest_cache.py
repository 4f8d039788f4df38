"""The ingest cache against the build: bounded by what the build still needs, and a lost cache, a lost
build state or a new build fingerprint only cost a re-fetch, never a different output.

Real parts throughout: simulated schema-2.0 households publishing to their own repositories on the local
GitHub server, hour by hour as the integration appends, the real ingest and the real incremental build."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from aggregation import build as build_module
from aggregation import ingest as ingest_module
from aggregation.build import build
from aggregation.ingest import ingest
from aggregation.simulate import simulate
from aggregation.state import held_path

from .test_ingest import registered
from .world import DATA_REPO, Household, World

START = date(2026, 11, 2)
STAMP = "2026-12-31T00:00:00Z"


class Cohort:
    """Households whose day files reach their repositories half a day at a time, and the cohort's runs."""

    def __init__(self, world: World, root: Path, households: int, days: int) -> None:
        self.world, self.root, self.days = world, root, days
        source = root / "source"
        simulate(households, days, 5, source, START, workers=1)
        self.lines: dict[str, dict[str, list[bytes]]] = {
            folder.name: {
                "/".join(path.relative_to(folder).parts): path.read_bytes().splitlines(keepends=True)
                for path in sorted(folder.rglob("*.jsonl"))
            }
            for folder in sorted(source.iterdir())
        }
        self.published: dict[str, dict[str, bytes]] = {household_id: {} for household_id in self.lines}
        self.households: list[Household] = []
        self.work, self.out, self.views = root / "work", root / "cohort", root / "views"
        self.now = datetime(START.year, START.month, START.day, tzinfo=UTC) + timedelta(days=days + 1)

    @staticmethod
    def rel(day: int) -> str:
        return (START + timedelta(days=day)).strftime("%Y/%m/%d.jsonl")

    def content(self, household_id: str, day: int, half: bool) -> bytes:
        lines = self.lines[household_id][self.rel(day)]
        return b"".join(lines[: len(lines) // 2] if half else lines)

    async def join(self) -> None:
        for n, household_id in enumerate(self.lines):
            first = {f"raw/{self.rel(0)}": self.content(household_id, 0, half=True)}
            self.households.append(self.world.household(f"home{n}", household_id=household_id, days=first))
            self.published[household_id][self.rel(0)] = first[f"raw/{self.rel(0)}"]
        await registered(self.world, *self.households)

    def publish(self, household: Household, files: dict[str, bytes]) -> None:
        self.world.github.commit(household.login, DATA_REPO, {f"raw/{rel}": data for rel, data in files.items()})
        self.published[household.household_id].update(files)

    def publish_days(
        self, days: range, *, half_last: bool = False, withhold: tuple[str, str] | None = None
    ) -> set[str]:
        """Days as the integration publishes them after a while offline: each in full (the last one half
        done, with ``half_last``; ``withhold``: that household's file of that day stays unpublished), and
        the rest of a day left half done before. Returns the files changed, as raw-tree paths."""
        changed = set()
        for household in self.households:
            household_id = household.household_id
            files = {self.rel(day): self.content(household_id, day, half=half_last and day == days[-1]) for day in days}
            before = self.rel(days[0] - 1) if days[0] > 0 else None
            if before is not None and self.published[household_id].get(before) != self.content(
                household_id, days[0] - 1, half=False
            ):
                files[before] = self.content(household_id, days[0] - 1, half=False)
            files = {rel: data for rel, data in files.items() if (household_id, rel) != withhold}
            self.publish(household, files)
            changed |= {f"{household_id}/{rel}" for rel in files}
        return changed

    async def ingest(self) -> Any:
        registry = self.world.registry_file(self.root)
        return await asyncio.to_thread(
            ingest, self.world.github.url, self.world.maintainer, registry, self.work, cohort=self.out
        )

    def build(self, raw: Path | None = None, out: Path | None = None, views: Path | None = None) -> Any:
        return build(raw or self.work / "raw", out or self.out, views or self.views, now=self.now, generated_at=STAMP)

    def raw_files(self) -> set[str]:
        raw = self.work / "raw"
        return {"/".join(p.relative_to(raw).parts) for p in raw.rglob("*.jsonl")}

    def reference(self) -> dict[str, Any]:
        """The outputs of one full build from every file as the repositories hold it now."""
        raw = self.root / "reference" / "raw"
        shutil.rmtree(raw.parent, ignore_errors=True)
        for household_id, files in self.published.items():
            for rel, data in files.items():
                (raw / household_id / rel).parent.mkdir(parents=True, exist_ok=True)
                (raw / household_id / rel).write_bytes(data)
        out, views = raw.parent / "cohort", raw.parent / "views"
        self.build(raw, out, views)
        return outputs(out, views)


def outputs(out: Path, views: Path) -> dict[str, Any]:
    """What a user sees: every published partition's rows, the quarantine report and every view."""
    found: dict[str, Any] = {}
    for path in sorted(out.glob("resolution=*/**/*.parquet")):
        rows = pq.read_table(path).to_pylist()
        found[str(path.relative_to(out))] = sorted(rows, key=repr)
    found["quarantine.json"] = json.loads((out / "quarantine.json").read_text())
    for path in sorted(views.glob("*.json")):
        found[path.name] = json.loads(path.read_text())
    return found


async def test_the_raw_tree_stays_within_what_the_build_needs_over_a_month(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Intervals cached for 5 days: a late file for an older day makes the build re-read that whole day.
    monkeypatch.setattr(build_module, "RECORDS_KEPT_DAYS", 5)
    cohort = Cohort(world, tmp_path, households=3, days=30)
    await cohort.join()
    late = (cohort.households[2].household_id, cohort.rel(4))
    largest = 0
    for run, first in enumerate(range(0, 30, 3)):  # a run every three days, ten in all
        changed = cohort.publish_days(range(first, first + 3), withhold=late if run == 1 else None)
        if run == 7:  # the withheld day arrives 17 days late
            household = cohort.households[2]
            cohort.publish(household, {cohort.rel(4): cohort.content(household.household_id, 4, half=False)})
            changed.add("/".join(late))
        report = await cohort.ingest()
        assert report.count("failed") == 0, [o.line() for o in report.outcomes]
        raw = cohort.raw_files()
        if run == 7:  # the late file and every other file of its day, which the build re-reads in full
            whole_day = {f"{h.household_id}/{cohort.rel(4)}" for h in cohort.households}
            assert raw == changed | whole_day
            assert sum(o.restored for o in report.outcomes) == len(cohort.households) - 1
        else:
            assert raw == changed  # only what changed since the last build: everything else is held
        published = sum(len(files) for files in cohort.published.values())
        assert report.held == published - len(raw)
        largest = max(largest, sum((cohort.work / "raw" / rel).stat().st_size for rel in raw))
        cohort.build()
        for household in cohort.households:
            git = cohort.work / "ingest" / "git" / f"{household.household_id}.git"
            packed = sum(p.stat().st_size for p in (git / "objects" / "pack").glob("*.pack"))
            assert packed <= 2 * ingest_module.TRIM_BYTES
    assert sum(len(files) for files in cohort.published.values()) == 3 * 30  # a month published
    assert len(cohort.raw_files()) == 3 * 3  # the last run's files, until the next run leaves them out
    assert largest <= 4 * 3 * 300_000  # at most four day files per household (each at most ~276 KB)
    assert outputs(cohort.out, cohort.views) == cohort.reference()


LOSSES = ("ingest cache", "raw tree", "build state", "ingest cache and build state", "build fingerprint")


async def test_a_lost_cache_or_state_costs_a_refetch_and_changes_no_output(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "TRIM_BYTES", 1)  # every blob leaves the git cache once copied out
    cohort = Cohort(world, tmp_path, households=3, days=3)
    await cohort.join()
    for day in range(3):  # a day at a time, the last one half done: appended files, as the integration writes
        cohort.publish_days(range(day, day + 1), half_last=True)
        await cohort.ingest()
        cohort.build()
    before = outputs(cohort.out, cohort.views)
    assert before == cohort.reference()
    everything = {f"{h}/{rel}" for h, files in cohort.published.items() for rel in files}
    for lost in LOSSES:
        await cohort.ingest()
        assert cohort.raw_files() == set(), lost  # the build holds everything: nothing is left in the raw tree
        if lost.startswith("ingest cache"):
            shutil.rmtree(cohort.work)
        if lost == "raw tree":
            shutil.rmtree(cohort.work / "raw")
            held_path(cohort.work / "raw").unlink()
        if lost.endswith("build state"):
            shutil.rmtree(cohort.out / "_state")
            (cohort.out / "state.json").unlink()
        if lost == "build fingerprint":  # the state was written by other code: the build starts over
            state_file = cohort.out / "state.json"
            state_file.write_text(state_file.read_text().replace('"fingerprint": "', '"fingerprint": "0'))
        world.github.clear_log()
        report = await cohort.ingest()
        assert report.count("failed") == 0, [o.line() for o in report.outcomes]
        git = [e for e in world.github.log if not e.path.startswith("/repos/")]
        if lost == "raw tree":  # the build holds every file: none is needed, none is fetched
            assert cohort.raw_files() == set() and report.held == len(everything) and not git, lost
        elif lost == "ingest cache":  # fetched again in full, then left out again: the build holds it all
            assert report.count("updated") == 3 and git and cohort.raw_files() == set(), lost
        else:  # the build reads everything again: it all comes back
            assert cohort.raw_files() == everything and report.held == 0 and git, lost
        if lost in ("build state", "build fingerprint"):  # from the blobs' ids: the git cache kept none
            assert sum(o.restored for o in report.outcomes) == len(everything), lost
        cohort.build()
        assert outputs(cohort.out, cohort.views) == before, lost
