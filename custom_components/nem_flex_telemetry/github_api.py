"""GitHub client for publishing telemetry: device-flow login, account checks, one commit per flush.

Pure aiohttp + asyncio (no Home Assistant imports): the caller passes its ``ClientSession``.
Errors are classified so the caller knows what to do next:

- ``AuthError``: the token is gone (revoked, expired without refresh) -> start reauth;
- ``RateLimitedError``: wait until ``retry_at`` -> never a reason to reauth;
- ``NoPushAccessError``: the account may not write to the repository;
- ``RepositoryNotFoundError``: the repository does not exist or is not visible;
- ``TransientError``: 5xx, timeouts, dropped connections, a branch that kept moving -> retry later;
- ``RepositoryExistsError``: creating a repository whose name the account already uses;
- ``publish_plan.UntrustedDayFileError``: a remote day file holds something other than our records.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

import aiohttp

from .data_repo import DESCRIPTION, HOUSEHOLD_FILE, RAW_FOLDER, README_FILE, readme_after_leaving
from .github_auth import (
    GITHUB,
    GITHUB_API_URL,
    GITHUB_WEB_URL,
    OAUTH_CLIENT_ID,
    OAUTH_SCOPE,
    AccessDeniedError,
    AuthError,
    Clock,
    DeviceCode,
    DeviceCodeExpiredError,
    DeviceFlowError,
    DeviceFlowMisconfiguredError,
    Endpoints,
    GitHubError,
    Sleep,
    Token,
    TransientError,
    refresh_access_token,
    request_device_code,
    wait_for_token,
)
from .publish_plan import MergedFile, commit_message, merge_day_file, plan_day_files

__all__ = [
    "GITHUB",
    "GITHUB_API_URL",
    "GITHUB_WEB_URL",
    "OAUTH_CLIENT_ID",
    "OAUTH_SCOPE",
    "AccessDeniedError",
    "AuthError",
    "DeviceCode",
    "DeviceCodeExpiredError",
    "DeviceFlowError",
    "DeviceFlowMisconfiguredError",
    "Endpoints",
    "FlushStats",
    "GitHubClient",
    "GitHubError",
    "GitHubUser",
    "NoPushAccessError",
    "PublishResult",
    "RateLimitedError",
    "RepositoryAccess",
    "RepositoryExistsError",
    "RepositoryNotFoundError",
    "Token",
    "TransientError",
    "classify",
    "conflict_delay",
    "refresh_access_token",
    "request_device_code",
    "retry_delay",
    "wait_for_token",
]

_LOGGER = logging.getLogger(__name__)

API_VERSION: Final = "2022-11-28"
RAW_MEDIA_TYPE: Final = "application/vnd.github.raw"
SECONDARY_MIN_WAIT: Final = 60.0
ISSUES_PAGE: Final = 100  # GitHub's largest page


class NoPushAccessError(GitHubError):
    """The account cannot write to the repository (GitHub answers 404, sometimes 403, on such writes)."""


class RepositoryNotFoundError(GitHubError):
    """The repository does not exist, or this account cannot see it."""


class RepositoryExistsError(GitHubError):
    """The account already has a repository of that name (GitHub answers 422)."""


class RateLimitedError(GitHubError):
    """A primary or secondary rate limit: nothing is wrong with the token; wait until ``retry_at``."""

    def __init__(self, message: str, retry_at: float, *, secondary: bool) -> None:
        super().__init__(message)
        self.retry_at = retry_at
        self.secondary = secondary


# Classification and back-off ------------------------------------------------
def retry_delay(
    headers: Mapping[str, str],
    attempt: int,
    *,
    now: float,
    secondary: bool = False,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait: ``retry-after``, else until ``x-ratelimit-reset`` when none remain,
    else exponential (1, 2, 4 ... s, capped at 15 min) with jitter; at least 60 s for a secondary limit.
    """
    floor = SECONDARY_MIN_WAIT if secondary else 0.0
    retry_after = headers.get("retry-after")
    if retry_after is not None and retry_after.strip().isdigit():
        return max(float(retry_after), floor)
    reset = headers.get("x-ratelimit-reset")
    if headers.get("x-ratelimit-remaining") == "0" and reset is not None and reset.strip().isdigit():
        return max(float(reset) - now, 1.0, floor)
    base = min(2.0**attempt, 900.0)
    return max(base * (0.5 + jitter() / 2), floor)


# The branch moved under a commit (422 "not a fast forward", 409): another writer won the round.
# Each retry re-reads the head and commits again (about 6 requests), and of N writers that commit
# at the same moment about one wins per round, so the last one needs about N rounds. Full jitter
# over a doubling window (0.5 s, 1 s ... capped at 30 s) spreads the losers apart; 15 attempts
# wait at most 302 s in all (about 150 s on average), well inside the hour between flushes. 30
# simultaneous writers at 150 ms per request all succeed, the last after about 10 attempts and
# 100 s (scripts/bench_conflicts.py), so 15 leaves a margin for a larger crowd.
CONFLICT_ATTEMPTS: Final = 15
CONFLICT_FIRST_WINDOW: Final = 0.5
CONFLICT_MAX_WINDOW: Final = 30.0


def conflict_delay(attempt: int, jitter: Callable[[], float] = random.random) -> float:
    """Seconds to wait after conflict number ``attempt`` (0-based) before reading the branch again."""
    return min(CONFLICT_FIRST_WINDOW * 2.0**attempt, CONFLICT_MAX_WINDOW) * jitter()


def classify(
    status: int, headers: Mapping[str, str], message: str, *, write: bool, now: float, attempt: int = 0
) -> GitHubError | None:
    """The error an answer means, or None when the caller should look at it (2xx, 404 on reads, 409, 422)."""
    limited = status in (403, 429) and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers or "rate limit" in message.lower()
    )
    if limited:
        secondary = "secondary" in message.lower() or "retry-after" in headers
        delay = retry_delay(headers, attempt, now=now, secondary=secondary)
        return RateLimitedError(f"GitHub rate limit: {message}", now + delay, secondary=secondary)
    if status == 401:
        return AuthError(f"GitHub rejected the token: {message}")
    if status in (403, 404) and write:
        return NoPushAccessError(f"This account cannot write to the repository ({status} {message})")
    if status == 403:
        return NoPushAccessError(f"GitHub refused access ({message})")
    if status >= 500:
        return TransientError(f"GitHub answered {status}", now + retry_delay(headers, attempt, now=now))
    return None


# Results ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GitHubUser:
    """The token's account; commits are authored as this user."""

    login: str
    id: int
    name: str | None
    email: str | None

    @property
    def commit_email(self) -> str:
        """The public email, or GitHub's noreply address when the email is private."""
        return self.email or f"{self.id}+{self.login}@users.noreply.github.com"


@dataclass(frozen=True, slots=True)
class RepositoryAccess:
    full_name: str
    default_branch: str
    can_push: bool
    private: bool
    html_url: str = ""


@dataclass(frozen=True, slots=True)
class Issue:
    """An issue this account opened (title and body as GitHub holds them, when read back)."""

    number: int
    html_url: str
    title: str = ""
    body: str | None = None


@dataclass(slots=True)
class FlushStats:
    """What one operation cost: HTTP requests (retries included) and body bytes each way."""

    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    retries: int = 0


@dataclass(frozen=True, slots=True)
class PublishResult:
    """``commit_sha`` is None when there was nothing new to commit."""

    commit_sha: str | None
    files: tuple[str, ...]
    records_added: int
    stats: FlushStats


class _ConflictError(Exception):
    """The branch moved (422 not a fast forward, 409): re-read and retry."""


@dataclass(slots=True)
class _Answer:
    status: int
    body: Any


def _access(body: Mapping[str, Any]) -> RepositoryAccess:
    permissions = body.get("permissions") or {}
    return RepositoryAccess(
        full_name=str(body["full_name"]),
        default_branch=str(body.get("default_branch") or "main"),
        can_push=bool(permissions.get("push")),
        private=bool(body.get("private")),
        html_url=str(body.get("html_url", "")),
    )


# The client ---------------------------------------------------------------------
class GitHubClient:
    """Talks to the GitHub REST API as one user; one instance per config entry."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token: Token,
        *,
        endpoints: Endpoints = GITHUB,
        client_id: str = OAUTH_CLIENT_ID,
        on_token_refresh: Callable[[Token], None] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.time,
        attempts: int = 4,
        conflict_attempts: int = CONFLICT_ATTEMPTS,
        timeout: float = 30.0,
    ) -> None:
        self._session = session
        self._token = token
        self._endpoints = endpoints
        self._client_id = client_id
        self._on_token_refresh = on_token_refresh
        self._sleep = sleep
        self._clock = clock
        self._attempts = attempts
        self._conflict_attempts = conflict_attempts
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._user: GitHubUser | None = None
        self._stats = FlushStats()
        # Reads may lag a commit of ours by 30-60 s: remember (parent, commit) of our last one.
        self._last_commit: tuple[str, str] | None = None
        # Day files of our last commit: path -> (commit, text). Saves downloading a file that
        # grows to ~370 KB by midnight every hour, when no one else has touched it since.
        self._written: dict[str, tuple[str, str]] = {}

    def __repr__(self) -> str:
        return f"GitHubClient(api={self._endpoints.api!r})"

    @property
    def token(self) -> Token:
        return self._token

    # HTTP -----------------------------------------------------------------
    async def _request(
        self, method: str, path: str, *, body: Any = None, raw: bool = False, write: bool = False
    ) -> _Answer:
        """One API call with retries for transient failures; raises the classified error otherwise."""
        refreshed = False
        for attempt in range(self._attempts):
            await self._refresh_if_due()
            error: GitHubError
            try:
                answer, headers, message = await self._send(method, path, body, raw)
            except (aiohttp.ClientError, TimeoutError) as err:
                error, headers = TransientError(f"{method} {path}: {type(err).__name__}"), {}
            else:
                classified = classify(answer.status, headers, message, write=write, now=self._clock(), attempt=attempt)
                if classified is None:
                    return answer
                error = classified
            if isinstance(error, AuthError) and not refreshed and self._token.refresh_token is not None:
                refreshed = True
                await self._refresh()
                continue
            if not isinstance(error, TransientError) or attempt + 1 == self._attempts:
                raise error
            self._stats.retries += 1
            await self._sleep(retry_delay(headers, attempt, now=self._clock()))
        raise TransientError(f"{method} {path} kept failing")  # unreachable with attempts >= 1

    async def _send(self, method: str, path: str, body: Any, raw: bool) -> tuple[_Answer, dict[str, str], str]:
        data = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        headers = {
            "Authorization": f"Bearer {self._token.access_token}",
            "Accept": RAW_MEDIA_TYPE if raw else "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        self._stats.requests += 1
        self._stats.bytes_sent += len(data or b"")
        async with self._session.request(
            method, f"{self._endpoints.api}{path}", data=data, headers=headers, timeout=self._timeout
        ) as response:
            content = await response.read()
        self._stats.bytes_received += len(content)
        _LOGGER.debug("%s %s -> %s (%d bytes)", method, path, response.status, len(content))
        lowered = {key.lower(): value for key, value in response.headers.items()}
        if raw and response.status < 300:
            return _Answer(response.status, content), lowered, ""
        try:
            parsed = json.loads(content) if content else None
        except ValueError:
            parsed = None
        message = str(parsed.get("message", "")) if isinstance(parsed, dict) else content[:200].decode(errors="replace")
        return _Answer(response.status, parsed), lowered, message

    async def _refresh_if_due(self) -> None:
        if self._token.needs_refresh(self._clock()):
            await self._refresh()

    async def _refresh(self) -> None:
        self._token = await refresh_access_token(
            self._session, self._token, endpoints=self._endpoints, client_id=self._client_id, clock=self._clock
        )
        if self._on_token_refresh is not None:
            self._on_token_refresh(self._token)

    async def _json(self, method: str, path: str, body: Any = None, *, write: bool = False) -> Any:
        answer = await self._request(method, path, body=body, write=write)
        if answer.status == 404:
            raise RepositoryNotFoundError(f"Not found: {path}")
        message = str(answer.body.get("message", "")) if isinstance(answer.body, dict) else ""
        if method == "PATCH" and answer.status in (409, 422):
            raise _ConflictError(message)
        if answer.status >= 400:
            raise GitHubError(f"{method} {path} answered {answer.status}: {message}")
        return answer.body

    # Account ----------------------------------------------------------------
    async def get_user(self) -> GitHubUser:
        """The token's account (cached for the client's life)."""
        if self._user is None:
            body = await self._json("GET", "/user")
            self._user = GitHubUser(str(body["login"]), int(body["id"]), body.get("name"), body.get("email"))
        return self._user

    async def check_repository(self, repository: str) -> RepositoryAccess:
        """Whether ``owner/name`` exists for this account and it may push (``permissions.push``)."""
        return _access(await self._json("GET", f"/repos/{repository}"))

    async def create_repository(self, name: str) -> RepositoryAccess:
        """A new public repository ``name`` in this account, with GitHub's initial README commit.

        ``auto_init``: the git data API refuses a repository without commits, so it needs one.
        """
        body = {"name": name, "description": DESCRIPTION, "private": False, "auto_init": True}
        body |= {"has_issues": True, "has_wiki": False, "has_projects": False}
        answer = await self._request("POST", "/user/repos", body=body, write=True)
        if answer.status == 422:
            raise RepositoryExistsError(f"This account already has a repository named {name}")
        if answer.status >= 400 or not isinstance(answer.body, dict):
            raise GitHubError(f"Creating {name} answered {answer.status}")
        return _access(answer.body)

    async def read_file(self, repository: str, path: str, *, branch: str = "main") -> bytes | None:
        """A file at the branch head; None when it, the branch or any commit is missing (an empty repository)."""
        answer = await self._request("GET", f"/repos/{repository}/contents/{path}?ref={branch}", raw=True)
        if answer.status in (404, 409):  # GitHub answers 404 (or 409 "empty") on a repository without commits
            return None
        if answer.status >= 400 or not isinstance(answer.body, bytes):
            raise GitHubError(f"Reading {path} answered {answer.status}")
        return answer.body

    async def root_names(self, repository: str, *, branch: str = "main") -> list[str] | None:
        """Names at the top of the branch head; None when the repository has no commit yet."""
        answer = await self._request("GET", f"/repos/{repository}/contents?ref={branch}")
        if answer.status in (404, 409):  # GitHub answers 404 "This repository is empty." (or 409)
            return None
        if answer.status >= 400 or not isinstance(answer.body, list):
            raise GitHubError(f"Listing {repository} answered {answer.status}")
        return [str(entry.get("name", "")) for entry in answer.body if isinstance(entry, dict)]

    async def open_issues_by(self, repository: str, creator: str) -> list[Issue]:
        """The open issues ``creator`` opened on ``repository``, newest first (one page: a household opens few)."""
        query = urlencode({"state": "open", "creator": creator, "per_page": ISSUES_PAGE})
        answer = await self._json("GET", f"/repos/{repository}/issues?{query}")
        return [
            Issue(
                int(item["number"]),
                str(item.get("html_url", "")),
                str(item.get("title") or ""),
                item["body"] if isinstance(item.get("body"), str) else None,
            )
            for item in (answer if isinstance(answer, list) else [])
            if isinstance(item, dict) and "pull_request" not in item  # GitHub lists pull requests as issues too
        ]

    async def open_issue(self, repository: str, title: str, body: str) -> Issue:
        """Open an issue (any account may on a public repository with issues enabled)."""
        answer = await self._json("POST", f"/repos/{repository}/issues", {"title": title, "body": body}, write=True)
        return Issue(int(answer["number"]), str(answer.get("html_url", "")))

    async def write_files(
        self, repository: str, files: Mapping[str, str | None], message: str, *, branch: str = "main"
    ) -> str | None:
        """Write (text) or delete (None) files in one commit; None when the head already matches.

        A repository without commits gets its first one through the contents API (the git data
        API refuses empty repositories), then the rest in one git-data commit.
        """
        self._stats = FlushStats()
        user = await self.get_user()
        if await self.root_names(repository, branch=branch) is None:
            await self._first_commit(repository, branch, user)
        for attempt in range(self._conflict_attempts):
            head, tree = await self._branch_head(repository, branch)
            entries: list[dict[str, Any]] = []
            for path, text in files.items():
                current = await self._read_file(repository, path, head)
                if text is None and current is not None:
                    entries.append({"path": path, "mode": "100644", "type": "blob", "sha": None})
                elif text is not None and current != text.encode():
                    entries.append({"path": path, "mode": "100644", "type": "blob", "content": text})
            if not entries:
                return None
            try:
                sha = await self._commit(repository, branch, head, tree, entries, message, user)
            except _ConflictError:
                await self._after_conflict(attempt)
                continue
            self._written = {}
            return sha
        raise TransientError(f"{repository}@{branch} kept moving; {self._conflict_attempts} attempts failed")

    async def _first_commit(self, repository: str, branch: str, user: GitHubUser) -> None:
        """Create the branch of an empty repository with a placeholder README (replaced right after)."""
        author = {"name": user.name or user.login, "email": user.commit_email}
        content = base64.b64encode(b"# NEM Flex Telemetry data\n").decode()
        body = {"message": "Start the data repository", "content": content, "branch": branch, "author": author}
        answer = await self._request("PUT", f"/repos/{repository}/contents/{README_FILE}", body=body, write=True)
        if answer.status >= 400:
            raise GitHubError(f"Starting {repository} answered {answer.status}")

    # Publishing ---------------------------------------------------------------
    async def publish(
        self, repository: str, household_id: str, records: Iterable[Mapping[str, Any]], *, branch: str = "main"
    ) -> PublishResult:
        """Commit the records (merged into their day files) to ``branch`` in one commit.

        Records already in the repository for their interval are left as they are, so
        publishing the same batch twice changes nothing. Raises ``record.RecordInvalidError``
        (before any request) for an invalid record, then the errors in the module docstring.
        """
        plan = plan_day_files(household_id, records)
        self._stats = FlushStats()
        if not plan:
            return PublishResult(None, (), 0, self._stats)
        user = await self.get_user()
        for attempt in range(self._conflict_attempts):
            head, tree = await self._branch_head(repository, branch)
            entries: list[dict[str, Any]] = []
            added: list[str] = []
            for path, lines in plan.items():
                merged = await self._merge(path, await self._current_text(repository, path, head), lines)
                if merged.added:
                    entries.append({"path": path, "mode": "100644", "type": "blob", "content": merged.text})
                    added.extend(merged.added)
            if not entries:
                return PublishResult(None, (), 0, self._stats)
            message = commit_message(household_id, added)
            try:
                sha = await self._commit(repository, branch, head, tree, entries, message, user)
            except _ConflictError:
                await self._after_conflict(attempt)
                continue
            self._written = {e["path"]: (sha, e["content"]) for e in entries}
            return PublishResult(sha, tuple(e["path"] for e in entries), len(added), self._stats)
        raise TransientError(f"{repository}@{branch} kept moving; {self._conflict_attempts} attempts failed")

    @staticmethod
    async def _merge(path: str, existing: bytes | None, lines: Mapping[str, str]) -> MergedFile:
        """The merge validates every remote line: in the executor, never on the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(merge_day_file, path, existing, lines))

    async def withdraw(self, repository: str, household_id: str, *, branch: str = "main") -> PublishResult:
        """Remove ``raw/`` and ``household.json`` from the branch head and replace the README, in one commit.

        The history keeps the data until the owner deletes the repository.
        """
        self._stats = FlushStats()
        user = await self.get_user()
        for attempt in range(self._conflict_attempts):
            head, tree = await self._branch_head(repository, branch)
            paths = await self._files_under(repository, RAW_FOLDER, head)
            if await self._read_file(repository, HOUSEHOLD_FILE, head) is not None:
                paths.append(HOUSEHOLD_FILE)
            if not paths:
                return PublishResult(None, (), 0, self._stats)
            entries: list[dict[str, Any]] = [{"path": p, "mode": "100644", "type": "blob", "sha": None} for p in paths]
            readme = readme_after_leaving(repository, self._endpoints.web)
            entries.append({"path": README_FILE, "mode": "100644", "type": "blob", "content": readme})
            message = f"Withdraw household {household_id} ({len(paths)} files removed)"
            try:
                sha = await self._commit(repository, branch, head, tree, entries, message, user)
            except _ConflictError:
                await self._after_conflict(attempt)
                continue
            self._written = {}
            return PublishResult(sha, tuple(paths), 0, self._stats)
        raise TransientError(f"{repository}@{branch} kept moving; {self._conflict_attempts} attempts failed")

    async def _after_conflict(self, attempt: int) -> None:
        self._stats.retries += 1
        self._last_commit = None  # the branch moved: our memory of it is no use any more
        await self._sleep(conflict_delay(attempt))

    async def _branch_head(self, repository: str, branch: str) -> tuple[str, str]:
        """(commit sha, tree sha) at the branch head, not older than our own last commit."""
        ref = await self._json("GET", f"/repos/{repository}/git/ref/heads/{branch}")
        head = str(ref["object"]["sha"])
        if self._last_commit is not None and head == self._last_commit[0]:
            head = self._last_commit[1]  # a stale read still shows the parent of our commit
        commit = await self._json("GET", f"/repos/{repository}/git/commits/{head}")
        return head, str(commit["tree"]["sha"])

    async def _current_text(self, repository: str, path: str, head: str) -> bytes | None:
        """The file at ``head``: from memory when the last commit touching it is ours, else downloaded."""
        written = self._written.get(path)
        if written is not None:
            query = f"sha={head}&path={path}&per_page=1"
            history = await self._json("GET", f"/repos/{repository}/commits?{query}")
            if isinstance(history, list) and history and history[0].get("sha") == written[0]:
                return written[1].encode()
        return await self._read_file(repository, path, head)

    async def _read_file(self, repository: str, path: str, ref: str) -> bytes | None:
        answer = await self._request("GET", f"/repos/{repository}/contents/{path}?ref={ref}", raw=True)
        if answer.status == 404:
            return None
        if answer.status >= 400 or not isinstance(answer.body, bytes):
            raise GitHubError(f"Reading {path} answered {answer.status}")
        return answer.body

    async def _files_under(self, repository: str, folder: str, ref: str) -> list[str]:
        """Every file below ``folder``: list it (a few year folders), then each year's tree.

        Listing every day file of a folder instead would stop at GitHub's 1,000-entry limit for folders.
        """
        answer = await self._request("GET", f"/repos/{repository}/contents/{folder}?ref={ref}")
        if answer.status == 404 or not isinstance(answer.body, list):
            return []
        paths: list[str] = []
        for entry in answer.body:
            if entry.get("type") == "file":
                paths.append(str(entry["path"]))
            elif entry.get("type") == "dir":
                tree = await self._json("GET", f"/repos/{repository}/git/trees/{entry['sha']}?recursive=1")
                paths.extend(f"{entry['path']}/{e['path']}" for e in tree["tree"] if e.get("type") == "blob")
        return paths

    async def _commit(
        self,
        repository: str,
        branch: str,
        head: str,
        tree: str,
        entries: list[dict[str, Any]],
        message: str,
        user: GitHubUser,
    ) -> str:
        """base tree + entries -> commit -> fast-forward the branch; raises _ConflictError when it moved."""
        new_tree = await self._json(
            "POST", f"/repos/{repository}/git/trees", {"base_tree": tree, "tree": entries}, write=True
        )
        author = {"name": user.name or user.login, "email": user.commit_email}
        commit = await self._json(
            "POST",
            f"/repos/{repository}/git/commits",
            {"message": message, "tree": new_tree["sha"], "parents": [head], "author": author},
            write=True,
        )
        sha = str(commit["sha"])
        await self._json(
            "PATCH", f"/repos/{repository}/git/refs/heads/{branch}", {"sha": sha, "force": False}, write=True
        )
        self._last_commit = (head, sha)
        _LOGGER.debug("Committed %s to %s@%s", sha[:12], repository, branch)
        return sha
