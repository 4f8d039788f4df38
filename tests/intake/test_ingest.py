"""The ingest command against the local GitHub server: only changed repositories, hostile contents."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from aggregation.ingest import ingest
from aggregation.registry import RegistryError
from tests.github_server.gitrepo import Person

from .world import DATA_REPO, Household, World, day_line

LFS = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\nsize 1073741824\n"


async def registered(world: World, *households: Household) -> None:
    for household in households:
        await world.join(household)
    report = await world.register()
    assert all(d.outcome == "registered" for d in report.decisions)


async def run(world: World, work: Path, **options: Any) -> Any:
    registry = world.registry_file(work.parent)
    options.setdefault("cohort", work.parent / "cohort")  # no build state: the raw tree keeps every day file
    return await asyncio.to_thread(ingest, world.github.url, world.maintainer, registry, work, **options)


def push_tree_changes(world: World, login: str, changes: dict[str, tuple[str, str, str]]) -> None:
    """One commit on the household's main applying raw tree entries (path: (mode, type, object id)): names
    and trees the contents API could not write."""
    git = world.github.repo(login, DATA_REPO).git
    head = git.branch_head("main")
    assert head is not None
    who = Person(login, f"{login}@example.invalid", "2026-07-15T00:00:00Z")
    commit = git.commit_tree(git.apply_changes(git.read_commit(head).tree, changes), [head], "tree", who, who)
    assert git.update_branch("main", commit, head)


def statuses(report: Any) -> dict[str, str]:
    return {o.household_id: o.status for o in report.outcomes}


async def test_changed_repositories_only_and_at_most_one_request_each(world: World, tmp_path: Path) -> None:
    alice, bob = world.household("alice"), world.household("bob")
    await registered(world, alice, bob)
    work = tmp_path / "work"
    first = await run(world, work)
    assert statuses(first) == {alice.household_id: "updated", bob.household_id: "updated"}
    day = work / "raw" / alice.household_id / "2026/07/14.jsonl"
    assert day.read_bytes() == day_line(alice.household_id, 0)
    newer = day_line(alice.household_id, 0) + day_line(alice.household_id, 5)
    world.github.commit("alice", DATA_REPO, {"raw/2026/07/14.jsonl": newer, "raw/2026/07/15.jsonl": b"x\n"})
    world.github.clear_log()
    second = await run(world, work)
    assert statuses(second) == {alice.household_id: "updated", bob.household_id: "unchanged"}
    assert day.read_bytes() == newer and (work / "raw" / alice.household_id / "2026/07/15.jsonl").exists()
    api = [e for e in world.github.log if e.path.startswith("/repos/")]
    assert len(api) == 2 and second.requests == 2
    assert [e.status for e in api if "bob" in e.path] == [304]
    bob_git = [e for e in world.github.log if e.path.startswith("/bob/")]
    assert bob_git == []  # an unchanged repository is not fetched
    limit = world.github.state.rate_limit("nem-flex")
    before = limit.used
    third = await run(world, work)
    assert set(statuses(third).values()) == {"unchanged"} and limit.used == before  # 304s are free


async def test_a_relative_work_folder_as_the_workflow_passes_it(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = world.household("alice")
    await registered(world, alice)
    monkeypatch.chdir(tmp_path)
    registry = world.registry_file(tmp_path)
    options = {"cohort": Path("cohort")}
    first = await asyncio.to_thread(ingest, world.github.url, world.maintainer, registry, Path("work"), **options)
    assert statuses(first) == {alice.household_id: "updated"}
    day = tmp_path / "work" / "raw" / alice.household_id / "2026/07/14.jsonl"
    assert day.read_bytes() == day_line(alice.household_id, 0)
    again = await asyncio.to_thread(ingest, world.github.url, world.maintainer, registry, Path("work"), **options)
    assert statuses(again) == {alice.household_id: "unchanged"}


async def test_a_lost_cache_only_costs_a_refetch(world: World, tmp_path: Path) -> None:
    alice = world.household("alice")
    await registered(world, alice)
    work = tmp_path / "work"
    await run(world, work)
    expected = (work / "raw" / alice.household_id / "2026/07/14.jsonl").read_bytes()
    shutil.rmtree(work)
    again = await run(world, work)
    assert statuses(again) == {alice.household_id: "updated"}
    assert (work / "raw" / alice.household_id / "2026/07/14.jsonl").read_bytes() == expected


async def test_hostile_contents_are_skipped_with_reasons(world: World, tmp_path: Path) -> None:
    alice, bob = world.household("alice"), world.household("bob")
    await registered(world, alice, bob)
    git = world.github.repo("alice", DATA_REPO).git
    big = tmp_path / "big"
    with big.open("wb") as handle:  # sparse, 64 MB: over the cap like 1 GB (that one by size: next test)
        handle.truncate(64 * 1024 * 1024)
    big_sha = git.text("hash-object", "-w", str(big))
    changes = {
        "raw/2026/07/01.jsonl": ("100644", "blob", big_sha),
        "raw/2026/07/02.jsonl": ("120000", "blob", git.write_blob(b"/etc/passwd")),
        "raw/2026/07/03.jsonl": ("160000", "commit", "1" * 40),
        "raw/2026/07/04.jsonl": ("100644", "blob", git.write_blob(LFS)),
    }
    push_tree_changes(world, "alice", changes)
    world.github.clear_log()
    report = await run(world, tmp_path / "work")
    by_id = {o.household_id: o for o in report.outcomes}
    assert by_id[bob.household_id].status == "updated"  # nothing else in the run is affected
    alice_out = by_id[alice.household_id]
    assert alice_out.status == "updated" and alice_out.written == 1
    notes = "\n".join(alice_out.skipped)
    for reason in ("01.jsonl: over", "02.jsonl: a symlink", "03.jsonl: a submodule", "04.jsonl: a Git LFS pointer"):
        assert reason in notes
    assert sorted(p.name for p in (tmp_path / "work/raw" / alice.household_id / "2026/07").iterdir()) == ["14.jsonl"]
    fetched = sum(e.response_bytes for e in world.github.log if e.path.startswith("/alice/"))
    assert fetched < 1024 * 1024  # the big blob never travelled


async def test_a_repository_reporting_1_gb_is_not_fetched_and_keeps_its_data(world: World, tmp_path: Path) -> None:
    alice = world.household("alice")
    await registered(world, alice)
    work = tmp_path / "work"
    await run(world, work)
    world.github.commit("alice", DATA_REPO, {"raw/2026/07/15.jsonl": b"new\n"})
    world.github.repo("alice", DATA_REPO).reported_size_kb = 1024 * 1024
    report = await run(world, work)
    [outcome] = report.outcomes
    assert outcome.status == "failed" and "1,048,576 KB" in outcome.reason and "last good data kept" in outcome.reason
    assert (work / "raw" / alice.household_id / "2026/07/14.jsonl").exists()
    assert not (work / "raw" / alice.household_id / "2026/07/15.jsonl").exists()


async def test_force_pushed_history_is_followed(world: World, tmp_path: Path) -> None:
    alice = world.household("alice")
    await registered(world, alice)
    work = tmp_path / "work"
    await run(world, work)
    git = world.github.repo("alice", DATA_REPO).git
    who = Person("alice", "alice@example.invalid", "2026-07-16T00:00:00Z")
    tree = git.apply_changes(
        None,
        {
            "household.json": (
                "100644",
                "blob",
                git.write_blob(json.dumps({"household_id": alice.household_id}).encode()),
            ),
            "raw/2026/07/16.jsonl": ("100644", "blob", git.write_blob(b"rewritten\n")),
        },
    )
    orphan = git.commit_tree(tree, [], "rewrite", who, who)
    git.git("update-ref", "refs/heads/main", orphan)
    report = await run(world, work)
    assert report.outcomes[0].status == "updated"
    days = sorted(p.name for p in (work / "raw" / alice.household_id / "2026/07").iterdir())
    assert days == ["16.jsonl"]  # the rewritten head is what counts; the old day is gone with it


@pytest.mark.parametrize("change", ["deleted", "emptied", "left", "renamed", "transferred", "excluded"])
async def test_households_that_go_leave_the_raw_tree(world: World, tmp_path: Path, change: str) -> None:
    alice, bob = world.household("alice"), world.household("bob")
    await registered(world, alice, bob)
    work = tmp_path / "work"
    await run(world, work)
    if change == "deleted":
        world.github.delete_repo("alice", DATA_REPO)
    elif change == "emptied":
        world.github.commit("alice", DATA_REPO, {"raw/2026/07/14.jsonl": None})
    elif change == "left":
        await world.leave(alice)
        await world.register()
    elif change == "renamed":
        world.github.rename_repo("alice", DATA_REPO, "elsewhere")
    elif change == "transferred":
        world.github.transfer_repo("alice", DATA_REPO, "mallory")
    registry = world.registry_file(tmp_path)
    if change == "excluded":
        document = json.loads(registry.read_text())
        document["households"][alice.household_id]["excluded"] = "duplicate household"
        registry.write_text(json.dumps(document))
    report = await asyncio.to_thread(ingest, world.github.url, world.maintainer, registry, work, cohort=tmp_path)
    outcome = next(o for o in report.outcomes if o.household_id == alice.household_id)
    expected = {"renamed": "refused", "transferred": "refused", "excluded": "refused"}.get(change, "withdrawn")
    assert outcome.status == expected and outcome.reason
    assert not (work / "raw" / alice.household_id).exists()
    assert (work / "raw" / bob.household_id / "2026/07/14.jsonl").exists()


async def test_a_failing_repository_keeps_its_last_good_data(world: World, tmp_path: Path) -> None:
    alice = world.household("alice")
    await registered(world, alice)
    work = tmp_path / "work"
    await run(world, work)
    world.github.commit("alice", DATA_REPO, {"raw/2026/07/14.jsonl": b"changed\n"})
    world.github.fail_next(1, 500)
    report = await run(world, work)
    assert report.outcomes[0].status == "failed" and "500" in report.outcomes[0].reason
    assert (work / "raw" / alice.household_id / "2026/07/14.jsonl").read_bytes() == day_line(alice.household_id, 0)
    assert (await run(world, work)).outcomes[0].status == "updated"  # retried next run: no etag was kept


async def test_a_broken_registry_touches_nothing(world: World, tmp_path: Path) -> None:
    alice = world.household("alice")
    await registered(world, alice)
    work = tmp_path / "work"
    await run(world, work)
    registry = tmp_path / "broken.json"
    registry.write_text('{"format": 1, "households": {')
    with pytest.raises(RegistryError, match="not valid JSON"):
        await asyncio.to_thread(ingest, world.github.url, world.maintainer, registry, work, cohort=tmp_path)
    assert (work / "raw" / alice.household_id / "2026/07/14.jsonl").exists()


async def test_a_slow_repository_times_out_and_keeps_its_data(world: World, tmp_path: Path) -> None:
    alice = world.household("alice")
    await registered(world, alice)
    work = tmp_path / "work"
    await run(world, work)
    world.github.commit("alice", DATA_REPO, {"raw/2026/07/14.jsonl": b"changed\n"})
    world.github.set_latency(3.0)
    report = await run(world, work, timeout=0.5)
    world.github.set_latency(0.0)
    assert report.outcomes[0].status == "failed" and "timed out" in report.outcomes[0].reason
    assert (work / "raw" / alice.household_id / "2026/07/14.jsonl").read_bytes() == day_line(alice.household_id, 0)


async def test_odd_file_names_neither_fail_the_household_nor_reach_the_log_raw(world: World, tmp_path: Path) -> None:
    # A name that is not UTF-8, and one whose newline would start a workflow command line in the Actions log.
    alice = world.household("alice")
    await registered(world, alice)
    git = world.github.repo("alice", DATA_REPO).git
    blob = git.write_blob(b"x\n")
    docs = git.git("mktree", "-z", stdin=b"100644 blob " + blob.encode() + b"\t\xff\xfe.txt\0").decode().strip()
    push_tree_changes(
        world,
        "alice",
        {
            "docs": ("040000", "tree", docs),
            "raw/2026/07/x\n::error title=forged::from a file name.jsonl": ("100644", "blob", blob),
            "raw/2026/07/15.jsonl": ("100644", "blob", git.write_blob(day_line(alice.household_id, 5))),
        },
    )
    work = tmp_path / "work"
    [outcome] = (await run(world, work)).outcomes
    assert outcome.status == "updated", outcome.reason
    assert (work / "raw" / alice.household_id / "2026/07/15.jsonl").exists()
    line = outcome.line()
    assert "forged" in line and not any(row.startswith("::") for row in line.splitlines())


async def test_a_hundred_thousand_stray_files_are_one_line_in_the_log(world: World, tmp_path: Path) -> None:
    alice = world.household("alice")
    await registered(world, alice)
    git = world.github.repo("alice", DATA_REPO).git
    blob = git.write_blob(b"x\n")
    names = b"".join(b"100644 blob %s\t%06d.txt\0" % (blob.encode(), n) for n in range(100_000))
    stray = git.git("mktree", "-z", stdin=names).decode().strip()
    push_tree_changes(world, "alice", {"raw/stray": ("040000", "tree", stray)})
    [outcome] = (await run(world, tmp_path / "work")).outcomes
    assert outcome.status == "updated" and len(outcome.skipped) == 100_000
    lines = outcome.line().splitlines()
    assert len(lines) == 22 and lines[-1] == "    skipped 99,980 more"


async def test_day_files_named_for_no_calendar_day_are_skipped(world: World, tmp_path: Path) -> None:
    alice = world.household("alice")
    await registered(world, alice)
    odd = {path: day_line(alice.household_id, 0) for path in ("raw/2026/13/40.jsonl", "raw/2026/02/30.jsonl")}
    world.github.commit("alice", DATA_REPO, odd)
    work = tmp_path / "work"
    [outcome] = (await run(world, work)).outcomes
    assert outcome.status == "updated"
    assert sorted(outcome.skipped) == [f"{path}: not a calendar day" for path in sorted(odd)]
    home = work / "raw" / alice.household_id
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*.jsonl")) == ["2026/07/14.jsonl"]
