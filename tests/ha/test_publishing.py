"""Publishing to the local GitHub: records land in git once, leave the outbox only after a commit, faults keep them."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.nem_flex_telemetry.const import DOMAIN
from custom_components.nem_flex_telemetry.diagnostics import async_get_config_entry_diagnostics
from custom_components.nem_flex_telemetry.intake import Request, parse_request
from custom_components.nem_flex_telemetry.publisher import hourly_offset
from custom_components.nem_flex_telemetry.record import SCHEMA_VERSION
from tests.github_server import GitHubServer

from .conftest import (
    DATA_OWNER,
    DATA_REPO,
    HOUSEHOLD_ID,
    LOGIN,
    PROJECT_OWNER,
    PROJECT_REPO,
    GitHubClock,
    Household,
    signed_in,
)

NOW = datetime(2026, 11, 22, 3, 7, tzinfo=UTC)
FIRST = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
DAY_FILE = "raw/2026/11/22.jsonl"  # in the household's own data repository


@pytest.fixture(autouse=True)
def github_time(github_clock: GitHubClock, freezer: FrozenDateTimeFactory) -> None:
    """The local GitHub and Home Assistant agree on the time (rate-limit resets are epoch seconds)."""
    freezer.move_to(NOW)
    github_clock.now = NOW.timestamp()


def move_to(freezer: FrozenDateTimeFactory, github_clock: GitHubClock, when: datetime) -> None:
    freezer.move_to(when)
    github_clock.now = when.timestamp()


@pytest.fixture
def loaded(hass: HomeAssistant, github: GitHubServer) -> Callable[..., Awaitable[MockConfigEntry]]:
    """A signed-in entry with ``count`` records (02:00, 02:05 ... UTC) waiting in its outbox."""

    async def _loaded(household: Household, count: int = 3, token: str | None = None) -> MockConfigEntry:
        entry = signed_in(household.entry(), github, token)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)  # the join request, opened at set-up
        for n in range(count):
            assert await entry.runtime_data.sampler.async_sample(FIRST + timedelta(minutes=5 * n))
        return entry

    return _loaded


async def a_request_waits(github: GitHubServer) -> None:
    """Until a request waits out the latency at the local GitHub (the loop's clock is frozen here: the
    pauses between looks are taken on the real clock, in a thread)."""
    for _ in range(2000):
        if github.waiting:
            return
        await asyncio.to_thread(time.sleep, 0.005)
    raise AssertionError("no request reached GitHub")


def published_intervals(github: GitHubServer) -> list[str]:
    text = github.read_file(DATA_OWNER, DATA_REPO, DAY_FILE)
    return [] if text is None else [json.loads(line)["interval_start_utc"] for line in text.decode().splitlines()]


def git(github: GitHubServer, *args: str) -> list[str]:
    """Read the data repository with git itself, not through the server."""
    path = github.repo(DATA_OWNER, DATA_REPO).git.path
    done = subprocess.run(["git", "--git-dir", str(path), *args], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def head_files(github: GitHubServer) -> list[str]:
    return git(github, "ls-tree", "-r", "--name-only", "main")


def git_log(github: GitHubServer) -> list[str]:
    return git(github, "log", "--format=%H %s", "main")


async def publish_now(hass: HomeAssistant) -> Any:
    return await hass.services.async_call(DOMAIN, "publish_now", {}, blocking=True, return_response=True)


def state(hass: HomeAssistant, key: str) -> str:
    found = hass.states.get(f"sensor.nem_flex_telemetry_{key}")
    assert found is not None
    return found.state


EXPECTED = ["2026-11-22T02:00:00Z", "2026-11-22T02:05:00Z", "2026-11-22T02:10:00Z"]


async def test_publish_now_commits_then_acknowledges(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    entry = await loaded(battery_only)
    assert state(hass, "records_waiting") == "3"
    assert await publish_now(hass) == {"records_added": 3, "pending": 0}
    assert published_intervals(github) == EXPECTED
    assert entry.runtime_data.outbox.pending_count() == 0
    assert state(hass, "records_waiting") == "0"
    assert state(hass, "records_published") == "3"
    assert state(hass, "last_upload_status") == "Published 3 records"
    assert state(hass, "last_upload") == NOW.isoformat()
    assert state(hass, "publishing") == "active"
    # Nothing new: no second commit, nothing published twice.
    commits = git_log(github)
    assert await publish_now(hass) == {"records_added": 0, "pending": 0}
    assert published_intervals(github) == EXPECTED
    assert git_log(github) == commits
    token = entry.data["token"]["access_token"]
    assert token not in caplog.text
    assert token not in json.dumps(await async_get_config_entry_diagnostics(hass, entry))


async def test_hourly_publish_at_the_household_minute(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any, freezer: FrozenDateTimeFactory
) -> None:
    await loaded(battery_only)
    minute, second = hourly_offset(HOUSEHOLD_ID)
    assert hourly_offset(HOUSEHOLD_ID) == (minute, second)  # stable across restarts
    when = NOW.replace(hour=4, minute=minute, second=second)
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert published_intervals(github) == EXPECTED
    assert state(hass, "records_waiting") == "0"


def test_hourly_offsets_are_stable_spread_and_clear_of_sampling_boundaries() -> None:
    rng = random.Random(2026)
    households = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(3000)]
    offsets = [hourly_offset(household) for household in households]
    assert [hourly_offset(household) for household in households] == offsets  # the same id, the same offset
    for minute, second in offsets:
        assert 0 <= minute <= 59
        assert 15 <= second <= 44  # never at second 0, where a 5-minute sample may be written
    minutes = Counter(minute for minute, _ in offsets)
    seconds = Counter(second for _, second in offsets)
    assert set(minutes) == set(range(60)) and set(seconds) == set(range(15, 45))
    assert max(minutes.values()) < 2 * len(offsets) / 60  # no minute gets twice its share of households
    assert max(seconds.values()) < 2 * len(offsets) / 30
    assert len(set(offsets)) > len(offsets) / 3  # spread over minute and second together, not a few slots


async def _rate_limited(github: GitHubServer) -> None:
    github.exhaust_rate_limit(LOGIN)


async def _secondary_limit(github: GitHubServer) -> None:
    github.secondary_limit(1, retry_after=120)


async def _server_errors(github: GitHubServer) -> None:
    github.fail_next(4, status=502)  # every attempt of one request


async def _network_down(github: GitHubServer) -> None:
    await github.set_down(True)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (_rate_limited, "rate limit"),
        (_secondary_limit, "rate limit"),
        (_server_errors, "could not be reached"),
        (_network_down, "could not be reached"),
    ],
)
async def test_faults_keep_records_and_the_retry_publishes_them(
    hass: HomeAssistant,
    battery_only: Household,
    github: GitHubServer,
    github_clock: GitHubClock,
    loaded: Any,
    freezer: FrozenDateTimeFactory,
    fault: Callable[[GitHubServer], Awaitable[None]],
    words: str,
) -> None:
    entry = await loaded(battery_only)
    await fault(github)
    with pytest.raises(HomeAssistantError, match=words):
        await publish_now(hass)
    assert entry.runtime_data.outbox.pending_count() == 3
    assert published_intervals(github) == []
    assert words in state(hass, "last_upload_status")
    assert "records are kept" in state(hass, "last_upload_status")
    assert state(hass, "publishing") == "active"  # waiting for GitHub is not the household's problem
    retry_at = entry.runtime_data.publisher.retry_at
    assert retry_at is not None
    await github.set_down(False)
    move_to(freezer, github_clock, retry_at + timedelta(seconds=1))
    async_fire_time_changed(hass, retry_at + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    # Intervals sampled while waiting (the 5-minute clock kept running) go out with the backlog.
    assert published_intervals(github)[:3] == EXPECTED
    assert entry.runtime_data.outbox.pending_count() == 0
    assert entry.runtime_data.publisher.retry_at is None


async def test_revoked_token_starts_reauth_and_keeps_records(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any
) -> None:
    token = github.issue_token(LOGIN)
    entry = await loaded(battery_only, token=token)
    github.revoke_token(token)
    with pytest.raises(HomeAssistantError, match="sign in again"):
        await publish_now(hass)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert entry.runtime_data.outbox.pending_count() == 3
    assert state(hass, "publishing") == "needs_attention"


async def test_no_push_access_raises_a_repair_issue_until_access_returns(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any
) -> None:
    entry = await loaded(battery_only)
    github.repo(DATA_OWNER, DATA_REPO).archived = True  # read-only, even for its owner
    with pytest.raises(HomeAssistantError, match="cannot write"):
        await publish_now(hass)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"no_push_access_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {"repository": f"{DATA_OWNER}/{DATA_REPO}"}
    assert entry.runtime_data.outbox.pending_count() == 3
    assert state(hass, "publishing") == "needs_attention"
    github.repo(DATA_OWNER, DATA_REPO).archived = False
    await publish_now(hass)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"no_push_access_{entry.entry_id}") is None
    assert published_intervals(github) == EXPECTED
    assert state(hass, "publishing") == "active"


async def test_unload_during_a_flush_loses_nothing(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any
) -> None:
    entry = await loaded(battery_only)
    outbox = entry.runtime_data.outbox
    github.set_latency(5)  # the clock is frozen here: the flush waits for GitHub until the server stops
    entry.runtime_data.publisher.async_start_flush()  # what the hourly timer does
    await a_request_waits(github)  # the flush is at GitHub
    assert await hass.config_entries.async_unload(entry.entry_id)  # cancels the flush
    await hass.async_block_till_done(wait_background_tasks=True)
    assert outbox.pending_count() == 3
    github.set_latency(0)
    assert published_intervals(github) == []
    # Loaded again, the same records go out, once.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await publish_now(hass) == {"records_added": 3, "pending": 0}
    assert published_intervals(github) == EXPECTED


async def test_withdraw_needs_confirmation_then_leaves_and_empties_the_repository(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any
) -> None:
    entry = await loaded(battery_only)
    github.commit(DATA_OWNER, DATA_REPO, {"household.json": b"{}\n"}, login=LOGIN)
    await publish_now(hass)
    assert DAY_FILE in head_files(github)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(DOMAIN, "withdraw", {"confirm": "yes"}, blocking=True)
    assert DAY_FILE in head_files(github)
    response = await hass.services.async_call(
        DOMAIN, "withdraw", {"confirm": "WITHDRAW"}, blocking=True, return_response=True
    )
    assert response is not None
    assert response["files_removed"] == 2
    settings = f"{github.url}/{DATA_OWNER}/{DATA_REPO}/settings"
    assert response["delete_repository_url"] == settings
    assert head_files(github) == ["README.md"]
    assert "this household has left" in "\n".join(git(github, "show", "main:README.md"))
    assert DAY_FILE in git(github, "ls-tree", "-r", "--name-only", "main~1")  # until the repository is deleted
    leave = github.repo(PROJECT_OWNER, PROJECT_REPO).issues[-1]
    assert leave.user == LOGIN
    request = Request("leave", HOUSEHOLD_ID, f"{DATA_OWNER}/{DATA_REPO}", SCHEMA_VERSION)
    assert parse_request(leave.title, leave.body) == request
    notice = hass.states.get("persistent_notification.nem_flex_telemetry_withdrawn")
    assert notice is None or settings in str(notice.attributes)  # shown in the notifications panel
    assert entry.options["paused"] is True
    assert state(hass, "publishing") == "paused"
    assert await publish_now(hass) == {"records_added": 0, "pending": 0}  # paused: nothing goes out


async def test_actions_need_a_signed_in_entry(hass: HomeAssistant, battery_only: Household, setup_entry: Any) -> None:
    await setup_entry(battery_only)
    with pytest.raises(ServiceValidationError):
        await publish_now(hass)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(DOMAIN, "withdraw", {"confirm": "WITHDRAW"}, blocking=True)


async def test_refreshed_token_is_kept_in_the_entry(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any
) -> None:
    github.state.expiring_tokens = True  # GitHub-App style: 8-hour tokens with a refresh token
    token = github.issue_token(LOGIN)
    refresh = github.state.tokens[token].refresh_token
    entry = signed_in(battery_only.entry(), github, token)
    entry.add_to_hass(hass)
    stored = {"access_token": token, "scope": "", "refresh_token": refresh, "expires_at": NOW.timestamp() - 1}
    hass.config_entries.async_update_entry(entry, data={**entry.data, "token": stored})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await entry.runtime_data.sampler.async_sample(FIRST)
    await publish_now(hass)
    assert published_intervals(github) == EXPECTED[:1]
    assert entry.data["token"]["access_token"] not in (token, None)
    assert entry.data["token"]["refresh_token"] != refresh  # each refresh replaces the pair


async def test_withdraw_failure_is_reported_and_publishing_stays_paused(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any
) -> None:
    entry = await loaded(battery_only)
    await github.set_down(True)
    with pytest.raises(HomeAssistantError, match="publishing stays paused"):
        await hass.services.async_call(DOMAIN, "withdraw", {"confirm": "WITHDRAW"}, blocking=True)
    assert entry.options["paused"] is True
    await github.set_down(False)


async def test_stub_lines_in_our_day_file_acknowledge_nothing_and_raise_a_repair(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any
) -> None:
    """Three stub lines naming our intervals must not pass for our records (they would drop them for ever)."""
    entry = await loaded(battery_only)
    stubs = "".join(json.dumps({"interval_start_utc": interval}) + "\n" for interval in EXPECTED)
    github.commit(DATA_OWNER, DATA_REPO, {DAY_FILE: stubs.encode()}, login=LOGIN)
    commits = git_log(github)
    with pytest.raises(HomeAssistantError, match="unexpected content"):
        await publish_now(hass)
    assert entry.runtime_data.outbox.pending_count() == 3
    assert git_log(github) == commits
    assert state(hass, "publishing") == "needs_attention"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"untrusted_day_file_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "repository": f"{DATA_OWNER}/{DATA_REPO}",
        "path": DAY_FILE,
        "finding": "line 1 is not a valid record (schema_version: is missing)",
    }
    github.commit(DATA_OWNER, DATA_REPO, {DAY_FILE: None}, login=LOGIN)  # the owner repairs the file
    assert await publish_now(hass) == {"records_added": 3, "pending": 0}
    assert published_intervals(github) == EXPECTED
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"untrusted_day_file_{entry.entry_id}") is None


async def test_an_unexpected_error_in_a_flush_is_shown_not_lost(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = await loaded(battery_only)
    publisher = entry.runtime_data.publisher

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("tree")  # an answer of a shape nothing expected

    monkeypatch.setattr(publisher.client, "publish", broken)
    publisher.async_start_flush()  # in the background, as the hourly timer does
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state(hass, "publishing") == "needs_attention"
    assert "KeyError" in state(hass, "last_upload_status")
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"publish_failed_{entry.entry_id}") is not None
    assert entry.runtime_data.outbox.pending_count() == 3


async def test_the_household_asks_to_join_once_and_retries_until_it_could(
    hass: HomeAssistant, battery_only: Household, github: GitHubServer, loaded: Any
) -> None:
    project = github.repo(PROJECT_OWNER, PROJECT_REPO)
    project.has_issues = False  # opening an issue fails: the request stays pending, publishing goes on
    entry = await loaded(battery_only)
    assert entry.data["registration"] == "pending"
    assert (await async_get_config_entry_diagnostics(hass, entry))["data"]["registration"] == "pending"
    assert await publish_now(hass) == {"records_added": 3, "pending": 0}
    assert entry.data["registration"] == "pending" and project.issues == []
    project.has_issues = True
    await publish_now(hass)
    assert entry.data["registration"] == "registered"
    (issue,) = project.issues
    assert issue.user == LOGIN
    request = Request("join", HOUSEHOLD_ID, f"{DATA_OWNER}/{DATA_REPO}", SCHEMA_VERSION)
    assert parse_request(issue.title, issue.body) == request
    assert entry.data["registration_issue"].endswith(f"/{PROJECT_OWNER}/{PROJECT_REPO}/issues/{issue.number}")
    await publish_now(hass)
    assert len(project.issues) == 1  # once
