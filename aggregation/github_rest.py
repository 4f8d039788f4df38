"""A small synchronous GitHub REST client (standard library only) for the register and ingest commands.

It counts what it sends, follows ``Link: rel="next"`` pages, honours conditional requests and waits
out rate limits (``retry-after``, or the reset time when nothing is left), so a caller never loses
work to a limit: it either gets an answer or an :class:`GitHubError` saying why not.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

API_VERSION = "2022-11-28"
USER_AGENT = "nem-flex-telemetry-aggregation"
MAX_WAIT = 900.0  # seconds a single rate-limit pause may last before giving up
LINK_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubError(Exception):
    """A request that did not succeed; ``status`` 0 means no answer at all."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str  # after redirects (a renamed repository answers under its new name)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class GitHub:
    """REST calls against ``base_url`` (``https://api.github.com`` or the local server) with ``token``."""

    base_url: str
    token: str | None = None
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        etag: str | None = None,
        accept: str = "application/vnd.github+json",
        ok: tuple[int, ...] = (200, 201, 202, 204, 304),
    ) -> Answer:
        url = path if path.startswith("http") else f"{self.base_url.rstrip('/')}{path}"
        headers = {"Accept": accept, "X-GitHub-Api-Version": API_VERSION, "User-Agent": USER_AGENT}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if etag:
            headers["If-None-Match"] = etag
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        for _ in range(5):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
            answer = self._send(request)
            wait = self._rate_wait(answer)
            if wait is None:
                break
            self.sleep(wait)
        if answer.status not in ok:
            raise GitHubError(answer.status, _message(answer))
        return answer

    def _send(self, request: urllib.request.Request) -> Answer:
        with self._lock:
            self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (https or local)
                return Answer(response.status, dict(response.headers), response.read(), response.url)
        except urllib.error.HTTPError as err:
            return Answer(err.code, dict(err.headers), err.read(), err.url or request.full_url)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
            raise GitHubError(0, f"no answer from {request.full_url}: {err}") from err

    @staticmethod
    def _rate_wait(answer: Answer) -> float | None:
        """Seconds to wait before retrying a rate-limited answer, None when it is not one."""
        if answer.status not in (403, 429):
            return None
        lower = {k.lower(): v for k, v in answer.headers.items()}
        if "retry-after" in lower:
            return min(float(lower["retry-after"]), MAX_WAIT)
        if lower.get("x-ratelimit-remaining") == "0":
            return min(max(float(lower.get("x-ratelimit-reset", "0")) - time.time(), 1.0), MAX_WAIT)
        return None

    def get_json(self, path: str) -> Any:
        return self.request("GET", path).json()

    def pages(self, path: str) -> Iterator[Any]:
        """Every item of a listed resource, page after page (``Link: rel="next"``)."""
        url: str | None = path
        while url:
            answer = self.request("GET", url)
            yield from answer.json() or []
            found = LINK_NEXT.search({k.lower(): v for k, v in answer.headers.items()}.get("link", ""))
            url = found.group(1) if found else None


def _message(answer: Answer) -> str:
    try:
        value = answer.json()
    except ValueError:
        return answer.body[:200].decode(errors="replace")
    return str(value.get("message", "")) if isinstance(value, dict) else ""
