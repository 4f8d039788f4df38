"""Tokens, permissions, rate limits, injected faults and the request log."""

from __future__ import annotations

import time

import aiohttp
import pytest

from .conftest import LOGIN, OWNER, REPO, bearer, git
from .server import GitHubServer

REPO_URL = f"/repos/{OWNER}/{REPO}"


async def test_user_and_bad_tokens(github: GitHubServer, token: str, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{github.url}/user", headers={"Authorization": f"token {token}"}) as response:
        user = await response.json()
    assert user["login"] == LOGIN and user["email"] is None and user["id"] == 1001
    async with http.get(f"{github.url}/user") as response:
        assert response.status == 401 and (await response.json())["message"] == "Requires authentication"
    async with http.get(f"{github.url}/user", headers=bearer("gho_unknown")) as response:
        assert response.status == 401 and (await response.json())["message"] == "Bad credentials"
        assert response.headers["x-ratelimit-limit"] == "60"  # counted as an unauthenticated caller
    github.revoke_token(token)
    async with http.get(f"{github.url}/user", headers=bearer(token)) as response:
        assert response.status == 401


async def test_repository_permissions_and_visibility(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{github.url}{REPO_URL}", headers=bearer(token)) as response:
        repo = await response.json()
    assert repo["full_name"] == f"{OWNER}/{REPO}" and repo["default_branch"] == "main"
    assert repo["permissions"] == {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True}
    github.add_user("stranger")
    stranger = github.issue_token("stranger")
    async with http.get(f"{github.url}{REPO_URL}", headers=bearer(stranger)) as response:
        assert (await response.json())["permissions"]["push"] is False
    github.create_repo(OWNER, "secret", private=True)
    async with http.get(f"{github.url}/repos/{OWNER}/secret", headers=bearer(stranger)) as response:
        assert response.status == 404


@pytest.mark.parametrize("scopes", [("public_repo",), ()])
async def test_writes_without_push_access_or_scope_are_404(
    github: GitHubServer, http: aiohttp.ClientSession, scopes: tuple[str, ...]
) -> None:
    if scopes:
        github.remove_push_access(OWNER, REPO, LOGIN)
    token = github.issue_token(LOGIN, scopes)
    async with http.post(f"{github.url}{REPO_URL}/git/blobs", json={"content": "x"}, headers=bearer(token)) as response:
        assert response.status == 404
    async with http.get(f"{github.url}{REPO_URL}/git/ref/heads/main", headers=bearer(token)) as response:
        assert response.status == 200  # reading a public repository still works


async def test_writes_to_an_archived_repository_are_403(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    github.repo(OWNER, REPO).archived = True
    async with http.post(f"{github.url}{REPO_URL}/git/blobs", json={"content": "x"}, headers=bearer(token)) as response:
        assert response.status == 403
        assert (await response.json())["message"] == "Repository was archived so is read-only."


async def test_rate_limit_headers_count_down_and_run_out(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{github.url}/user", headers=bearer(token)) as response:
        headers = response.headers
    assert headers["x-ratelimit-limit"] == "5000" and headers["x-ratelimit-remaining"] == "4999"
    assert headers["x-ratelimit-used"] == "1" and headers["x-ratelimit-resource"] == "core"
    assert int(headers["x-ratelimit-reset"]) > time.time()
    github.exhaust_rate_limit(LOGIN)
    async with http.get(f"{github.url}/user", headers=bearer(token)) as response:
        assert response.status == 403 and response.headers["x-ratelimit-remaining"] == "0"
        assert "API rate limit exceeded" in (await response.json())["message"]
    github.exhaust_rate_limit(LOGIN, status=429)
    async with http.get(f"{github.url}/user", headers=bearer(token)) as response:
        assert response.status == 429


async def test_secondary_rate_limit_has_retry_after(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    github.secondary_limit(count=1, retry_after=90)
    async with http.get(f"{github.url}/user", headers=bearer(token)) as response:
        assert response.status == 403 and response.headers["retry-after"] == "90"
        assert "secondary rate limit" in (await response.json())["message"]
    async with http.get(f"{github.url}/user", headers=bearer(token)) as response:
        assert response.status == 200


async def test_next_requests_fail_with_5xx(github: GitHubServer, token: str, http: aiohttp.ClientSession) -> None:
    github.fail_next(2, status=503)
    statuses = []
    for _ in range(3):
        async with http.get(f"{github.url}/user", headers=bearer(token)) as response:
            statuses.append(response.status)
    assert statuses == [503, 503, 200]


async def test_race_commits_between_read_and_patch(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{github.url}{REPO_URL}/git/ref/heads/main", headers=bearer(token)) as response:
        head = (await response.json())["object"]["sha"]
    async with http.get(f"{github.url}{REPO_URL}/git/commits/{head}", headers=bearer(token)) as response:
        tree = (await response.json())["tree"]["sha"]
    body = {"message": "mine", "tree": tree, "parents": [head]}
    async with http.post(f"{github.url}{REPO_URL}/git/commits", json=body, headers=bearer(token)) as response:
        mine = (await response.json())["sha"]
    github.race_next_ref_update(OWNER, REPO, {"race.txt": b"theirs\n"})
    async with http.patch(
        f"{github.url}{REPO_URL}/git/refs/heads/main", json={"sha": mine}, headers=bearer(token)
    ) as response:
        assert response.status == 422
    assert git(github, "log", "-1", "--format=%an %s", "main").strip() == "someone-else Race"


async def test_stale_reads_show_the_previous_commit(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    github.commit(OWNER, REPO, {"new.txt": b"new\n"})
    github.stale_ref_reads(1)
    shas = []
    for _ in range(2):
        async with http.get(f"{github.url}{REPO_URL}/git/ref/heads/main", headers=bearer(token)) as response:
            shas.append((await response.json())["object"]["sha"])
    assert shas == [git(github, "rev-parse", "main^").strip(), git(github, "rev-parse", "main").strip()]


async def test_down_refuses_connections_until_up_again(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    await github.set_down(True)
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http.get(f"{github.url}/user", headers=bearer(token)):
            pass
    await github.set_down(False)
    async with http.get(f"{github.url}/user", headers=bearer(token)) as response:
        assert response.status == 200


async def test_latency_and_the_request_log(github: GitHubServer, token: str, http: aiohttp.ClientSession) -> None:
    github.set_latency(0.01)
    github.clear_log()
    async with http.post(
        f"{github.url}{REPO_URL}/git/blobs", json={"content": "abc"}, headers=bearer(token)
    ) as response:
        answer = await response.read()
    (entry,) = github.log
    assert (entry.method, entry.path, entry.status) == ("POST", f"{REPO_URL}/git/blobs", 201)
    assert entry.request_bytes > 0 and entry.response_bytes == len(answer)
