"""Shared pieces of the REST API (errors, access checks, JSON shapes) and the user and repository endpoints."""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from aiohttp import web

from .gitrepo import Person
from .oauth import STATE
from .state import WRITE_SCOPES, Repo, ServerState, Token, User

DOCS = "https://docs.github.com/rest"
RAW_TYPES = ("application/vnd.github.raw", "application/vnd.github.v3.raw")
FILE_MODES = ("100644", "100755", "040000", "160000", "120000")
JSON_CONTENT_LIMIT = 1024 * 1024  # larger files need the raw media type
# aiohttp 3.14 types request storage with RequestKey; the aiohttp of HA 2026.1 (3.13) has none, and a str key
# works on both.
TOKEN: web.RequestKey[Token] | str = web.RequestKey("token", Token) if hasattr(web, "RequestKey") else "token"


class ApiError(web.HTTPException):
    """An error answer with any status; raising it also skips the rest of the handler."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status_code = status
        super().__init__(text=json.dumps(body), content_type="application/json")


def error(status: int, message: str, **extra: Any) -> web.HTTPException:
    """GitHub's error body: message, documentation_url and the status as a string."""
    return ApiError(status, {"message": message, "documentation_url": DOCS, "status": str(status), **extra})


def not_found() -> web.HTTPException:
    return error(404, "Not Found")


def state_of(request: web.Request) -> ServerState:
    return request.app[STATE]


def login_of(request: web.Request) -> str | None:
    token = request.get(TOKEN)
    return token.login if token is not None else None


def user_json(user: User, base: str) -> dict[str, Any]:
    return {
        "login": user.login,
        "id": user.id,
        "node_id": f"U_{user.id}",
        "avatar_url": f"{base}/avatars/{user.login}",
        "url": f"{base}/users/{user.login}",
        "html_url": f"{base}/{user.login}",
        "type": "User",
        "site_admin": False,
        "name": user.name,
        "email": user.email,
    }


def base_url(request: web.Request) -> str:
    return str(request.url.origin())


async def get_user(request: web.Request) -> web.Response:
    login = login_of(request)
    if login is None:
        raise error(401, "Requires authentication")
    return web.json_response(user_json(state_of(request).users[login], base_url(request)))


def repo_for(request: web.Request, *, write: bool = False) -> Repo:
    """The repository in the path; 404 when the caller may not see it (or, for writes, push to it).

    A renamed or transferred repository's old name answers 301 (GET) or 307 (other methods) to the new one.
    """
    state, login = state_of(request), login_of(request)
    owner, name = request.match_info["owner"], request.match_info["repo"]
    repo = state.repo(owner, name)
    if repo is None and (moved := state.moved_repo(owner, name)) is not None and moved.can_see(login):
        raise moved_permanently(request, owner, name, moved)
    if repo is None or not repo.can_see(login):
        raise not_found()
    if write:
        token = request.get(TOKEN)
        if token is None:
            raise error(401, "Requires authentication")
        scoped = token.is_app_token or bool(WRITE_SCOPES & set(token.scopes))
        if not repo.can_push(login) or not scoped:
            raise not_found()  # GitHub hides what you cannot write to behind a 404
        if repo.archived:
            raise error(403, "Repository was archived so is read-only.")
    return repo


def moved_permanently(request: web.Request, owner: str, name: str, repo: Repo) -> web.HTTPException:
    old = f"/repos/{owner}/{name}"
    target = str(request.url.with_path(f"/repos/{repo.full_name}{request.path[len(old) :]}"))
    status = 301 if request.method in ("GET", "HEAD") else 307
    exc = ApiError(status, {"message": "Moved Permanently", "url": target, "documentation_url": DOCS})
    exc.headers["Location"] = target
    return exc


def api_url(request: web.Request, repo: Repo, tail: str) -> str:
    return f"{base_url(request)}/repos/{repo.full_name}/{tail}"


def commit_json(request: web.Request, repo: Repo, sha: str) -> dict[str, Any]:
    commit = repo.git.read_commit(sha)

    def person(p: Person) -> dict[str, str]:
        return {"name": p.name, "email": p.email, "date": p.date}

    return {
        "sha": sha,
        "node_id": f"C_{sha[:12]}",
        "url": api_url(request, repo, f"git/commits/{sha}"),
        "html_url": f"{base_url(request)}/{repo.full_name}/commit/{sha}",
        "author": person(commit.author),
        "committer": person(commit.committer),
        "message": commit.message,
        "tree": {"sha": commit.tree, "url": api_url(request, repo, f"git/trees/{commit.tree}")},
        "parents": [
            {"sha": p, "url": api_url(request, repo, f"git/commits/{p}"), "html_url": f"{base_url(request)}/{p}"}
            for p in commit.parents
        ],
        "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
    }


def wrapped_base64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as err:
        raise error(400, "Problems parsing JSON") from err
    if not isinstance(body, dict):
        raise error(400, "Problems parsing JSON")
    return body


def decode_content(content: object, encoding: object) -> bytes:
    if not isinstance(content, str):
        raise error(422, 'Invalid request.\n\n"content" wasn\'t supplied.')
    if encoding in (None, "utf-8"):
        return content.encode()
    if encoding != "base64":
        raise error(422, f"encoding {encoding} is not supported")
    try:
        return base64.b64decode(content, validate=False)
    except binascii.Error as err:
        raise error(422, "content is not valid Base64") from err


def person(value: object, fallback: Person, field: str) -> Person:
    if value is None:
        return fallback
    if not isinstance(value, dict) or not value.get("name") or not value.get("email"):
        raise error(422, "Invalid request.", errors=[{"resource": "Commit", "field": field, "code": "missing_field"}])
    return Person(str(value["name"]), str(value["email"]), str(value.get("date") or fallback.date))


def default_person(request: web.Request) -> Person:
    user = state_of(request).users[login_of(request) or ""]
    email = user.email or f"{user.id}+{user.login}@users.noreply.github.com"
    return Person(user.name or user.login, email, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def routes() -> list[web.RouteDef]:
    return [web.get("/user", get_user)]
