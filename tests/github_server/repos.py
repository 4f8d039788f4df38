"""Repositories: create (``POST /user/repos``), read, rename (``PATCH``), transfer and delete."""

from __future__ import annotations

import re
import shutil
from typing import Any

from aiohttp import web

from . import git_data
from .gitrepo import GitRepo
from .rest import TOKEN, base_url, error, json_body, login_of, not_found, repo_for, state_of
from .state import DELETE_SCOPE, WRITE_SCOPES, Repo, ServerState, Token, User

NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def create(
    state: ServerState,
    owner: str,
    name: str,
    *,
    private: bool = False,
    branch: str = "main",
    files: dict[str, bytes] | None = None,
    auto_init: bool = False,
    description: str | None = None,
) -> Repo:
    """A new repository of ``owner``; ``auto_init`` makes the initial commit (otherwise it is empty)."""
    path = state.root / f"{owner}+{name}.git"
    if any(r.git.path == path for r in state.repos.values()):
        path = state.root / f"{owner}+{name}-{state.next_id()}.git"  # the old name's owner moved away
    git = GitRepo(path)
    git.init(branch)
    repo = Repo(owner, name, state.next_id(), git, branch, private, description=description)
    state.repos[repo.full_name.lower()] = repo
    state.moved.pop(repo.full_name.lower(), None)  # a new repository shadows an old name's redirect
    if (auto_init or files) and git.branch_head(branch) is None:
        readme = {"README.md": f"# {name}\n".encode()}
        git_data.commit_files(state, repo, branch, files or readme, "Initial commit", owner)
    return repo


def size_kb(repo: Repo) -> int:
    """GitHub's ``size``: kilobytes of the repository's objects."""
    if repo.reported_size_kb is not None:
        return repo.reported_size_kb
    counts = dict(line.split(": ", 1) for line in repo.git.text("count-objects", "-v").splitlines())
    return int(counts.get("size", "0")) + int(counts.get("size-pack", "0"))


def pushed_at(repo: Repo) -> str | None:
    head = repo.git.branch_head(repo.default_branch)
    return repo.git.read_commit(head).committer.date if head else None


def repo_json(request: web.Request, repo: Repo) -> dict[str, Any]:
    state, base, login = state_of(request), base_url(request), login_of(request)
    owner = state.users.get(repo.owner) or User(repo.owner, 0)
    body: dict[str, Any] = {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "owner": {"login": owner.login, "id": owner.id, "type": "User"},
        "description": repo.description,
        "html_url": f"{base}/{repo.full_name}",
        "url": f"{base}/repos/{repo.full_name}",
        "clone_url": f"{base}/{repo.full_name}.git",
        "default_branch": repo.default_branch,
        "archived": repo.archived,
        "fork": False,
        "has_issues": repo.has_issues,
        "size": size_kb(repo),
        "pushed_at": pushed_at(repo),
    }
    if login is not None:
        body["permissions"] = {
            "admin": login == repo.owner,
            "maintain": login == repo.owner,
            "push": repo.can_push(login),
            "triage": repo.can_push(login),
            "pull": True,
        }
    return body


def _signed_in(request: web.Request, *, scope: frozenset[str] = WRITE_SCOPES) -> str:
    token: Token | None = request.get(TOKEN)
    if token is None:
        raise error(401, "Requires authentication")
    if not token.is_app_token and not scope & set(token.scopes):
        raise error(403, "Resource not accessible by integration")  # GitHub's words for a missing scope
    return token.login


def _name_taken(name: str) -> web.HTTPException:
    return error(
        422,
        "Repository creation failed.",
        errors=[
            {
                "resource": "Repository",
                "code": "custom",
                "field": "name",
                "message": "name already exists on this account",
            }
        ],
    )


async def create_for_user(request: web.Request) -> web.Response:
    """``POST /user/repos``: 201 with the repository; 422 when the name exists on the account."""
    login = _signed_in(request)
    body = await json_body(request)
    name = body.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise error(
            422,
            "Repository creation failed.",
            errors=[{"resource": "Repository", "code": "missing_field", "field": "name"}],
        )
    state = state_of(request)
    if state.repo(login, name) is not None:
        raise _name_taken(name)
    private = bool(body.get("private", False))
    if private and "repo" not in request[TOKEN].scopes and not request[TOKEN].is_app_token:
        raise error(403, "Resource not accessible by integration")
    description = body.get("description")
    repo = create(
        state,
        login,
        name,
        private=private,
        auto_init=bool(body.get("auto_init", False)),
        description=description if isinstance(description, str) else None,
    )
    repo.has_issues = bool(body.get("has_issues", True))
    return web.json_response(repo_json(request, repo), status=201)


async def get_repo(request: web.Request) -> web.Response:
    return web.json_response(repo_json(request, repo_for(request)))


def _owned(request: web.Request, *, scope: frozenset[str] = WRITE_SCOPES) -> Repo:
    repo = repo_for(request)
    login = _signed_in(request, scope=scope)
    if login != repo.owner:
        raise error(403, "Must have admin rights to Repository.")
    return repo


async def delete_repo(request: web.Request) -> web.Response:
    """``DELETE /repos/{o}/{r}``: only the owner, only with the ``delete_repo`` scope; history goes with it."""
    repo = _owned(request, scope=frozenset({DELETE_SCOPE}))
    state = state_of(request)
    del state.repos[repo.full_name.lower()]
    state.moved = {old: rid for old, rid in state.moved.items() if rid != repo.id}
    shutil.rmtree(repo.git.path, ignore_errors=True)
    return web.Response(status=204)


async def update_repo(request: web.Request) -> web.Response:
    """``PATCH /repos/{o}/{r}``: rename (the old name redirects), description, visibility."""
    repo = _owned(request)
    body = await json_body(request)
    state = state_of(request)
    name = body.get("name")
    if isinstance(name, str) and name != repo.name:
        if not NAME.match(name):
            raise error(
                422, "Validation Failed", errors=[{"resource": "Repository", "code": "invalid", "field": "name"}]
            )
        if state.repo(repo.owner, name) is not None:
            raise _name_taken(name)
        state.move(repo, repo.owner, name)
    if isinstance(body.get("description"), str):
        repo.description = body["description"]
    if isinstance(body.get("private"), bool):
        repo.private = body["private"]
    return web.json_response(repo_json(request, repo))


def transfer(state: ServerState, repo: Repo, new_owner: str, new_name: str | None = None) -> None:
    """Hand the repository to another account; the old name redirects to the new one."""
    name = new_name or repo.name
    if new_owner not in state.users:
        raise LookupError(f"No user {new_owner}")
    if state.repo(new_owner, name) is not None:
        raise ValueError(f"{new_owner}/{name} exists")
    state.move(repo, new_owner, name)
    repo.collaborators.discard(new_owner)


async def transfer_repo(request: web.Request) -> web.Response:
    """``POST /repos/{o}/{r}/transfer``: 202 with the repository under its new owner."""
    repo = _owned(request)
    body = await json_body(request)
    new_owner, new_name = body.get("new_owner"), body.get("new_name")
    if not isinstance(new_owner, str):
        raise error(
            422, "Validation Failed", errors=[{"resource": "Repository", "code": "missing_field", "field": "new_owner"}]
        )
    try:
        transfer(state_of(request), repo, new_owner, new_name if isinstance(new_name, str) else None)
    except LookupError as err:
        raise not_found() from err
    except ValueError as err:
        raise error(422, "Repository transfer failed.", errors=[{"message": str(err)}]) from err
    return web.json_response(repo_json(request, repo), status=202)


def routes() -> list[web.RouteDef]:
    repo = "/repos/{owner}/{repo}"
    return [
        web.post("/user/repos", create_for_user),
        web.get(repo, get_repo),
        web.patch(repo, update_repo),
        web.delete(repo, delete_repo),
        web.post(repo + "/transfer", transfer_repo),
    ]
