"""How the client classifies GitHub's answers: reauth only for 401, waits for limits, no-push is its own case."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import aiohttp
import pytest

from custom_components.nem_flex_telemetry.github_api import (
    AuthError,
    Endpoints,
    GitHubClient,
    NoPushAccessError,
    RateLimitedError,
    RepositoryNotFoundError,
    Token,
    TransientError,
    classify,
    retry_delay,
)

from .conftest import HOUSEHOLD, LOGIN, OWNER, REPO, REPOSITORY, FakeClock, SleepRecorder, make_records
from .server import GitHubServer

HOUR = make_records("2026-07-14T01:00:00Z", 12)


async def test_user_and_noreply_email(github: GitHubServer, client: GitHubClient, http: aiohttp.ClientSession) -> None:
    user = await client.get_user()
    assert (user.login, user.id, user.name, user.email) == (LOGIN, 1001, "A Household", None)
    assert user.commit_email == f"1001+{LOGIN}@users.noreply.github.com"
    github.add_user("public", email="public@example.org")
    other = GitHubClient(http, Token(github.issue_token("public")), endpoints=Endpoints.local(github.url))
    assert (await other.get_user()).commit_email == "public@example.org"


async def test_repository_check_reports_push_access(github: GitHubServer, client: GitHubClient) -> None:
    access = await client.check_repository(REPOSITORY)
    assert (access.full_name, access.default_branch, access.can_push) == (REPOSITORY, "main", True)
    github.remove_push_access(OWNER, REPO, LOGIN)
    assert (await client.check_repository(REPOSITORY)).can_push is False
    with pytest.raises(RepositoryNotFoundError):
        await client.check_repository(f"{OWNER}/does-not-exist")


async def test_a_revoked_token_is_an_auth_error(github: GitHubServer, client: GitHubClient, token: str) -> None:
    github.revoke_token(token)
    with pytest.raises(AuthError):
        await client.publish(REPOSITORY, HOUSEHOLD, HOUR)


async def test_no_push_access_is_not_an_auth_error(github: GitHubServer, client: GitHubClient) -> None:
    github.remove_push_access(OWNER, REPO, LOGIN)
    with pytest.raises(NoPushAccessError) as caught:
        await client.publish(REPOSITORY, HOUSEHOLD, HOUR)
    assert not isinstance(caught.value, AuthError)


@pytest.mark.parametrize("status", [403, 429])
async def test_primary_rate_limit_waits_until_reset(github: GitHubServer, client: GitHubClient, status: int) -> None:
    limit = github.exhaust_rate_limit(LOGIN, status=status)
    with pytest.raises(RateLimitedError) as caught:
        await client.publish(REPOSITORY, HOUSEHOLD, HOUR)
    assert caught.value.secondary is False
    assert caught.value.retry_at == pytest.approx(limit.reset, abs=2)


async def test_secondary_rate_limit_waits_at_least_retry_after(github: GitHubServer, client: GitHubClient) -> None:
    github.secondary_limit(count=1, retry_after=120)
    before = time.time()
    with pytest.raises(RateLimitedError) as caught:
        await client.get_user()
    assert caught.value.secondary is True
    assert caught.value.retry_at >= before + 120


async def test_expiring_token_is_refreshed_and_handed_back(
    tmp_path: Path, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    async with GitHubServer(tmp_path, clock=clock, expiring_tokens=True) as server:
        server.add_user(LOGIN)
        server.create_repo(OWNER, REPO)
        server.add_collaborator(OWNER, REPO, LOGIN)
        issued = server.state.issue_token(LOGIN, ())
        token = Token(issued.value, "", issued.refresh_token, issued.expires_at)
        stored: list[Token] = []
        client = GitHubClient(
            http,
            token,
            endpoints=Endpoints.local(server.url),
            client_id=server.client_id,
            clock=clock,
            on_token_refresh=stored.append,
        )
        await client.get_user()
        assert stored == []
        clock.now += 8 * 3600  # the access token has expired
        result = await client.publish(REPOSITORY, HOUSEHOLD, HOUR)
        assert result.records_added == 12
        assert len(stored) == 1 and stored[0] == client.token and stored[0].access_token != issued.value
        assert stored[0].expires_at == clock.now + 8 * 3600


async def test_refresh_after_a_401_when_the_clock_disagrees(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    async with GitHubServer(tmp_path, expiring_tokens=True) as server:
        server.add_user(LOGIN)
        issued = server.state.issue_token(LOGIN, ())
        server.revoke_token(issued.value)  # rejected although it looks unexpired here
        token = Token(issued.value, "", issued.refresh_token, time.time() + 3600)
        client = GitHubClient(http, token, endpoints=Endpoints.local(server.url), client_id=server.client_id)
        assert (await client.get_user()).login == LOGIN
        bad = GitHubClient(
            http,
            Token("ghu_x", "", "ghr_bad", time.time() + 3600),
            endpoints=Endpoints.local(server.url),
            client_id=server.client_id,
        )
        with pytest.raises(AuthError):
            await bad.get_user()


async def test_the_token_never_appears_in_repr_or_logs(
    github: GitHubServer, client: GitHubClient, token: str, caplog: pytest.LogCaptureFixture, sleeps: SleepRecorder
) -> None:
    caplog.set_level(logging.DEBUG)
    github.fail_next(1)
    await client.publish(REPOSITORY, HOUSEHOLD, HOUR)
    await client.withdraw(REPOSITORY, HOUSEHOLD)
    github.revoke_token(token)
    with pytest.raises(AuthError) as caught:
        await client.check_repository(REPOSITORY)
    assert caplog.records  # the client does log its requests
    shown = [caplog.text, repr(client), repr(client.token), str(client.token), str(caught.value)]
    assert not any(token in text for text in shown)
    assert "access_token" not in repr(client.token)


def test_classification_of_answers() -> None:
    now = 1_000.0
    limited = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1300"}
    assert isinstance(classify(401, {}, "Bad credentials", write=False, now=now), AuthError)
    primary = classify(403, limited, "API rate limit exceeded", write=True, now=now)
    assert isinstance(primary, RateLimitedError) and primary.retry_at == 1300
    assert isinstance(
        classify(429, {}, "You have exceeded a secondary rate limit", write=False, now=now), RateLimitedError
    )
    assert isinstance(classify(404, {}, "Not Found", write=True, now=now), NoPushAccessError)
    assert isinstance(classify(403, {}, "Repository was archived", write=True, now=now), NoPushAccessError)
    assert classify(404, {}, "Not Found", write=False, now=now) is None
    assert classify(422, {}, "Update is not a fast forward", write=True, now=now) is None
    assert isinstance(classify(502, {}, "", write=False, now=now), TransientError)


def test_back_off_prefers_retry_after_then_reset_then_exponential() -> None:
    assert retry_delay({"retry-after": "30"}, 0, now=0) == 30
    assert retry_delay({"retry-after": "30"}, 0, now=0, secondary=True) == 60
    assert retry_delay({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "500"}, 0, now=100) == 400
    assert [retry_delay({}, n, now=0, jitter=lambda: 1.0) for n in range(4)] == [1, 2, 4, 8]
    assert retry_delay({}, 3, now=0, jitter=lambda: 0.0) == 4
    assert retry_delay({}, 30, now=0, jitter=lambda: 1.0) == 900
    assert retry_delay({}, 0, now=0, secondary=True) == 60


def test_token_round_trips_through_config_entry_data() -> None:
    token = Token("ghu_secret", "", "ghr_secret", 1_800_000_000.0)
    assert Token.from_dict(token.as_dict()) == token
    assert Token.from_dict({"access_token": "gho_secret"}) == Token("gho_secret")
    assert "secret" not in repr(token) and "secret" not in str(token)
    assert token.needs_refresh(1_800_000_000.0 - 299) and not token.needs_refresh(1_800_000_000.0 - 301)
    assert not Token("gho_secret").needs_refresh(1e12)  # OAuth-app tokens never expire
