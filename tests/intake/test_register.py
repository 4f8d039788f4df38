"""The register command against the local GitHub server: joins, refusals, leaves, hostile issues, volume."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aggregation.github_rest import Answer, GitHub, GitHubError
from aggregation.register import REASONS
from aggregation.registry import RegistryError, parse
from custom_components.nem_flex_telemetry.intake import format_leave_request

from .world import DATA_REPO, PROJECT_NAME, PROJECT_OWNER, World


async def test_a_join_binds_the_id_comments_and_closes(world: World) -> None:
    alice = world.household("alice")
    number = await world.join(alice)
    report = await world.register()
    assert report.committed and [d.outcome for d in report.decisions] == ["registered"]
    binding = world.registry()["households"][alice.household_id]
    assert binding["repository"] == alice.repository and binding["account"] == "alice"
    assert binding["repository_id"] == world.github.repo("alice", DATA_REPO).id
    issue = world.issue(number)
    assert issue.state == "closed" and issue.state_reason == "completed"
    assert [c.body for c in issue.comments] == [REASONS["registered"]]
    # Running again changes nothing and makes no commit.
    head = world.github.repo(PROJECT_OWNER, PROJECT_NAME).git.branch_head("main")
    assert not (await world.register()).committed
    assert world.github.repo(PROJECT_OWNER, PROJECT_NAME).git.branch_head("main") == head


async def test_a_join_request_sent_twice_is_registered_once_and_both_are_answered(world: World) -> None:
    alice = world.household("alice")
    first, second = await world.join(alice), await world.join(alice)  # the first one's answer was lost
    report = await world.register()
    assert [(d.issue, d.outcome) for d in report.decisions] == [(first, "registered"), (second, "already")]
    assert list(world.registry()["households"]) == [alice.household_id]
    assert [(world.issue(n).state, world.issue(n).state_reason) for n in (first, second)] == [
        ("closed", "completed")
    ] * 2
    assert world.issue(second).comments[-1].body == REASONS["already"]
    late = await world.join(alice)  # asked again after the answer: calm as well, and no commit
    report = await world.register()
    assert [(d.issue, d.outcome) for d in report.decisions] == [(late, "already")] and not report.committed


async def test_refusals_each_with_a_fixed_reason(world: World) -> None:
    alice, bob = world.household("alice"), world.household("bob")
    mallory = world.household("mallory")
    world.github.create_repo("bob", "private-data", private=True)
    carol = world.household("carol")
    world.github.commit("carol", DATA_REPO, {"household.json": None})
    await world.join(alice)
    await world.register()
    cases = {
        await world.join(mallory, repository=alice.repository, household_id=mallory.household_id): "not_owner",
        await world.join(mallory, household_id=alice.household_id): "id_bound",
        await world.join(bob, repository="bob/private-data"): "missing",
        await world.join(bob, repository="bob/nothing-here"): "missing",
        await world.join(carol): "no_household_file",
        await world.join(bob, household_id=mallory.household_id): "other_id",
    }
    report = await world.register()
    assert {d.issue: d.outcome for d in report.decisions} == cases
    for number, outcome in cases.items():
        issue = world.issue(number)
        assert issue.state_reason == "not_planned" and issue.comments[-1].body == REASONS[outcome]
    assert list(world.registry()["households"]) == [alice.household_id]


async def test_renamed_or_transferred_repositories_and_reused_ids_are_refused(world: World) -> None:
    alice, bob = world.household("alice"), world.household("bob")
    world.github.rename_repo("bob", DATA_REPO, "renamed")
    moved = await world.join(bob)  # asks under the old name, which now redirects
    await world.join(alice)
    assert {d.issue: d.outcome for d in (await world.register()).decisions}[moved] == "moved"
    left = await world.leave(alice)
    assert {d.issue: d.outcome for d in (await world.register()).decisions} == {left: "left"}
    assert world.registry()["households"][alice.household_id]["left"]
    again = await world.join(alice)
    assert [d.outcome for d in (await world.register()).decisions if d.issue == again] == ["id_left"]


async def test_only_the_bound_account_can_withdraw(world: World) -> None:
    alice, mallory = world.household("alice"), world.household("mallory")
    await world.join(alice)
    await world.register()
    title, body = format_leave_request(alice.household_id, alice.repository)
    await world.open_issue(mallory.token, title, body)
    assert [d.outcome for d in (await world.register()).decisions] == ["leave_not_account"]
    assert "left" not in world.registry()["households"][alice.household_id]


async def test_a_login_taken_again_cannot_withdraw_and_a_renamed_account_can(world: World) -> None:
    alice, bob = world.household("alice"), world.household("bob")
    await world.join(alice)
    await world.join(bob)
    await world.register()
    bound = world.registry()["households"]
    assert bound[alice.household_id]["account_id"] == world.github.state.users["alice"].id
    world.github.add_user("alice")  # alice's account deleted, its login registered by someone else
    title, body = format_leave_request(alice.household_id, alice.repository)
    await world.open_issue(world.github.issue_token("alice"), title, body)
    assert [d.outcome for d in (await world.register()).decisions] == ["leave_not_account"]
    assert "left" not in world.registry()["households"][alice.household_id]
    renamed = world.github.state.users.pop("bob")  # bob renames his account: same id, new login
    renamed.login = "robert"
    world.github.state.users["robert"] = renamed
    title, body = format_leave_request(bob.household_id, bob.repository)
    await world.open_issue(world.github.issue_token("robert"), title, body)
    assert [d.outcome for d in (await world.register()).decisions] == ["left"]


@pytest.mark.parametrize(
    "title_tail, body",
    [
        ("join $(rm -rf /); `id` && echo ;|&", '```json\n{"action": "join"}\n```'),
        ("join x", "x" * 1_048_576),
        ("join \u202e\u0000\U0001f600 Ω", "\u200b```json\n{}\n```\u2028"),
        ("join {id}", "Author: alice\nuser.login: alice\n```json\n{body}\n```"),
    ],
    ids=["shell-metacharacters", "one-megabyte-body", "odd-unicode", "forged-author-line"],
)
async def test_hostile_issues_are_refused_without_echo(world: World, title_tail: str, body: str) -> None:
    alice, mallory = world.household("alice"), world.household("mallory")
    request = {
        "action": "join",
        "household_id": alice.household_id,
        "repository": alice.repository,
        "schema_version": "2.0",
    }
    title = "nem-flex-telemetry: " + title_tail.replace("{id}", alice.household_id)
    number = await world.open_issue(mallory.token, title, body.replace("{body}", json.dumps(request)))
    report = await world.register()
    [decision] = report.decisions
    assert not decision.accepted and world.registry() == {}
    reply = world.issue(number).comments[-1].body
    assert reply.startswith("Refused:") and "rm -rf" not in reply and "alice" not in reply and len(reply) < 300


async def test_500_requests_over_several_runs_none_lost(world: World) -> None:
    # 100 real households among a flood of 400 requests that fail to parse, all opened at once.
    households = [world.household(f"user{n:03}") for n in range(100)]
    flood = world.household("flooder")
    numbers = []
    for n in range(500):
        if n % 5 == 0:
            numbers.append(await world.join(households[n // 5]))
        else:
            numbers.append(await world.open_issue(flood.token, f"nem-flex-telemetry: join {n}", "no block"))
    runs = []
    while not runs or runs[-1].remaining:
        runs.append(await world.register(max_issues=120))
        assert runs[-1].requests < 1000  # inside even GITHUB_TOKEN's hourly 1,000
    decided = [d.issue for run in runs for d in run.decisions]
    assert len(runs) == 5 and sorted(decided) == sorted(numbers)  # each once, none lost across pages
    assert set(world.registry()["households"]) == {h.household_id for h in households}
    issues = world.github.repo(PROJECT_OWNER, PROJECT_NAME).issues
    assert all(i.state == "closed" and len(i.comments) == 1 for i in issues)
    assert world.github.state.rate_limit(PROJECT_OWNER).used < 5000


async def test_a_broken_registry_stops_the_run_and_is_kept(world: World) -> None:
    alice = world.household("alice")
    broken = b'{"format": 1, "households": {"not-an-id": {}}}'
    world.github.commit(PROJECT_OWNER, PROJECT_NAME, {"data/registry.json": broken})
    number = await world.join(alice)
    with pytest.raises(RegistryError, match="not a household id"):
        await world.register()
    assert world.github.read_file(PROJECT_OWNER, PROJECT_NAME, "data/registry.json") == broken
    assert world.issue(number).state == "open" and not world.issue(number).comments


ID = "0b6c3c6e-5a7b-4c1d-9e2f-3a4b5c6d7e8f"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("{", "not valid JSON"),
        ('{"format": 2, "households": {}}', '"format": 1'),
        ('{"format": 1, "households": []}', "keyed by household id"),
        (  # a binding pasted twice: the first (here the one that left) must not vanish silently
            '{"format": 1, "households": {"%s": {"repository": "a/b", "account": "a", "repository_id": 1, '
            '"joined": "2026-07-01T00:00:00Z", "left": "2026-07-02T00:00:00Z"}, "%s": {"repository": "a/b", '
            '"account": "a", "repository_id": 1, "joined": "2026-07-01T00:00:00Z"}}}' % ((ID,) * 2),
            "appears twice",
        ),
    ],
)
def test_registry_errors_name_the_problem(text: str, problem: str) -> None:
    with pytest.raises(RegistryError, match=problem):
        parse(text)


@pytest.mark.parametrize("status", [502, 0], ids=["server-error", "no-answer"])
async def test_a_github_hiccup_leaves_the_request_open_for_the_next_run(
    world: World, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    alice, bob = world.household("alice"), world.household("bob")
    hiccup, other = await world.join(alice), await world.join(bob)
    send = GitHub._send
    failed: list[str] = []

    def flaky(self: GitHub, request: Any) -> Answer:
        if request.full_url.endswith(f"/repos/{alice.repository}") and not failed:
            failed.append(request.full_url)
            if status == 0:
                raise GitHubError(0, "no answer")
            return Answer(status, {}, b'{"message": "Server Error"}', request.full_url)
        return send(self, request)

    monkeypatch.setattr(GitHub, "_send", flaky)
    report = await world.register()
    assert failed and [(d.issue, d.outcome) for d in report.decisions] == [(other, "registered")]
    assert report.remaining == 1 and report.deferred == 1
    assert world.issue(hiccup).state == "open" and not world.issue(hiccup).comments  # not refused, not closed
    again = await world.register()
    assert [(d.issue, d.outcome) for d in again.decisions] == [(hiccup, "registered")]
    assert set(world.registry()["households"]) == {alice.household_id, bob.household_id}
