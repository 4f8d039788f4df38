"""Git Data API: refs, commits, trees and blobs (what one multi-file commit is made of), and List commits."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .gitrepo import Change, GitError, GitRepo, Person
from .rest import (
    FILE_MODES,
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
    state_of,
    user_json,
    wrapped_base64,
)
from .state import Repo, ServerState, User


def _ref_json(request: web.Request, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
    return {
        "ref": ref,
        "node_id": f"REF_{sha[:12]}",
        "url": api_url(request, repo, f"git/{ref}"),
        "object": {"sha": sha, "type": "commit", "url": api_url(request, repo, f"git/commits/{sha}")},
    }


async def get_ref(request: web.Request) -> web.Response:
    repo = repo_for(request)
    ref = "refs/" + request.match_info["ref"]
    sha = repo.git.resolve(ref)
    if sha is None:
        raise not_found()
    faults = state_of(request).faults
    parents = repo.git.read_commit(sha).parents
    if faults.stale_ref_reads > 0 and parents:
        faults.stale_ref_reads -= 1
        sha = parents[0]  # GitHub's replicas can lag the latest commit by 30-60 s
    return web.json_response(_ref_json(request, repo, ref, sha))


async def get_commit(request: web.Request) -> web.Response:
    repo, sha = repo_for(request), request.match_info["sha"]
    if repo.git.object_type(sha) != "commit":
        raise not_found()
    return web.json_response(commit_json(request, repo, repo.git.text("rev-parse", sha)))


def _tree_json(request: web.Request, repo: Repo, sha: str, *, recursive: bool) -> dict[str, Any]:
    entries = []
    for e in repo.git.ls_tree(sha, recursive=recursive):
        entry: dict[str, Any] = {"path": e.path, "mode": e.mode, "type": e.type, "sha": e.sha}
        if e.type == "blob":
            entry["size"] = e.size
        kind = "blobs" if e.type == "blob" else "trees"
        entry["url"] = api_url(request, repo, f"git/{kind}/{e.sha}")
        entries.append(entry)
    return {"sha": sha, "url": api_url(request, repo, f"git/trees/{sha}"), "tree": entries, "truncated": False}


async def get_tree(request: web.Request) -> web.Response:
    repo, name = repo_for(request), request.match_info["sha"]
    sha = name if repo.git.object_type(name) == "tree" else None
    if sha is None:  # GitHub also accepts a commit sha or a branch name here
        commit = repo.git.resolve(name) or repo.git.resolve(f"refs/heads/{name}")
        sha = repo.git.read_commit(commit).tree if commit else None
    if sha is None:
        raise not_found()
    recursive = request.query.get("recursive", "") not in ("", "0", "false")
    return web.json_response(_tree_json(request, repo, repo.git.text("rev-parse", sha), recursive=recursive))


async def get_blob(request: web.Request) -> web.Response:
    repo, sha = repo_for(request), request.match_info["sha"]
    if repo.git.object_type(sha) != "blob":
        raise not_found()
    data = repo.git.read_blob(sha)
    if request.headers.get("Accept", "").startswith(RAW_TYPES):
        return web.Response(body=data, content_type="application/vnd.github.raw")
    return web.json_response(
        {
            "sha": sha,
            "node_id": f"B_{sha[:12]}",
            "size": len(data),
            "url": api_url(request, repo, f"git/blobs/{sha}"),
            "content": wrapped_base64(data),
            "encoding": "base64",
        }
    )


async def create_blob(request: web.Request) -> web.Response:
    repo = repo_for(request, write=True)
    body = await json_body(request)
    sha = repo.git.write_blob(decode_content(body.get("content"), body.get("encoding")))
    return web.json_response({"url": api_url(request, repo, f"git/blobs/{sha}"), "sha": sha}, status=201)


def _tree_change(git: GitRepo, entry: dict[str, Any]) -> tuple[str, Change]:
    path, mode, kind = entry.get("path"), entry.get("mode"), entry.get("type", "blob")
    if not isinstance(path, str) or not path or path.startswith("/"):
        raise error(422, "Invalid tree info", errors=["tree.path is missing or invalid"])
    if mode not in FILE_MODES or kind not in ("blob", "tree", "commit"):
        raise error(422, f"Invalid tree info: {path} has an invalid mode or type")
    if "content" in entry and entry.get("sha") is not None:
        raise error(422, "Must supply either tree.sha or tree.content. Request will be rejected if both are present.")
    if "content" in entry:
        return path, (str(mode), "blob", git.write_blob(str(entry["content"]).encode()))
    sha = entry.get("sha")
    if sha is None:
        return path, None
    if not isinstance(sha, str) or git.object_type(sha) != kind:
        raise error(422, "GitRPC::BadObjectState", errors=[f"tree.sha {sha} is not a valid {kind}"])
    return path, (str(mode), str(kind), sha)


async def create_tree(request: web.Request) -> web.Response:
    repo = repo_for(request, write=True)
    body = await json_body(request)
    entries, base = body.get("tree"), body.get("base_tree")
    if not isinstance(entries, list):
        raise error(422, 'Invalid request.\n\n"tree" wasn\'t supplied.')
    if base is not None and repo.git.object_type(str(base)) != "tree":
        raise error(422, "Invalid tree info", errors=["base_tree is not a valid tree"])
    changes = dict(_tree_change(repo.git, entry) for entry in entries if isinstance(entry, dict))
    sha = repo.git.apply_changes(base, changes)
    return web.json_response(_tree_json(request, repo, sha, recursive=False), status=201)


async def create_commit(request: web.Request) -> web.Response:
    repo = repo_for(request, write=True)
    body = await json_body(request)
    message, tree, parents = body.get("message"), body.get("tree"), body.get("parents", [])
    if not isinstance(message, str) or not isinstance(tree, str):
        raise error(422, 'Invalid request.\n\n"message" and "tree" are required.')
    if repo.git.object_type(tree) != "tree":
        raise error(422, "Tree SHA does not exist")
    if not isinstance(parents, list) or any(repo.git.object_type(str(p)) != "commit" for p in parents):
        raise error(422, "Parent SHA does not exist or is not a commit object")
    author = person(body.get("author"), default_person(request), "author")
    committer = person(body.get("committer"), author, "committer")
    sha = repo.git.commit_tree(tree, [str(p) for p in parents], message, author, committer)
    return web.json_response(commit_json(request, repo, sha), status=201)


async def update_ref(request: web.Request) -> web.Response:
    repo = repo_for(request, write=True)
    body = await json_body(request)
    branch = request.match_info["ref"].removeprefix("heads/")
    state = state_of(request)
    race = state.faults.races.get(repo.full_name)
    if race is not None and race.branch == branch:
        race.times -= 1
        if race.times <= 0:
            del state.faults.races[repo.full_name]
        commit_files(state, repo, branch, race.files, race.message, race.login)
    sha, force = body.get("sha"), bool(body.get("force", False))
    if not isinstance(sha, str) or repo.git.object_type(sha) != "commit":
        raise error(422, "Object does not exist")
    current = repo.git.branch_head(branch)
    if current is None:
        raise error(422, "Reference does not exist")
    if not force and not repo.git.is_ancestor(current, sha):
        raise error(422, "Update is not a fast forward")
    if not repo.git.update_branch(branch, sha, current):
        raise error(422, "Update is not a fast forward")
    return web.json_response(_ref_json(request, repo, f"refs/heads/{branch}", sha))


def commit_files(
    state: ServerState, repo: Repo, branch: str, files: Mapping[str, bytes | None], message: str, login: str
) -> str:
    """Commit ``files`` (None deletes) on ``branch`` as ``login``: how other writers change the repo."""
    git, head = repo.git, repo.git.branch_head(branch)
    base = git.read_commit(head).tree if head else None
    changes: dict[str, Change] = {
        path: None if data is None else ("100644", "blob", git.write_blob(data)) for path, data in files.items()
    }
    user = state.users.get(login) or User(login, 0)
    who = Person(
        user.name or login,
        user.email or f"{user.id}+{login}@users.noreply.github.com",
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    sha = git.commit_tree(git.apply_changes(base, changes), [head] if head else [], message, who, who)
    if not git.update_branch(branch, sha, head):
        raise GitError(f"{branch} moved while committing")
    return sha


async def list_commits(request: web.Request) -> web.Response:
    """``GET /repos/{o}/{r}/commits?sha=&path=&per_page=&page=``: newest first, like ``git log -- path``."""
    repo = repo_for(request)
    start = request.query.get("sha") or repo.default_branch
    head = repo.git.resolve(f"refs/heads/{start}") or repo.git.resolve(start)
    if head is None:
        raise error(404, f"No commit found for SHA: {start}")
    per_page = min(max(int(request.query.get("per_page", "30")), 1), 100)
    page = max(int(request.query.get("page", "1")), 1)
    args = ["log", "--format=%H", f"--skip={(page - 1) * per_page}", f"-n{per_page}", head]
    path = request.query.get("path")
    shas = repo.git.text(*args, *(["--", path] if path else [])).split()
    return web.json_response([_listed_commit(request, repo, sha) for sha in shas])


def _listed_commit(request: web.Request, repo: Repo, sha: str) -> dict[str, Any]:
    """The List-commits item shape: git data under ``commit``, GitHub accounts beside it."""
    data = commit_json(request, repo, sha)
    users = {u.email or f"{u.id}+{u.login}@users.noreply.github.com": u for u in state_of(request).users.values()}
    author, committer = users.get(data["author"]["email"]), users.get(data["committer"]["email"])
    return {
        "sha": sha,
        "node_id": data["node_id"],
        "url": api_url(request, repo, f"commits/{sha}"),
        "html_url": data["html_url"],
        "commit": {
            "author": data["author"],
            "committer": data["committer"],
            "message": data["message"],
            "tree": data["tree"],
            "url": data["url"],
            "comment_count": 0,
            "verification": data["verification"],
        },
        "author": user_json(author, base_url(request)) if author else None,
        "committer": user_json(committer, base_url(request)) if committer else None,
        "parents": data["parents"],
    }


def routes() -> list[web.RouteDef]:
    repo = "/repos/{owner}/{repo}"
    return [
        web.get(repo + "/commits", list_commits),
        web.get(repo + "/git/ref/{ref:.+}", get_ref),
        web.patch(repo + "/git/refs/{ref:.+}", update_ref),
        web.get(repo + "/git/commits/{sha}", get_commit),
        web.post(repo + "/git/commits", create_commit),
        web.get(repo + "/git/trees/{sha}", get_tree),
        web.post(repo + "/git/trees", create_tree),
        web.get(repo + "/git/blobs/{sha}", get_blob),
        web.post(repo + "/git/blobs", create_blob),
    ]
