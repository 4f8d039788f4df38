"""What the local GitHub server knows: users, tokens, repositories, device codes, injected faults."""

from __future__ import annotations

import itertools
import secrets
import string
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .gitrepo import GitRepo

WRITE_SCOPES = frozenset({"repo", "public_repo"})
DELETE_SCOPE = "delete_repo"
RATE_LIMIT = 5000
RATE_WINDOW = 3600


@dataclass
class User:
    login: str
    id: int
    name: str | None = None
    email: str | None = None  # None like a user whose email is private


@dataclass
class Token:
    value: str
    login: str
    scopes: tuple[str, ...]
    expires_at: float | None = None  # GitHub-App user tokens expire; OAuth-app tokens do not
    refresh_token: str | None = None
    revoked: bool = False

    @property
    def is_app_token(self) -> bool:
        return self.value.startswith("ghu_")


@dataclass
class Repo:
    owner: str
    name: str
    id: int
    git: GitRepo
    default_branch: str = "main"
    private: bool = False
    archived: bool = False
    collaborators: set[str] = field(default_factory=set)
    description: str | None = None
    has_issues: bool = True
    reported_size_kb: int | None = None  # overrides the measured size (a 1 GB repository without 1 GB on disk)
    issues: list[Issue] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def can_push(self, login: str | None) -> bool:
        return login is not None and (login == self.owner or login in self.collaborators)

    def can_see(self, login: str | None) -> bool:
        return not self.private or self.can_push(login)


@dataclass
class Comment:
    id: int
    user: str
    body: str
    created_at: str


@dataclass
class Issue:
    """An issue as GitHub keeps it; ``user`` is the token's login that opened it, whatever the body says."""

    id: int
    number: int
    title: str
    body: str | None
    user: str
    created_at: str
    updated_at: str
    labels: list[str] = field(default_factory=list)
    state: Literal["open", "closed"] = "open"
    state_reason: str | None = None
    closed_at: str | None = None
    comments: list[Comment] = field(default_factory=list)


DeviceState = Literal["pending", "approved", "denied", "used"]


@dataclass
class DeviceAuthorization:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    interval: int
    state: DeviceState = "pending"
    login: str | None = None
    last_poll: float | None = None


@dataclass
class RateLimit:
    """Primary rate limit of one user (GitHub counts per user, shared by every app)."""

    limit: int = RATE_LIMIT
    used: int = 0
    reset: int = 0
    over_limit_status: int = 403  # GitHub answers 403 or 429

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


@dataclass
class Race:
    """Another writer's commit, made just before the next PATCH of the branch."""

    branch: str
    files: dict[str, bytes | None]
    message: str
    login: str
    times: int = 1  # how many PATCHes in a row lose the race


@dataclass
class Faults:
    """Misbehaviour to inject; tests set these through the server's methods."""

    latency: float = 0.0
    answer_latency: float = 0.0  # after the request was handled, before its answer goes out
    waiting: list[str] = field(default_factory=list)  # "METHOD /path" of requests waiting out either
    fail_next: int = 0
    fail_status: int = 502
    down: bool = False
    secondary_next: int = 0
    secondary_retry_after: int = 60
    stale_ref_reads: int = 0
    races: dict[str, Race] = field(default_factory=dict)  # key: "owner/repo"


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the server saw it; bytes are bodies only; status 0 is a dropped connection."""

    method: str
    path: str
    status: int
    request_bytes: int
    response_bytes: int


def random_token(prefix: str) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(36))


def random_user_code() -> str:
    alphabet = "BCDFGHJKLMNPQRSTVWXZ0123456789"  # GitHub's codes avoid vowels
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


@dataclass
class ServerState:
    """The mutable world behind the endpoints."""

    client_id: str
    root: Path
    clock: Callable[[], float] = time.time
    expiring_tokens: bool = False
    device_flow_enabled: bool = True
    device_interval: int = 5
    device_expires_in: int = 900
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> access token
    repos: dict[str, Repo] = field(default_factory=dict)  # key lower-case "owner/name"
    moved: dict[str, int] = field(default_factory=dict)  # old lower-case "owner/name" -> repository id
    devices: dict[str, DeviceAuthorization] = field(default_factory=dict)  # by device_code
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    log: list[LoggedRequest] = field(default_factory=list)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1001))

    def next_id(self) -> int:
        return next(self.ids)

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def repo_by_id(self, repo_id: int) -> Repo | None:
        return next((r for r in self.repos.values() if r.id == repo_id), None)

    def moved_repo(self, owner: str, name: str) -> Repo | None:
        """Where a renamed or transferred repository went (GitHub redirects its old name)."""
        repo_id = self.moved.get(f"{owner}/{name}".lower())
        return self.repo_by_id(repo_id) if repo_id is not None else None

    def move(self, repo: Repo, owner: str, name: str) -> None:
        old = repo.full_name.lower()
        del self.repos[old]
        self.moved[old] = repo.id
        repo.owner, repo.name = owner, name
        self.repos[repo.full_name.lower()] = repo
        self.moved.pop(repo.full_name.lower(), None)

    def now_iso(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock()))

    def live_token(self, value: str) -> Token | None:
        token = self.tokens.get(value)
        if token is None or token.revoked:
            return None
        if token.expires_at is not None and self.clock() >= token.expires_at:
            return None
        return token

    def rate_limit(self, key: str) -> RateLimit:
        limit = self.rate_limits.setdefault(key, RateLimit())
        now = self.clock()
        if now >= limit.reset:
            limit.used, limit.reset = 0, int(now) + RATE_WINDOW
        return limit

    def issue_token(self, login: str, scopes: tuple[str, ...]) -> Token:
        if self.expiring_tokens:
            token = Token(random_token("ghu_"), login, (), self.clock() + 8 * 3600, random_token("ghr_"))
            self.refresh_tokens[token.refresh_token or ""] = token.value
        else:
            token = Token(random_token("gho_"), login, scopes)
        self.tokens[token.value] = token
        return token

    def device_by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        wanted = user_code.strip().upper()
        return next((d for d in self.devices.values() if d.user_code == wanted), None)
