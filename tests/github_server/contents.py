"""Contents API: read a file (JSON or raw) or a folder, create or update a file with its sha, delete it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .gitrepo import Change, Person
from .rest import (
    JSON_CONTENT_LIMIT,
    RAW_TYPES,
    api_url,
    base_url,
    commit_json,
    decode_content,
    default_person,
    error,
    json_body,
    not_found,
    person,
    repo_for,
    wrapped_base64,
)
from .state import Repo


def _branch(request: web.Request, repo: Repo, name: object) -> tuple[str, str]:
    branch = str(name or repo.default_branch)
    head = repo.git.branch_head(branch)
    if head is None:
        raise error(404, f"Branch {branch} not found")
    return branch, head


def _content_json(request: web.Request, repo: Repo, path: str, sha: str, size: int | None, kind: str) -> dict[str, Any]:
    html = f"{base_url(request)}/{repo.full_name}/blob/{repo.default_branch}/{path}"
    git_url = api_url(request, repo, f"git/{'blobs' if kind == 'file' else 'trees'}/{sha}")
    url = api_url(request, repo, f"contents/{path}")
    return {
        "type": kind,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "size": size or 0,
        "url": url,
        "html_url": html,
        "git_url": git_url,
        "download_url": f"{base_url(request)}/raw/{repo.full_name}/{path}" if kind == "file" else None,
        "_links": {"self": url, "git": git_url, "html": html},
    }


async def get_contents(request: web.Request) -> web.Response:
    repo = repo_for(request)
    path = request.match_info.get("path", "").strip("/")
    ref = request.query.get("ref") or repo.default_branch
    commit = repo.git.resolve(f"refs/heads/{ref}") or repo.git.resolve(ref)
    if commit is None:
        raise error(404, f"No commit found for the ref {ref}")
    entry = repo.git.path_in_tree(repo.git.read_commit(commit).tree, path)
    if entry is None:
        raise not_found()
    if entry.type == "tree":
        listing = [
            _content_json(
                request, repo, f"{path}/{e.path}".lstrip("/"), e.sha, e.size, "file" if e.type == "blob" else "dir"
            )
            for e in repo.git.ls_tree(entry.sha)
        ]
        return web.json_response(listing)
    data = repo.git.read_blob(entry.sha)
    if request.headers.get("Accept", "").startswith(RAW_TYPES):
        return web.Response(body=data, content_type="application/vnd.github.raw", headers={"ETag": f'"{entry.sha}"'})
    body = _content_json(request, repo, path, entry.sha, len(data), "file")
    large = len(data) > JSON_CONTENT_LIMIT
    body |= {"content": "" if large else wrapped_base64(data), "encoding": "none" if large else "base64"}
    return web.json_response(body)


async def put_contents(request: web.Request) -> web.Response:
    repo = repo_for(request, write=True)
    path = request.match_info["path"].strip("/")
    body = await json_body(request)
    if not isinstance(body.get("message"), str):
        raise error(422, 'Invalid request.\n\n"message" wasn\'t supplied.')
    data = decode_content(body.get("content"), "base64")
    branch, head = _branch(request, repo, body.get("branch"))
    existing = repo.git.path_in_tree(repo.git.read_commit(head).tree, path)
    given = body.get("sha")
    if existing is not None and given is None:
        raise error(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
    if given is not None and (existing is None or given != existing.sha):
        raise error(409, f"{path} does not match {given}")
    author = person(body.get("author"), default_person(request), "author")
    committer = person(body.get("committer"), author, "committer")
    sha = _commit_on(
        repo, branch, head, {path: ("100644", "blob", repo.git.write_blob(data))}, body["message"], author, committer
    )
    entry = repo.git.path_in_tree(repo.git.read_commit(sha).tree, path)
    assert entry is not None
    return web.json_response(
        {
            "content": _content_json(request, repo, path, entry.sha, entry.size, "file"),
            "commit": commit_json(request, repo, sha),
        },
        status=201 if existing is None else 200,
    )


async def delete_contents(request: web.Request) -> web.Response:
    repo = repo_for(request, write=True)
    path = request.match_info["path"].strip("/")
    body = await json_body(request)
    if not isinstance(body.get("message"), str):
        raise error(422, 'Invalid request.\n\n"message" wasn\'t supplied.')
    given = body.get("sha")
    if given is None:
        raise error(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
    branch, head = _branch(request, repo, body.get("branch"))
    existing = repo.git.path_in_tree(repo.git.read_commit(head).tree, path)
    if existing is None or existing.type != "blob":
        raise not_found()
    if given != existing.sha:
        raise error(409, f"{path} does not match {given}")
    author = person(body.get("author"), default_person(request), "author")
    committer = person(body.get("committer"), author, "committer")
    sha = _commit_on(repo, branch, head, {path: None}, body["message"], author, committer)
    return web.json_response({"content": None, "commit": commit_json(request, repo, sha)})


def _commit_on(
    repo: Repo, branch: str, head: str, changes: dict[str, Change], message: str, author: Person, committer: Person
) -> str:
    git = repo.git
    sha = git.commit_tree(git.apply_changes(git.read_commit(head).tree, changes), [head], message, author, committer)
    if not git.update_branch(branch, sha, head):
        raise error(409, f"{branch} is at a newer commit than {head}")
    return sha


def routes() -> list[web.RouteDef]:
    repo = "/repos/{owner}/{repo}"
    return [
        web.get(repo + "/contents", get_contents),
        web.get(repo + "/contents/{path:.*}", get_contents),
        web.put(repo + "/contents/{path:.+}", put_contents),
        web.delete(repo + "/contents/{path:.+}", delete_contents),
    ]
