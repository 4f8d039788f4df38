"""What a household would check: what git holds, what the outbox holds, what Repairs say."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nem_flex_telemetry.const import DOMAIN
from custom_components.nem_flex_telemetry.data_repo import RAW_FOLDER
from tests.github_server import GitHubServer
from tests.ha.conftest import DATA_OWNER, DATA_REPO, Household, signed_in


async def start(hass: HomeAssistant, household: Household, github: GitHubServer) -> MockConfigEntry:
    """A signed-in entry, set up."""
    entry = signed_in(household.entry(), github)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def publish_now(hass: HomeAssistant) -> Any:
    return await hass.services.async_call(DOMAIN, "publish_now", {}, blocking=True, return_response=True)


def intervals_in_git(github: GitHubServer) -> Counter[str]:
    """How often each interval appears in the data repository's head, read with git itself."""
    path = str(github.repo(DATA_OWNER, DATA_REPO).git.path)

    def git(*args: str) -> str:
        return subprocess.run(["git", "--git-dir", path, *args], capture_output=True, text=True, check=True).stdout

    found: Counter[str] = Counter()
    for name in git("ls-tree", "-r", "--name-only", "main", "--", RAW_FOLDER).splitlines():
        found.update(json.loads(line)["interval_start_utc"] for line in git("show", f"main:{name}").splitlines())
    return found


def segments(folder: Path) -> list[Path]:
    """The outbox's segment files, oldest first."""
    return sorted(folder.glob("*.jsonl"))


def outbox_lines(hass: HomeAssistant, entry: MockConfigEntry) -> list[bytes]:
    """Every line of the outbox's segments, oldest first, each ending in a newline (nothing torn)."""
    folder = Path(hass.config.path(".storage", DOMAIN, entry.entry_id))
    lines: list[bytes] = []
    for path in segments(folder):
        *whole, tail = path.read_bytes().split(b"\n")
        assert tail == b"", f"{path.name} ends in a partial line: {tail[:40]!r}"
        lines.extend(whole)
    return lines


def issue(hass: HomeAssistant, entry: MockConfigEntry, issue_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{issue_id}_{entry.entry_id}")
