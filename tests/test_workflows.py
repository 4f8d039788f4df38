"""The workflows follow GitHub's hardening guide: pinned actions, least permissions, no event text in shells."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = sorted((Path(__file__).parent.parent / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _load(path: Path) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(path.read_text())
    return document


def _steps(path: Path) -> list[dict[str, Any]]:
    return [step for job in _load(path)["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_with_its_version(path: Path) -> None:
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip().startswith(("- uses:", "uses:"))]
    assert lines
    for line in lines:
        target, _, comment = line.split("uses:", 1)[1].strip().partition("  # ")
        assert PINNED.match(target), line
        assert comment.strip(), f"no version comment: {line}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_event_text_in_shell_lines_and_no_kept_credentials(path: Path) -> None:
    for step in _steps(path):
        assert "github.event" not in step.get("run", ""), step
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("name", ["aggregate.yml", "register.yml"])
def test_cohort_workflows_give_each_job_only_what_it_needs(name: str) -> None:
    document = _load(Path(__file__).parent.parent / ".github" / "workflows" / name)
    assert document["permissions"] == {}
    jobs = document["jobs"]
    granted = {job_name: job["permissions"] for job_name, job in jobs.items()}
    if name == "aggregate.yml":
        assert granted == {
            "build": {"contents": "read"},
            "commit": {"contents": "write"},
            "deploy": {"pages": "write", "id-token": "write"},
        }
    else:
        assert granted == {"register": {"contents": "write", "issues": "write"}}
    for job in jobs.values():
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["ref"] == "main"


def test_npm_never_runs_package_scripts() -> None:
    for path in WORKFLOWS:
        for step in _steps(path):
            for command in re.findall(r"npm (?:ci|install)[^\n)]*", step.get("run", "")):
                assert "--ignore-scripts" in command, (path.name, command)


def test_npm_never_runs_package_scripts_in_what_the_workflows_call() -> None:
    # The aggregate workflow's `make site` installs again when it finds node_modules older than the lock.
    root = Path(__file__).parent.parent
    for path in (root / "Makefile", *sorted((root / "scripts").glob("*.sh"))):
        for command in re.findall(r"npm (?:ci|install)\b[^\n)]*", path.read_text()):
            if "'" not in command and '"' not in command:  # a message naming the command, not running it
                assert "--ignore-scripts" in command, (path.name, command)
