"""Conditional requests: an ETag on GET answers; a matching If-None-Match is a 304 that costs no rate limit."""

from __future__ import annotations

import aiohttp

from .conftest import OWNER, REPO, bearer
from .server import GitHubServer


async def test_304_until_the_branch_moves_and_free_with_a_token(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    url = f"{github.url}/repos/{OWNER}/{REPO}/git/ref/heads/main"
    async with http.get(url, headers=bearer(token)) as r:
        etag, remaining = r.headers["ETag"], int(r.headers["x-ratelimit-remaining"])
    for _ in range(3):
        async with http.get(url, headers=bearer(token) | {"If-None-Match": etag}) as r:
            assert r.status == 304 and await r.read() == b""
            assert int(r.headers["x-ratelimit-remaining"]) == remaining
    github.commit(OWNER, REPO, {"raw/2026/07/14.jsonl": b"{}\n"})
    async with http.get(url, headers=bearer(token) | {"If-None-Match": etag}) as r:
        assert r.status == 200 and r.headers["ETag"] != etag
        assert int(r.headers["x-ratelimit-remaining"]) == remaining - 1


async def test_without_a_token_a_304_still_counts(github: GitHubServer, http: aiohttp.ClientSession) -> None:
    url = f"{github.url}/repos/{OWNER}/{REPO}"
    async with http.get(url) as r:
        etag, remaining = r.headers["ETag"], int(r.headers["x-ratelimit-remaining"])
    async with http.get(url, headers={"If-None-Match": etag}) as r:
        assert r.status == 304 and int(r.headers["x-ratelimit-remaining"]) == remaining - 1
