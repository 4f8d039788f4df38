"""The join and leave requests a household opens as issues on the project repository.

One fixed, machine-readable form, written by the integration and read by the cohort's register
workflow (which imports this module without Home Assistant). An issue's title names the action
and the household; its body holds one fenced ``json`` block that is the request itself:

    {"action": "join", "household_id": "<uuid4>", "repository": "<owner>/<name>", "schema_version": "2.0"}

The parser trusts nothing: the title and body are capped before anything is decoded, the block
must be the only one, hold exactly these keys (no duplicates, strings only) and agree with the
title. The body never says who opened the issue: the workflow takes the author from GitHub.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final, Literal, get_args

from .record import SCHEMA_VERSION, is_household_id

Action = Literal["join", "leave"]
ACTIONS: Final[tuple[Action, ...]] = get_args(Action)
TITLE_PREFIX: Final = "nem-flex-telemetry:"
FENCE_OPEN: Final = "```json"
FENCE_CLOSE: Final = "```"
KEYS: Final = ("action", "household_id", "repository", "schema_version")
MAX_TITLE_CHARS: Final = 120
MAX_BODY_BYTES: Final = 4096  # our bodies are under 1 KiB; GitHub allows 65,536 characters
MAX_BLOCK_BYTES: Final = 512
# GitHub's rules: an account is 1-39 letters, digits or inner single hyphens; a repository name is
# 1-100 of letters, digits, '.', '-', '_' and never '.' or '..'. Explicit classes: ASCII only.
OWNER_PATTERN: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9._-]{1,100}")
SCHEMA_VERSION_PATTERN: Final = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}")

_INTRO: Final[dict[Action, str]] = {
    "join": (
        "This household asks to join the NEM Flex Telemetry cohort with the data repository named "
        "below. Opened by the Home Assistant integration; the register workflow checks it and replies."
    ),
    "leave": (
        "This household has withdrawn from the NEM Flex Telemetry cohort. Opened by the Home Assistant "
        "integration; the register workflow records it and replies."
    ),
}


@dataclass(frozen=True, slots=True)
class Request:
    """A well-formed request (the workflow still checks it against GitHub and the registry)."""

    action: Action
    household_id: str
    repository: str  # "<owner>/<name>"
    schema_version: str

    @property
    def owner(self) -> str:
        """The account named as the repository's owner."""
        return self.repository.split("/", 1)[0]


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why an issue is not a well-formed request (safe to quote back: it never echoes the input)."""

    reason: str


def is_repository_name(full_name: str) -> bool:
    """True for ``owner/name`` as GitHub spells repositories."""
    owner, slash, name = full_name.partition("/")
    return (
        bool(slash)
        and bool(OWNER_PATTERN.fullmatch(owner))
        and bool(NAME_PATTERN.fullmatch(name))
        and name not in {".", ".."}
    )


def request_title(action: Action, household_id: str) -> str:
    """``nem-flex-telemetry: join <household id>``."""
    return f"{TITLE_PREFIX} {action} {household_id}"


def is_request_title(title: str) -> bool:
    """A cheap filter for issue lists: does this title claim to be a request at all?"""
    return title.startswith(TITLE_PREFIX)


def _format(request: Request) -> tuple[str, str]:
    problem = _problem(request)
    if problem:
        raise ValueError(problem)
    block = json.dumps({key: getattr(request, key) for key in KEYS}, separators=(", ", ": "))
    body = f"{_INTRO[request.action]}\n\n{FENCE_OPEN}\n{block}\n{FENCE_CLOSE}\n"
    return request_title(request.action, request.household_id), body


def format_join_request(household_id: str, repository: str, schema_version: str = SCHEMA_VERSION) -> tuple[str, str]:
    """The (title, body) of the issue that registers ``repository`` for this household."""
    return _format(Request("join", household_id, repository, schema_version))


def format_leave_request(household_id: str, repository: str, schema_version: str = SCHEMA_VERSION) -> tuple[str, str]:
    """The (title, body) of the issue that withdraws this household."""
    return _format(Request("leave", household_id, repository, schema_version))


def asks_for(title: str, body: str | None, action: Action, household_id: str, repository: str) -> bool:
    """True when an issue is, in the fixed form, this household's ``action`` request for ``repository``
    (whatever schema version it was written under): how a household finds the one it already opened."""
    request = parse_request(title, body)
    return (
        isinstance(request, Request)
        and (request.action, request.household_id) == (action, household_id)
        and request.repository.lower() == repository.lower()  # GitHub's names are case-insensitive
    )


def _problem(request: Request) -> str | None:
    if request.action not in ACTIONS:
        return f"the action must be one of {', '.join(ACTIONS)}"
    if not is_household_id(request.household_id):
        return "household_id is not a lowercase random UUID"
    if not is_repository_name(request.repository):
        return "repository is not an owner/name GitHub accepts"
    if not SCHEMA_VERSION_PATTERN.fullmatch(request.schema_version):
        return "schema_version is not of the form <major>.<minor>"
    return None


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _block(body: str) -> str | Rejected:
    lines = body.splitlines()
    opens = [index for index, line in enumerate(lines) if line.strip() == FENCE_OPEN]
    if len(opens) != 1:
        return Rejected(f"the body must hold exactly one {FENCE_OPEN} block (found {len(opens)})")
    start = opens[0] + 1
    for end in range(start, len(lines)):
        if lines[end].strip() == FENCE_CLOSE:
            return "\n".join(lines[start:end])
    return Rejected(f"the {FENCE_OPEN} block is not closed")


def parse_request(title: str, body: str | None) -> Request | Rejected:
    """The request an issue holds, or why it holds none."""
    if len(title) > MAX_TITLE_CHARS:
        return Rejected(f"the title is over {MAX_TITLE_CHARS} characters")
    if not is_request_title(title):
        return Rejected(f"the title does not start with {TITLE_PREFIX!r}")
    text = body or ""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        return Rejected(f"the body is {size} bytes, over the {MAX_BODY_BYTES} limit")
    block = _block(text)
    if isinstance(block, Rejected):
        return block
    if len(block.encode("utf-8", "surrogatepass")) > MAX_BLOCK_BYTES:
        return Rejected(f"the {FENCE_OPEN} block is over {MAX_BLOCK_BYTES} bytes")
    try:
        value = json.loads(block, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError):
        return Rejected(f"the {FENCE_OPEN} block is not one JSON object with distinct keys")
    if not isinstance(value, dict) or sorted(value) != sorted(KEYS):
        return Rejected(f"the {FENCE_OPEN} block must be an object with exactly the keys {', '.join(KEYS)}")
    if not all(isinstance(value[key], str) for key in KEYS):
        return Rejected("every value in the block must be a string")
    action = value["action"]
    if action not in ACTIONS:
        return Rejected(f"the action must be one of {', '.join(ACTIONS)}")
    request = Request(action, value["household_id"], value["repository"], value["schema_version"])
    problem = _problem(request)
    if problem:
        return Rejected(problem)
    if title.strip() != request_title(request.action, request.household_id):
        return Rejected("the title does not match the request in the body")
    return request
