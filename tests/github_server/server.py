"""The local GitHub server: an aiohttp app on 127.0.0.1 plus a Python control API for tests.

Git commands run synchronously inside the handlers on purpose: each request then sees
and changes the repository atomically, and a test client sharing the event loop
simply waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from aiohttp import web

from . import contents, git_data, git_http, issues, oauth, repos, rest
from .oauth import STATE
from .state import LoggedRequest, Race, RateLimit, Repo, ServerState, User

DEFAULT_CLIENT_ID = "Ov23liLocalTestClient"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Set when the server stops: a request still waiting out its latency ends at once (under a frozen
# clock its sleep would never end, and the server's shutdown would wait for it for ever).
STOPPING = web.AppKey("stopping", asyncio.Event)


@web.middleware
async def log_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE]
    sent = request.content_length or 0
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        state.log.append(LoggedRequest(request.method, request.path, exc.status, sent, len(exc.text or "")))
        raise
    body = response.body if isinstance(response, web.Response) else None
    size = len(body) if isinstance(body, (bytes, bytearray)) else 0
    dropped = request.transport is None or request.transport.is_closing()
    state.log.append(LoggedRequest(request.method, request.path, 0 if dropped else response.status, sent, size))
    return response


async def _linger(request: web.Request, seconds: float) -> bool:
    """Wait ``seconds`` (listed in ``Faults.waiting`` meanwhile); True when the server stopped meanwhile."""
    faults, stopping = request.app[STATE].faults, request.app[STOPPING]
    waiting = f"{request.method} {request.path}"
    faults.waiting.append(waiting)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), seconds)
    finally:
        faults.waiting.remove(waiting)
    return stopping.is_set()


@web.middleware
async def inject_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    faults = request.app[STATE].faults
    if faults.down:
        if request.transport is not None:
            request.transport.close()  # a keep-alive connection dies mid-request
        return web.Response(status=503)
    if faults.latency and await _linger(request, faults.latency):
        return web.Response(status=503)
    if faults.fail_next > 0:
        faults.fail_next -= 1
        raise rest.error(faults.fail_status, "Server Error")
    response = await handler(request)
    if faults.answer_latency:
        await _linger(request, faults.answer_latency)  # done, but the answer is late (a client may give up)
    return response


def _rate_headers(limit: RateLimit) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(limit.limit),
        "x-ratelimit-remaining": str(limit.remaining),
        "x-ratelimit-used": str(limit.used),
        "x-ratelimit-reset": str(limit.reset),
        "x-ratelimit-resource": "core",
    }


@web.middleware
async def api_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Token check, primary and secondary rate limits and their headers, for every API path.

    A conditional request answered 304 is refunded when it carried a token, as GitHub does.
    """
    if request.path.startswith("/login/") or git_http.is_git_path(request.path):
        return await handler(request)
    state = request.app[STATE]
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    token = state.live_token(value.strip()) if scheme.lower() in ("bearer", "token") else None
    limit = state.rate_limit(token.login if token else f"ip:{request.remote}")
    if token is None:
        limit.limit = min(limit.limit, 60)  # unauthenticated callers get 60 an hour
    headers = _rate_headers(limit)
    if token is None and value:
        exc = rest.error(401, "Bad credentials")
        exc.headers.update(headers)
        raise exc
    if token is not None:
        request[rest.TOKEN] = token
        headers["X-OAuth-Scopes"] = ", ".join(token.scopes)
        headers["X-Accepted-OAuth-Scopes"] = "repo" if request.method != "GET" else ""
    if state.faults.secondary_next > 0:
        state.faults.secondary_next -= 1
        exc = rest.error(
            403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
            "If you reach out to GitHub Support for help, please include the request ID.",
        )
        exc.headers.update(headers | {"retry-after": str(state.faults.secondary_retry_after)})
        raise exc
    if limit.remaining == 0:
        user = state.users.get(token.login) if token else None
        who = f"user ID {user.id}" if user else str(request.remote)
        exc = rest.error(limit.over_limit_status, f"API rate limit exceeded for {who}.")
        exc.headers.update(headers)
        raise exc
    limit.used += 1
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(headers | _rate_headers(limit))
        raise
    if response.status == 304 and token is not None:
        limit.used -= 1
    response.headers.update(headers | _rate_headers(limit))
    return response


@web.middleware
async def conditional(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An ``ETag`` on every JSON or raw GET answer; ``If-None-Match`` with it gets an empty 304."""
    response = await handler(request)
    body = response.body if isinstance(response, web.Response) else None
    if request.method not in ("GET", "HEAD") or response.status != 200 or not isinstance(body, bytes):
        return response
    etag = response.headers.get("ETag") or f'W/"{hashlib.sha256(body).hexdigest()[:40]}"'
    response.headers["ETag"] = etag
    wanted = {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}
    if etag in wanted or etag.removeprefix("W/") in {t.removeprefix("W/") for t in wanted}:
        return web.Response(status=304, headers={"ETag": etag})
    return response


class GitHubServer:
    """GitHub's device flow, REST user/repo/git-data/contents API, backed by bare repos under ``root``."""

    def __init__(
        self,
        root: Path,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        expiring_tokens: bool = False,
        device_interval: int = 5,
        device_expires_in: int = 900,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.root = root
        self.host, self.port = host, port
        self.state = ServerState(
            client_id=client_id,
            root=root,
            clock=clock,
            expiring_tokens=expiring_tokens,
            device_interval=device_interval,
            device_expires_in=device_expires_in,
        )
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._stopping = asyncio.Event()

    # Lifecycle -----------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(
            middlewares=[log_requests, inject_faults, api_auth, conditional], client_max_size=200 * 1024**2
        )
        app[STATE] = self.state
        app[STOPPING] = self._stopping
        app.add_routes(
            oauth.routes()
            + rest.routes()
            + repos.routes()
            + git_data.routes()
            + contents.routes()
            + issues.routes()
            + git_http.routes()
        )
        return app

    async def start(self) -> str:
        self._stopping.clear()
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        await self._listen()
        return self.url

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await self._site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = self._site = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # World ---------------------------------------------------------------
    @property
    def client_id(self) -> str:
        return self.state.client_id

    def add_user(self, login: str, *, name: str | None = None, email: str | None = None) -> User:
        user = User(login, self.state.next_id(), name, email)
        self.state.users[login] = user
        return user

    def create_repo(
        self,
        owner: str,
        name: str,
        *,
        private: bool = False,
        branch: str = "main",
        files: dict[str, bytes] | None = None,
    ) -> Repo:
        """A repository with one initial commit (GitHub's "Initialize with a README")."""
        if owner not in self.state.users:
            self.add_user(owner)
        return repos.create(self.state, owner, name, private=private, branch=branch, files=files, auto_init=True)

    def repo(self, owner: str, name: str) -> Repo:
        repo = self.state.repo(owner, name)
        if repo is None:
            raise LookupError(f"No repository {owner}/{name}")
        return repo

    def rename_repo(self, owner: str, name: str, new_name: str) -> Repo:
        """Rename as the owner would in the settings; the old name redirects."""
        repo = self.repo(owner, name)
        self.state.move(repo, owner, new_name)
        return repo

    def transfer_repo(self, owner: str, name: str, new_owner: str) -> Repo:
        """Hand the repository to ``new_owner`` (added if unknown); the old name redirects."""
        if new_owner not in self.state.users:
            self.add_user(new_owner)
        repo = self.repo(owner, name)
        repos.transfer(self.state, repo, new_owner)
        return repo

    def delete_repo(self, owner: str, name: str) -> None:
        """Delete as the owner would on GitHub's settings page: the history goes too."""
        repo = self.repo(owner, name)
        del self.state.repos[repo.full_name.lower()]
        shutil.rmtree(repo.git.path, ignore_errors=True)

    def git_url(self, owner: str, name: str) -> str:
        return f"{self.url}/{owner}/{name}.git"

    def add_collaborator(self, owner: str, name: str, login: str) -> None:
        self.repo(owner, name).collaborators.add(login)

    def remove_push_access(self, owner: str, name: str, login: str) -> None:
        self.repo(owner, name).collaborators.discard(login)

    def commit(
        self, owner: str, name: str, files: dict[str, bytes | None], *, message: str = "Edit", login: str | None = None
    ) -> str:
        """Another writer's commit on the default branch (None deletes a file); returns its sha."""
        repo = self.repo(owner, name)
        return git_data.commit_files(self.state, repo, repo.default_branch, files, message, login or owner)

    # Tokens and the device flow -----------------------------------------
    def issue_token(self, login: str, scopes: tuple[str, ...] = ("public_repo",)) -> str:
        """A token as if ``login`` had completed the device flow."""
        return self.state.issue_token(login, scopes).value

    def revoke_token(self, token: str) -> None:
        self.state.tokens[token].revoked = True

    def pending_user_codes(self) -> list[str]:
        now = self.state.clock()
        return [d.user_code for d in self.state.devices.values() if d.state == "pending" and now < d.expires_at]

    def approve(self, user_code: str, login: str | None = None) -> None:
        oauth.decide(self.state, user_code, approve=True, login=login)

    def deny(self, user_code: str) -> None:
        oauth.decide(self.state, user_code, approve=False)

    # Faults --------------------------------------------------------------
    def set_latency(self, seconds: float) -> None:
        self.state.faults.latency = seconds

    def set_answer_latency(self, seconds: float) -> None:
        """Handle each request at once but hold its answer back (a client that gives up meanwhile loses it)."""
        self.state.faults.answer_latency = seconds

    @property
    def waiting(self) -> list[str]:
        """``"METHOD /path"`` of the requests waiting out a latency (before or after being handled)."""
        return list(self.state.faults.waiting)

    def fail_next(self, count: int, status: int = 502) -> None:
        self.state.faults.fail_next, self.state.faults.fail_status = count, status

    def secondary_limit(self, count: int = 1, retry_after: int = 60) -> None:
        self.state.faults.secondary_next, self.state.faults.secondary_retry_after = count, retry_after

    def exhaust_rate_limit(self, login: str, *, status: int = 403) -> RateLimit:
        limit = self.state.rate_limit(login)
        limit.used, limit.over_limit_status = limit.limit, status
        return limit

    def race_next_ref_update(
        self,
        owner: str,
        name: str,
        files: dict[str, bytes | None],
        *,
        login: str = "someone-else",
        message: str = "Race",
        times: int = 1,
    ) -> None:
        """Just before each of the next ``times`` PATCHes of the default branch, ``login`` commits ``files``."""
        repo = self.repo(owner, name)
        if login not in self.state.users:
            self.add_user(login)
        self.state.faults.races[repo.full_name] = Race(repo.default_branch, files, message, login, times)

    def stale_ref_reads(self, count: int) -> None:
        """The next ``count`` reads of a branch show its previous commit (replication lag)."""
        self.state.faults.stale_ref_reads = count

    async def set_down(self, down: bool) -> None:
        """Refuse new connections and cut existing ones (``True``), or listen again on the same port."""
        self.state.faults.down = down
        if down and self._site is not None:
            await self._site.stop()
            self._site = None
        elif not down and self._site is None and self._runner is not None:
            await self._listen()

    # Introspection ------------------------------------------------------
    @property
    def log(self) -> list[LoggedRequest]:
        return self.state.log

    def clear_log(self) -> None:
        self.state.log.clear()

    def read_file(self, owner: str, name: str, path: str) -> bytes | None:
        """A file at the head of the default branch, read with git; None when absent."""
        git = self.repo(owner, name).git
        head = git.branch_head(self.repo(owner, name).default_branch)
        entry = git.path_in_tree(git.read_commit(head).tree, path) if head else None
        return git.read_blob(entry.sha) if entry and entry.type == "blob" else None
