"""Git Data API: one multi-file commit the way the client makes it, read back with git."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

from .conftest import LOGIN, OWNER, REPO, bearer, git
from .server import GitHubServer

API = f"/repos/{OWNER}/{REPO}"


async def call(
    http: aiohttp.ClientSession, server: GitHubServer, token: str, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    async with http.request(method, f"{server.url}{API}{path}", json=body, headers=bearer(token)) as response:
        return response.status, await response.json()


async def commit(
    http: aiohttp.ClientSession, server: GitHubServer, token: str, files: dict[str, str | None], message: str = "m"
) -> tuple[int, Any]:
    _, ref = await call(http, server, token, "GET", "/git/ref/heads/main")
    head = ref["object"]["sha"]
    _, head_commit = await call(http, server, token, "GET", f"/git/commits/{head}")
    entries = [
        {"path": p, "mode": "100644", "type": "blob", "sha": None}
        if c is None
        else {"path": p, "mode": "100644", "type": "blob", "content": c}
        for p, c in files.items()
    ]
    status, tree = await call(
        http, server, token, "POST", "/git/trees", {"base_tree": head_commit["tree"]["sha"], "tree": entries}
    )
    assert status == 201
    status, new = await call(
        http, server, token, "POST", "/git/commits", {"message": message, "tree": tree["sha"], "parents": [head]}
    )
    assert status == 201
    return await call(http, server, token, "PATCH", "/git/refs/heads/main", {"sha": new["sha"], "force": False})


async def test_a_multi_file_commit_is_a_real_git_commit(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    status, ref = await commit(
        http, github, token, {"data/raw/a/1.jsonl": "one\n", "data/raw/a/2.jsonl": "two\n"}, "Two files"
    )
    assert status == 200 and ref["ref"] == "refs/heads/main"
    assert git(github, "rev-parse", "main").strip() == ref["object"]["sha"]
    assert (
        git(github, "log", "--format=%s|%an|%ae", "-1", "main").strip()
        == f"Two files|A Household|1001+{LOGIN}@users.noreply.github.com"
    )
    assert git(github, "show", "main:data/raw/a/2.jsonl") == "two\n"
    assert git(github, "show", "--stat", "--format=", "main").count("jsonl") == 2
    assert git(github, "rev-list", "--count", "main").strip() == "2"


async def test_sha_null_deletes_and_empty_folders_vanish(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    await commit(http, github, token, {"data/raw/a/1.jsonl": "one\n"})
    await commit(http, github, token, {"data/raw/a/1.jsonl": None})
    assert git(github, "ls-tree", "-r", "--name-only", "main").split() == ["README.md"]


async def test_patch_that_is_not_a_fast_forward_is_rejected(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    _, ref = await call(http, github, token, "GET", "/git/ref/heads/main")
    old_head = ref["object"]["sha"]
    _, old_commit = await call(http, github, token, "GET", f"/git/commits/{old_head}")
    await commit(http, github, token, {"other.txt": "someone else\n"})
    _, stale = await call(
        http,
        github,
        token,
        "POST",
        "/git/commits",
        {"message": "stale", "tree": old_commit["tree"]["sha"], "parents": [old_head]},
    )
    status, body = await call(
        http, github, token, "PATCH", "/git/refs/heads/main", {"sha": stale["sha"], "force": False}
    )
    assert status == 422 and body["message"] == "Update is not a fast forward"
    assert git(github, "show", "main:other.txt") == "someone else\n"
    status, _ = await call(http, github, token, "PATCH", "/git/refs/heads/main", {"sha": stale["sha"], "force": True})
    assert status == 200 and git(github, "rev-parse", "main").strip() == stale["sha"]


async def test_commit_and_tree_shapes(github: GitHubServer, token: str, http: aiohttp.ClientSession) -> None:
    await commit(http, github, token, {"data/x.txt": "x\n"})
    _, ref = await call(http, github, token, "GET", "/git/ref/heads/main")
    status, head = await call(http, github, token, "GET", f"/git/commits/{ref['object']['sha']}")
    assert status == 200
    assert {"sha", "tree", "parents", "author", "committer", "message", "url", "html_url"} <= set(head)
    assert head["author"]["date"].endswith("Z") and len(head["parents"]) == 1
    status, flat = await call(http, github, token, "GET", f"/git/trees/{head['tree']['sha']}")
    assert [e["path"] for e in flat["tree"]] == ["README.md", "data"] and flat["truncated"] is False
    _, deep = await call(http, github, token, "GET", f"/git/trees/{head['tree']['sha']}?recursive=1")
    blob = next(e for e in deep["tree"] if e["path"] == "data/x.txt")
    assert blob["type"] == "blob" and blob["size"] == 2 and blob["mode"] == "100644"
    status, body = await call(http, github, token, "GET", "/git/commits/" + "0" * 40)
    assert status == 404 and body["message"] == "Not Found"


async def test_blobs_round_trip_in_base64_and_utf8(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    status, made = await call(
        http,
        github,
        token,
        "POST",
        "/git/blobs",
        {"content": base64.b64encode(b"\x00bin").decode(), "encoding": "base64"},
    )
    assert status == 201 and set(made) == {"url", "sha"}
    assert git(github, "cat-file", "-s", made["sha"]).strip() == "4"
    _, text = await call(http, github, token, "POST", "/git/blobs", {"content": "héllo", "encoding": "utf-8"})
    _, read = await call(http, github, token, "GET", f"/git/blobs/{text['sha']}")
    assert read["encoding"] == "base64" and base64.b64decode(read["content"]).decode() == "héllo"


async def test_invalid_trees_and_commits_are_422(github: GitHubServer, token: str, http: aiohttp.ClientSession) -> None:
    both = {"tree": [{"path": "a", "mode": "100644", "type": "blob", "sha": "a" * 40, "content": "x"}]}
    assert (await call(http, github, token, "POST", "/git/trees", both))[0] == 422
    missing = {"tree": [{"path": "a", "mode": "100644", "type": "blob", "sha": "a" * 40}]}
    assert (await call(http, github, token, "POST", "/git/trees", missing))[0] == 422
    status, body = await call(
        http, github, token, "POST", "/git/commits", {"message": "m", "tree": "b" * 40, "parents": []}
    )
    assert status == 422 and body["message"] == "Tree SHA does not exist"
    status, body = await call(
        http,
        github,
        token,
        "POST",
        "/git/commits",
        {"message": "m", "tree": "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "parents": [], "author": {"name": "x"}},
    )
    assert status == 422 and body["errors"][0]["code"] == "missing_field"
