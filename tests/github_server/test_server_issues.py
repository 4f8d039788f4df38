"""Issues: the author is the token's login, listing filters and pages, comments, closing."""

from __future__ import annotations

from typing import Any

import aiohttp

from .conftest import OWNER, REPO, bearer
from .server import GitHubServer

ISSUES = f"/repos/{OWNER}/{REPO}/issues"


async def open_issue(http: aiohttp.ClientSession, github: GitHubServer, token: str, **body: Any) -> dict[str, Any]:
    async with http.post(f"{github.url}{ISSUES}", json=body, headers=bearer(token)) as r:
        assert r.status == 201, await r.text()
        result: dict[str, Any] = await r.json()
        return result


async def test_the_author_is_who_holds_the_token(github: GitHubServer, http: aiohttp.ClientSession) -> None:
    github.add_user("mallory")
    issue = await open_issue(
        http, github, github.issue_token("mallory"), title="join", body="Author: alice\n", labels=["registry"]
    )
    assert issue["user"]["login"] == "mallory" and issue["state"] == "open"
    assert issue["labels"] == []  # a non-collaborator's labels are dropped, as on GitHub
    async with http.get(f"{github.url}{ISSUES}/{issue['number']}") as r:
        assert (await r.json())["body"] == "Author: alice\n"
    async with http.post(f"{github.url}{ISSUES}", json={"title": "x"}) as r:
        assert r.status == 401


async def test_listing_pages_with_link_headers(github: GitHubServer, http: aiohttp.ClientSession) -> None:
    token = github.issue_token("household")
    for n in range(7):
        await open_issue(http, github, token, title=f"issue {n}")
    seen, url = [], f"{github.url}{ISSUES}?per_page=3&direction=asc"
    while url:
        async with http.get(url) as r:
            seen += [i["number"] for i in await r.json()]
            links = r.links
            url = str(links["next"]["url"]) if "next" in links else ""
    assert seen == [1, 2, 3, 4, 5, 6, 7]


async def test_filters_and_closing(github: GitHubServer, http: aiohttp.ClientSession) -> None:
    owner_token = github.issue_token(OWNER)
    first = await open_issue(http, github, owner_token, title="a", labels=["join"])
    await open_issue(http, github, owner_token, title="b")
    async with http.get(f"{github.url}{ISSUES}?labels=join") as r:
        assert [i["title"] for i in await r.json()] == ["a"]
    comment = {"body": "Registered."}
    url = f"{github.url}{ISSUES}/{first['number']}"
    async with http.post(f"{url}/comments", json=comment, headers=bearer(owner_token)) as r:
        assert r.status == 201 and (await r.json())["user"]["login"] == OWNER
    close = {"state": "closed", "state_reason": "not_planned"}
    github.add_user("stranger")
    async with http.patch(url, json=close, headers=bearer(github.issue_token("stranger"))) as r:
        assert r.status == 403
    async with http.patch(url, json=close, headers=bearer(owner_token)) as r:
        closed = await r.json()
    assert closed["state"] == "closed" and closed["state_reason"] == "not_planned" and closed["comments"] == 1
    async with http.get(f"{github.url}{ISSUES}") as r:
        assert [i["title"] for i in await r.json()] == ["b"]
    async with http.get(f"{github.url}{ISSUES}?state=closed&since={closed['updated_at']}") as r:
        assert [i["title"] for i in await r.json()] == ["a"]
    async with http.get(f"{github.url}{ISSUES}?state=all&since=2999-01-01T00:00:00Z") as r:
        assert await r.json() == []
