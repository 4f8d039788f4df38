"""Repositories of several accounts: create, read, rename and transfer (old names redirect), delete."""

from __future__ import annotations

import aiohttp

from .conftest import bearer
from .server import GitHubServer


async def test_each_account_creates_its_own_repository(github: GitHubServer, http: aiohttp.ClientSession) -> None:
    github.add_user("alice")
    github.add_user("bob")
    for login in ("alice", "bob"):
        body = {"name": "nem-flex-telemetry-data", "description": "data", "private": False, "auto_init": True}
        async with http.post(f"{github.url}/user/repos", json=body, headers=bearer(github.issue_token(login))) as r:
            assert r.status == 201
            created = await r.json()
        assert created["full_name"] == f"{login}/nem-flex-telemetry-data"
        assert created["owner"]["login"] == login and created["private"] is False
    assert github.read_file("alice", "nem-flex-telemetry-data", "README.md") is not None
    async with http.get(f"{github.url}/repos/bob/nem-flex-telemetry-data") as r:
        shown = await r.json()
    assert shown["default_branch"] == "main" and shown["size"] >= 0 and shown["pushed_at"].endswith("Z")


async def test_a_name_taken_on_the_account_is_422(github: GitHubServer, http: aiohttp.ClientSession) -> None:
    github.add_user("alice")
    token = github.issue_token("alice")
    async with http.post(f"{github.url}/user/repos", json={"name": "data"}, headers=bearer(token)) as r:
        assert r.status == 201 and (await r.json())["pushed_at"] is None  # empty without auto_init
    async with http.post(f"{github.url}/user/repos", json={"name": "data"}, headers=bearer(token)) as r:
        assert r.status == 422
        assert (await r.json())["errors"][0]["message"] == "name already exists on this account"


async def test_rename_redirects_the_old_name(github: GitHubServer, http: aiohttp.ClientSession) -> None:
    github.create_repo("alice", "old")
    token = github.issue_token("alice")
    async with http.patch(f"{github.url}/repos/alice/old", json={"name": "new"}, headers=bearer(token)) as r:
        assert r.status == 200 and (await r.json())["full_name"] == "alice/new"
    async with http.get(f"{github.url}/repos/alice/old/contents/README.md", allow_redirects=False) as r:
        assert r.status == 301 and r.headers["Location"].endswith("/repos/alice/new/contents/README.md")
    async with http.get(f"{github.url}/repos/alice/old") as r:  # clients follow it
        assert r.status == 200 and (await r.json())["name"] == "new"
    async with http.post(
        f"{github.url}/repos/alice/old/issues", json={"title": "x"}, headers=bearer(token), allow_redirects=False
    ) as r:
        assert r.status == 307


async def test_transfer_moves_the_repository_to_another_account(
    github: GitHubServer, http: aiohttp.ClientSession
) -> None:
    github.create_repo("alice", "data")
    github.add_user("mallory")
    async with http.post(
        f"{github.url}/repos/alice/data/transfer",
        json={"new_owner": "mallory"},
        headers=bearer(github.issue_token("alice")),
    ) as r:
        assert r.status == 202 and (await r.json())["owner"]["login"] == "mallory"
    async with http.get(f"{github.url}/repos/alice/data") as r:
        assert r.status == 200 and (await r.json())["full_name"] == "mallory/data"
    github.create_repo("alice", "data")  # the old name can be taken again, and then no longer redirects
    async with http.get(f"{github.url}/repos/alice/data") as r:
        assert (await r.json())["owner"]["login"] == "alice"


async def test_only_the_owner_with_delete_repo_scope_deletes(github: GitHubServer, http: aiohttp.ClientSession) -> None:
    github.create_repo("alice", "data")
    github.add_user("bob")
    url = f"{github.url}/repos/alice/data"
    async with http.delete(url, headers=bearer(github.issue_token("alice"))) as r:
        assert r.status == 403  # public_repo is not enough
    async with http.delete(url, headers=bearer(github.issue_token("bob", ("delete_repo",)))) as r:
        assert r.status == 403
    path = github.repo("alice", "data").git.path
    async with http.delete(url, headers=bearer(github.issue_token("alice", ("public_repo", "delete_repo")))) as r:
        assert r.status == 204
    async with http.get(url) as r:
        assert r.status == 404
    assert not path.exists()
