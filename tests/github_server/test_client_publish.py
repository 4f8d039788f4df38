"""The client's hourly flush against the local server, read back with git."""

from __future__ import annotations

import json

import aiohttp
import pytest

from custom_components.nem_flex_telemetry.github_api import (
    CONFLICT_ATTEMPTS,
    Endpoints,
    GitHubClient,
    Token,
    TransientError,
)
from custom_components.nem_flex_telemetry.publish_plan import UntrustedDayFileError, split_backlog
from custom_components.nem_flex_telemetry.record import RecordInvalidError, canonical_json

from .conftest import HOUSEHOLD, LOGIN, OWNER, REPO, REPOSITORY, SleepRecorder, git, make_records
from .server import GitHubServer

DAY_FILE = "raw/2026/07/14.jsonl"


def lines_of(github: GitHubServer, path: str) -> list[str]:
    return git(github, "show", f"main:{path}").splitlines()


def commit_count(github: GitHubServer) -> int:
    return int(git(github, "rev-list", "--count", "main"))


async def test_an_hour_is_one_commit_of_canonical_lines(github: GitHubServer, client: GitHubClient) -> None:
    records = make_records("2026-07-14T01:00:00Z", 12)
    github.clear_log()
    result = await client.publish(REPOSITORY, HOUSEHOLD, records)
    assert result.files == (DAY_FILE,) and result.records_added == 12
    assert git(github, "rev-parse", "main").strip() == result.commit_sha
    assert lines_of(github, DAY_FILE) == [canonical_json(r) for r in records]
    assert git(github, "show", "-s", "--format=%an <%ae>%n%s", "main").splitlines() == [
        f"A Household <1001+{LOGIN}@users.noreply.github.com>",
        f"Telemetry {HOUSEHOLD}: 2026-07-14T01:00:00Z..2026-07-14T01:55:00Z (12 records)",
    ]
    assert result.stats.requests == len(github.log) <= 7
    assert result.stats.bytes_sent > 12 * 500 and result.stats.bytes_received > 0


async def test_publishing_the_same_batch_again_changes_nothing(github: GitHubServer, client: GitHubClient) -> None:
    records = make_records("2026-07-14T01:00:00Z", 12)
    await client.publish(REPOSITORY, HOUSEHOLD, records)
    before = commit_count(github)
    again = await client.publish(REPOSITORY, HOUSEHOLD, records[::-1])
    assert again.commit_sha is None and again.records_added == 0
    assert commit_count(github) == before


async def test_next_hour_is_merged_in_order(github: GitHubServer, client: GitHubClient) -> None:
    first, second = make_records("2026-07-14T01:00:00Z", 24)[:12], make_records("2026-07-14T01:00:00Z", 24)[12:]
    await client.publish(REPOSITORY, HOUSEHOLD, second)
    result = await client.publish(REPOSITORY, HOUSEHOLD, first + second[:3])
    assert result.records_added == 12
    assert lines_of(github, DAY_FILE) == [canonical_json(r) for r in first + second]


async def test_someone_elses_edit_stops_the_commit_and_changes_nothing(
    github: GitHubServer, client: GitHubClient
) -> None:
    records = make_records("2026-07-14T01:00:00Z", 4)
    theirs = json.dumps(records[1] | {"net_import_kw": 9.9})
    github.commit(OWNER, REPO, {DAY_FILE: f"{theirs}\nnot json\n".encode()}, login="maintainer")
    before = commit_count(github)
    with pytest.raises(UntrustedDayFileError, match="line 2 is not JSON"):
        await client.publish(REPOSITORY, HOUSEHOLD, records)
    assert commit_count(github) == before
    assert lines_of(github, DAY_FILE) == [theirs, "not json"]


async def test_three_stub_lines_in_our_day_file_are_not_taken_for_our_records(
    github: GitHubServer, client: GitHubClient
) -> None:
    records = make_records("2026-07-14T01:00:00Z", 3)
    stubs = "".join(json.dumps({"interval_start_utc": r["interval_start_utc"]}) + "\n" for r in records)
    github.commit(OWNER, REPO, {DAY_FILE: stubs.encode()}, login="mallory")
    with pytest.raises(UntrustedDayFileError, match="line 1 is not a valid record"):
        await client.publish(REPOSITORY, HOUSEHOLD, records)
    assert git(github, "show", f"main:{DAY_FILE}") == stubs


async def test_later_hours_reuse_the_file_they_wrote_unless_someone_changed_it(
    github: GitHubServer, client: GitHubClient
) -> None:
    day = make_records("2026-07-14T00:00:00Z", 36)
    await client.publish(REPOSITORY, HOUSEHOLD, day[:12])
    github.commit(OWNER, REPO, {"elsewhere.txt": b"another household's commit\n"}, login="maintainer")
    github.clear_log()
    second = await client.publish(REPOSITORY, HOUSEHOLD, day[12:24])
    assert second.stats.requests == 6
    assert not any("/contents/" in entry.path for entry in github.log)  # no download of the day file
    edited = lines_of(github, DAY_FILE)[:-1]  # someone removed our last line: downloaded, merged again
    github.commit(OWNER, REPO, {DAY_FILE: "".join(line + "\n" for line in edited).encode()}, login="maintainer")
    third = await client.publish(REPOSITORY, HOUSEHOLD, day[23:])
    assert third.records_added == 13  # the line that was removed comes back
    assert lines_of(github, DAY_FILE) == [canonical_json(r) for r in day]


async def test_a_week_of_backlog_is_one_commit_with_every_record_once(
    github: GitHubServer, client: GitHubClient
) -> None:
    records = make_records("2026-07-14T00:00:00Z", 2016)
    before = commit_count(github)
    result = await client.publish(REPOSITORY, HOUSEHOLD, records)
    assert commit_count(github) == before + 1 and len(result.files) == 7
    published = [line for path in sorted(result.files) for line in lines_of(github, path)]
    assert published == [canonical_json(r) for r in records]
    assert git(github, "show", "-s", "--format=%s", "main").strip().endswith("(2016 records)")


async def test_a_backlog_split_into_bounded_commits(github: GitHubServer, client: GitHubClient) -> None:
    records = make_records("2026-07-01T00:00:00Z", 700)
    batches = split_backlog(records[::-1], max_records=288)
    assert [len(b) for b in batches] == [288, 288, 124]
    before = commit_count(github)
    for batch in batches:
        await client.publish(REPOSITORY, HOUSEHOLD, batch)
    assert commit_count(github) == before + 3
    assert len(git(github, "ls-tree", "-r", "--name-only", "main", "raw").split()) == 3


async def test_a_writer_racing_in_between_makes_the_client_retry(
    github: GitHubServer, client: GitHubClient, sleeps: SleepRecorder
) -> None:
    records = make_records("2026-07-14T01:00:00Z", 12)
    ours = canonical_json(records[0])  # another installation of this household got there first
    github.race_next_ref_update(OWNER, REPO, {DAY_FILE: (ours + "\n").encode()})
    result = await client.publish(REPOSITORY, HOUSEHOLD, records)
    assert result.records_added == 11 and result.stats.retries == 1 and len(sleeps.delays) == 1
    assert lines_of(github, DAY_FILE) == [canonical_json(r) for r in records]
    assert git(github, "log", "--format=%an", "-2", "main").splitlines() == ["A Household", "someone-else"]


async def test_a_stale_branch_read_after_our_own_commit_costs_no_retry(
    github: GitHubServer, client: GitHubClient
) -> None:
    day = make_records("2026-07-14T01:00:00Z", 24)
    first = await client.publish(REPOSITORY, HOUSEHOLD, day[:12])
    github.stale_ref_reads(1)
    second = await client.publish(REPOSITORY, HOUSEHOLD, day[12:])
    assert second.stats.retries == 0 and second.stats.requests == 6
    assert git(github, "rev-parse", "main^").strip() == first.commit_sha
    assert lines_of(github, DAY_FILE) == [canonical_json(r) for r in day]


async def test_a_branch_that_never_stops_moving_is_transient(github: GitHubServer, client: GitHubClient) -> None:
    github.race_next_ref_update(OWNER, REPO, {"busy.txt": b"busy\n"}, times=100)
    with pytest.raises(TransientError, match="kept moving"):
        await client.publish(REPOSITORY, HOUSEHOLD, make_records("2026-07-14T01:00:00Z", 12))
    lost = CONFLICT_ATTEMPTS  # every attempt lost its race
    assert int(git(github, "rev-list", "--count", "main")) == 1 + lost  # and the initial commit
    assert "raw/" not in git(github, "ls-tree", "-r", "--name-only", "main")


async def test_server_errors_are_retried_with_back_off(
    github: GitHubServer, client: GitHubClient, sleeps: SleepRecorder
) -> None:
    github.fail_next(2, status=502)
    result = await client.publish(REPOSITORY, HOUSEHOLD, make_records("2026-07-14T01:00:00Z", 12))
    assert result.commit_sha is not None and result.stats.retries == 2
    assert len(sleeps.delays) == 2 and 0.5 <= sleeps.delays[0] <= 1 and 1 <= sleeps.delays[1] <= 2


async def test_server_errors_that_persist_raise_transient_and_commit_nothing(
    github: GitHubServer, client: GitHubClient
) -> None:
    before = commit_count(github)
    github.fail_next(100, status=503)
    with pytest.raises(TransientError) as caught:
        await client.publish(REPOSITORY, HOUSEHOLD, make_records("2026-07-14T01:00:00Z", 12))
    assert caught.value.retry_at is None or caught.value.retry_at > 0
    assert commit_count(github) == before


async def test_network_down_is_transient(github: GitHubServer, client: GitHubClient) -> None:
    await github.set_down(True)
    with pytest.raises(TransientError):
        await client.publish(REPOSITORY, HOUSEHOLD, make_records("2026-07-14T01:00:00Z", 12))
    await github.set_down(False)
    result = await client.publish(REPOSITORY, HOUSEHOLD, make_records("2026-07-14T01:00:00Z", 12))
    assert result.records_added == 12


async def test_a_server_slower_than_the_timeout_is_transient(
    github: GitHubServer, token: str, http: aiohttp.ClientSession, sleeps: SleepRecorder
) -> None:
    impatient = GitHubClient(
        http, Token(token), endpoints=Endpoints.local(github.url), sleep=sleeps, timeout=0.05, attempts=2
    )
    github.set_latency(0.3)
    with pytest.raises(TransientError, match="TimeoutError"):
        await impatient.get_user()
    assert len(sleeps.delays) == 1  # one back-off between the two attempts


async def test_an_invalid_record_is_refused_before_any_request(github: GitHubServer, client: GitHubClient) -> None:
    records = make_records("2026-07-14T01:00:00Z", 2)
    records[1]["region"] = "WA1"
    github.clear_log()
    with pytest.raises(RecordInvalidError, match="region"):
        await client.publish(REPOSITORY, HOUSEHOLD, records)
    with pytest.raises(ValueError, match="household id"):
        await client.publish(REPOSITORY, "../escape", records[:1])
    assert github.log == []


async def test_withdraw_empties_the_head_and_says_the_household_left(
    github: GitHubServer, client: GitHubClient
) -> None:
    await client.publish(REPOSITORY, HOUSEHOLD, make_records("2026-12-31T23:00:00Z", 24))  # two year folders
    github.commit(OWNER, REPO, {"household.json": b"{}\n", "notes.txt": b"the owner's own file\n"})
    result = await client.withdraw(REPOSITORY, HOUSEHOLD)
    assert sorted(result.files) == ["household.json", "raw/2026/12/31.jsonl", "raw/2027/01/01.jsonl"]
    assert git(github, "ls-tree", "-r", "--name-only", "main").split() == ["README.md", "notes.txt"]
    assert "this household has left" in git(github, "show", "main:README.md")
    assert f"{github.url}/{REPOSITORY}/settings" in git(github, "show", "main:README.md")
    assert git(github, "show", "-s", "--format=%s", "main").strip() == (
        f"Withdraw household {HOUSEHOLD} (3 files removed)"
    )
    assert git(github, "show", "main~1:raw/2027/01/01.jsonl")  # history keeps it until the repository is deleted
    again = await client.withdraw(REPOSITORY, HOUSEHOLD)
    assert again.commit_sha is None
