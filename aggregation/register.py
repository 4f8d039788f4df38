"""``python -m aggregation register``: turn open join/leave issues into registry bindings.

For each open issue whose title claims to be a request (oldest first), the request is parsed with the
integration's own parser and checked against GitHub: the issue's author (as GitHub knows it, never the
body) must own the named repository, which must be public, under the name it was asked under, and hold
a ``household.json`` naming the household id; the id and the repository must not be bound to anything
else. All decisions of a run land in one commit of ``data/registry.json`` (through the contents API,
so a concurrent edit makes the run stop before replying); then each issue gets a fixed reply and is
closed. Issue text is only ever data: replies never quote it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from custom_components.nem_flex_telemetry.intake import Rejected, Request, is_request_title, parse_request

from . import registry as reg
from .github_rest import GitHub, GitHubError

HELP = "process join and leave issues into the registry (data/registry.json)"
HOUSEHOLD_FILE = "household.json"
MAX_HOUSEHOLD_FILE = 16 * 1024
GONE = (404, 410, 451)  # answers that mean "not there": anything else is GitHub's trouble, asked again next run
MAX_ISSUES_PER_RUN = 100  # about 4 requests and 2 writes each: far inside GitHub's hourly limits
WRITE_SPACING = 1.0  # seconds between writes, as GitHub advises for content creation

REASONS = {  # every reply the workflow gives: fixed text, never the issue's own
    "registered": "Registered: this household's data repository is now part of the cohort.",
    "already": "Already registered: nothing changed.",
    "left": "Recorded: this household has left the cohort; its data is no longer ingested.",
    "malformed": "Refused: this issue is not a valid request ({detail}).",
    "not_owner": "Refused: the account that opened this issue does not own the named repository.",
    "missing": "Refused: the named repository does not exist or is not public.",
    "private": "Refused: the named repository is private; cohort data repositories must be public.",
    "moved": "Refused: the named repository was renamed or transferred; ask again under its current name.",
    "no_household_file": "Refused: the repository holds no valid household.json at the head of its default branch.",
    "other_id": "Refused: household.json in the repository names another household id.",
    "id_bound": "Refused: this household id is already bound to another repository (bindings are permanent).",
    "id_left": "Refused: this household id left the cohort; ids are never reused. A new id can join.",
    "excluded": "Refused: the maintainers have excluded this household.",
    "repo_bound": "Refused: this repository is already registered for another household.",
    "leave_unknown": "Refused: this household id is not registered.",
    "leave_not_account": "Refused: only the account the household registered with can withdraw it.",
}


@dataclass(frozen=True, slots=True)
class Decision:
    issue: int
    outcome: str  # a key of REASONS
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.outcome in ("registered", "already", "left")

    @property
    def reply(self) -> str:
        return REASONS[self.outcome].format(detail=self.detail)


@dataclass
class Report:
    decisions: list[Decision] = field(default_factory=list)
    committed: bool = False
    remaining: int = 0  # request issues left open for the next run
    deferred: int = 0  # of those, issues GitHub could not answer about this run (no reply, still open)
    requests: int = 0

    def line(self) -> str:
        accepted = sum(d.accepted for d in self.decisions)
        return (
            f"register: {len(self.decisions)} requests ({accepted} accepted, {len(self.decisions) - accepted} "
            f"refused), registry {'committed' if self.committed else 'unchanged'}, {self.remaining} left for "
            f"the next run ({self.deferred} of them deferred: GitHub did not answer), {self.requests} API requests"
        )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_registry(github: GitHub, project: str) -> tuple[reg.Registry, str | None]:
    """The registry at the head of the project's default branch and its blob sha (None: not there yet)."""
    try:
        answer = github.request("GET", f"/repos/{project}/contents/{reg.REGISTRY_PATH}")
    except GitHubError as err:
        if err.status == 404:
            return {}, None
        raise
    body = answer.json()
    return reg.parse(base64.b64decode(body["content"])), str(body["sha"])


def _household_file(github: GitHub, repository: str) -> dict[str, Any] | None:
    try:
        answer = github.request(
            "GET", f"/repos/{repository}/contents/{HOUSEHOLD_FILE}", accept="application/vnd.github.raw+json"
        )
    except GitHubError as err:
        if err.status in GONE:
            return None
        raise  # a 5xx or no answer says nothing about the file: the issue waits for the next run
    if len(answer.body) > MAX_HOUSEHOLD_FILE:
        return None
    try:
        value = json.loads(answer.body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _join(github: GitHub, request: Request, author: str, registry: reg.Registry, when: str) -> str:
    bound = registry.get(request.household_id)
    if bound is not None and bound.excluded is not None:
        return "excluded"
    if bound is not None and bound.left is not None:
        return "id_left"
    if author.lower() != request.owner.lower():
        return "not_owner"
    try:
        repo = github.get_json(f"/repos/{request.repository}")
    except GitHubError as err:
        if err.status in GONE:
            return "missing"
        raise
    if repo["full_name"].lower() != request.repository.lower():
        return "moved"
    if repo["owner"]["login"].lower() != author.lower():
        return "not_owner"
    if repo.get("private"):
        return "private"
    if bound is not None:
        return "already" if bound.repository_id == repo["id"] else "id_bound"
    if any(b.repository_id == repo["id"] for b in registry.values()):
        return "repo_bound"
    household = _household_file(github, repo["full_name"])
    if household is None:
        return "no_household_file"
    if household.get("household_id") != request.household_id:
        return "other_id"
    registry[request.household_id] = reg.Binding(
        request.household_id,
        repo["full_name"],
        repo["owner"]["login"],
        int(repo["id"]),
        when,
        account_id=int(repo["owner"]["id"]),
    )
    return "registered"


def _leave(request: Request, author: str, author_id: int | None, registry: reg.Registry, when: str) -> str:
    bound = registry.get(request.household_id)
    if bound is None:
        return "leave_unknown"
    # By the account's id where the binding has it: a deleted account's login can be registered again by
    # someone else, and a renamed account keeps its id.
    same = bound.account_id == author_id if bound.account_id is not None else bound.account.lower() == author.lower()
    if not same:
        return "leave_not_account"
    if bound.left is None:
        registry[request.household_id] = bound.leaving(when)
    return "left"


def decide(github: GitHub, issue: dict[str, Any], registry: reg.Registry, when: str) -> Decision:
    """What one issue asks for and whether it may have it; ``registry`` is updated in place."""
    number, author = int(issue["number"]), str(issue["user"]["login"])
    author_id = issue["user"].get("id")
    parsed = parse_request(str(issue.get("title") or ""), issue.get("body"))
    if isinstance(parsed, Rejected):
        return Decision(number, "malformed", parsed.reason)
    if parsed.action == "join":
        return Decision(number, _join(github, parsed, author, registry, when))
    return Decision(number, _leave(parsed, author, author_id if isinstance(author_id, int) else None, registry, when))


def _commit(github: GitHub, project: str, registry: reg.Registry, sha: str | None, count: int) -> None:
    body: dict[str, Any] = {
        "message": f"Registry: {count} join/leave request{'s' if count != 1 else ''} processed",
        "content": base64.b64encode(reg.dumps(registry).encode()).decode(),
    }
    if sha is not None:
        body["sha"] = sha
    github.request("PUT", f"/repos/{project}/contents/{reg.REGISTRY_PATH}", body)


def register(
    base_url: str,
    token: str,
    project: str,
    *,
    max_issues: int = MAX_ISSUES_PER_RUN,
    sleep: Callable[[float], None] | None = None,
) -> Report:
    """Process up to ``max_issues`` open requests on ``project`` ("owner/name"); callable from tests."""
    github = GitHub(base_url, token) if sleep is None else GitHub(base_url, token, sleep=sleep)
    pause = github.sleep
    registry, sha = read_registry(github, project)  # a broken registry raises here: nothing is touched
    before = reg.dumps(registry)
    issues = [
        issue
        for issue in github.pages(f"/repos/{project}/issues?state=open&per_page=100&direction=asc")
        if is_request_title(str(issue.get("title") or "")) and "pull_request" not in issue
    ]
    report = Report(remaining=max(len(issues) - max_issues, 0))
    when = _now()
    for issue in issues[:max_issues]:
        try:
            report.decisions.append(decide(github, issue, registry, when))
        except GitHubError as err:  # left open, unanswered: a hiccup never refuses a valid request
            print(f"register: #{issue.get('number')} deferred to the next run: {err}", file=sys.stderr)
            report.deferred += 1
    report.remaining += report.deferred
    if reg.dumps(registry) != before:
        _commit(github, project, registry, sha, len(report.decisions))
        report.committed = True
    for decision in report.decisions:
        path = f"/repos/{project}/issues/{decision.issue}"
        pause(WRITE_SPACING)
        github.request("POST", f"{path}/comments", {"body": decision.reply})
        pause(WRITE_SPACING)
        reason = "completed" if decision.accepted else "not_planned"
        github.request("PATCH", path, {"state": "closed", "state_reason": reason})
    report.requests = github.requests
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    parser.add_argument("--repository", default=os.environ.get("GITHUB_REPOSITORY", ""), help="owner/name")
    parser.add_argument("--max-issues", type=int, default=MAX_ISSUES_PER_RUN)


def run(args: argparse.Namespace) -> int:
    token = os.environ.get("GITHUB_TOKEN", "")  # from the environment only: never on a command line
    if not token or not args.repository:
        print("register: needs GITHUB_TOKEN in the environment and --repository owner/name", file=sys.stderr)
        return 2
    try:
        report = register(args.api, token, quote(args.repository, safe="/"), max_issues=args.max_issues)
    except reg.RegistryError as err:
        print(f"register: {reg.REGISTRY_PATH} is broken, nothing was processed: {err}", file=sys.stderr)
        return 1
    except GitHubError as err:
        print(f"register: stopped (open issues are retried next run): {err}", file=sys.stderr)
        return 1
    for decision in report.decisions:
        print(f"#{decision.issue}: {decision.outcome}")
    print(report.line())
    return 0
