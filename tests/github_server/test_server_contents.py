"""Contents API: read (JSON and raw), create, update with sha, stale sha, delete."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

from .conftest import OWNER, REPO, bearer, git
from .server import GitHubServer

URL = f"/repos/{OWNER}/{REPO}/contents"


async def put(
    http: aiohttp.ClientSession, server: GitHubServer, token: str, path: str, text: str, sha: str | None = None
) -> tuple[int, Any]:
    body: dict[str, Any] = {"message": f"write {path}", "content": base64.b64encode(text.encode()).decode()}
    if sha is not None:
        body["sha"] = sha
    async with http.put(f"{server.url}{URL}/{path}", json=body, headers=bearer(token)) as response:
        return response.status, await response.json()


async def test_create_update_and_delete_a_file(github: GitHubServer, token: str, http: aiohttp.ClientSession) -> None:
    status, created = await put(http, github, token, "notes/a.txt", "one\n")
    assert status == 201 and created["content"]["path"] == "notes/a.txt"
    assert git(github, "show", "main:notes/a.txt") == "one\n"
    status, body = await put(http, github, token, "notes/a.txt", "two\n")
    assert status == 422 and "sha" in body["message"]
    status, body = await put(http, github, token, "notes/a.txt", "two\n", sha="0" * 40)
    assert status == 409
    status, updated = await put(http, github, token, "notes/a.txt", "two\n", sha=created["content"]["sha"])
    assert status == 200 and updated["commit"]["parents"][0]["sha"] == created["commit"]["sha"]
    assert git(github, "show", "main:notes/a.txt") == "two\n"
    delete = {"message": "gone", "sha": updated["content"]["sha"]}
    async with http.delete(f"{github.url}{URL}/notes/a.txt", json=delete, headers=bearer(token)) as response:
        assert response.status == 200 and (await response.json())["content"] is None
    assert "notes" not in git(github, "ls-tree", "--name-only", "main")


async def test_read_a_file_as_json_or_raw_and_a_folder_as_a_list(
    github: GitHubServer, token: str, http: aiohttp.ClientSession
) -> None:
    github.commit(OWNER, REPO, {"data/raw/h/2026/07/14.jsonl": b'{"a":1}\n'})
    async with http.get(f"{github.url}{URL}/data/raw/h/2026/07/14.jsonl", headers=bearer(token)) as response:
        body = await response.json()
    assert body["type"] == "file" and body["encoding"] == "base64" and body["size"] == 8
    assert base64.b64decode(body["content"]) == b'{"a":1}\n'
    assert body["sha"] == git(github, "rev-parse", "main:data/raw/h/2026/07/14.jsonl").strip()
    raw = bearer(token) | {"Accept": "application/vnd.github.raw"}
    async with http.get(f"{github.url}{URL}/data/raw/h/2026/07/14.jsonl", headers=raw) as response:
        assert await response.read() == b'{"a":1}\n'
    async with http.get(f"{github.url}{URL}/data/raw?ref=main", headers=bearer(token)) as response:
        listing = await response.json()
    assert [(e["name"], e["type"]) for e in listing] == [("h", "dir")]
    async with http.get(f"{github.url}{URL}/data/missing.jsonl", headers=bearer(token)) as response:
        assert response.status == 404
        assert (await response.json())["message"] == "Not Found"


async def test_ref_reads_an_older_commit(github: GitHubServer, token: str, http: aiohttp.ClientSession) -> None:
    first = github.commit(OWNER, REPO, {"f.txt": b"old\n"})
    github.commit(OWNER, REPO, {"f.txt": b"new\n"})
    raw = bearer(token) | {"Accept": "application/vnd.github.raw"}
    async with http.get(f"{github.url}{URL}/f.txt?ref={first}", headers=raw) as response:
        assert await response.read() == b"old\n"
