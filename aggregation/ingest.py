"""``python -m aggregation ingest``: the registered households' day files, fetched only when they changed.

For each active binding in the registry one conditional ``GET /repos/{o}/{r}`` (a 304 is free of rate
limit) says whether the repository moved since the last run, and whether it is still the bound one
(same id, name and owner, public, under the size cap). Only a changed repository is fetched, with git
smart HTTP (``--depth=1 --filter=blob:limit=``, so big files never travel and only new objects do),
into a bare cache per household; its ``raw/YYYY/MM/DD.jsonl`` files whose blob changed are copied to
``<work>/raw/<household_id>/YYYY/MM/DD.jsonl``, the layout ``python -m aggregation build`` reads.

Nothing from a household's repository is executed or followed: symlinks, submodules, LFS pointers and
files over the cap are skipped with a reason. A repository that fails keeps its last good files; one
that is gone, emptied, withdrawn, excluded, renamed or transferred leaves the raw tree (and so the
next build). Losing ``<work>`` only costs a full re-fetch.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import registry as reg
from .github_rest import GitHub, GitHubError
from .progress import Progress

HELP = "fetch the changed day files of registered household repositories"
DAY_PATH = re.compile(r"raw/([0-9]{4})/([0-9]{2})/([0-9]{2})\.jsonl")
MAX_FILE_BYTES = 2 * 1024 * 1024  # the integration never writes a day file this big
MAX_REPOSITORY_KB = 512 * 1024  # GitHub's reported size; a year of hourly commits is far below
LFS_POINTER = b"version https://git-lfs.github.com/spec/"
SYMLINK, SUBMODULE = "120000", "160000"
PACKS_BEFORE_GC = 24  # a day of hourly fetches; gc then drops the objects of superseded heads
STATE_FORMAT = 1
Status = Literal["unchanged", "updated", "withdrawn", "refused", "failed"]


@dataclass
class Seen:
    """What the last good run saw of one household's repository."""

    etag: str | None = None
    head: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # raw-relative path -> blob sha


@dataclass
class Outcome:
    household_id: str
    status: Status
    reason: str = ""
    written: int = 0
    skipped: list[str] = field(default_factory=list)  # "path: why" for entries not taken

    def line(self) -> str:
        text = f"{self.household_id}: {self.status}"
        text += f" ({self.reason})" if self.reason else ""
        return text + "".join(f"\n    skipped {note}" for note in self.skipped)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    def line(self) -> str:
        written = sum(o.written for o in self.outcomes)
        parts = ", ".join(f"{self.count(s)} {s}" for s in ("updated", "unchanged", "withdrawn", "refused", "failed"))
        return (
            f"ingest: {len(self.outcomes)} households ({parts}), {written} day files written, "
            f"{self.requests} API requests in {self.seconds:.1f} s"
        )


class RefusedError(Exception):
    """The repository is no longer the bound one (or not acceptable): its household leaves the build."""


class GoneError(Exception):
    """The repository disappeared or was emptied: the household counts as withdrawn."""


@dataclass(frozen=True)
class Settings:
    github: GitHub
    git_base: str
    work: Path
    timeout: float
    max_file_bytes: int
    max_repository_kb: int

    @property
    def raw(self) -> Path:
        return self.work / "raw"

    @property
    def cache(self) -> Path:
        return self.work / "ingest"


def git_base_for(api: str) -> str:
    """Where git is served for an API base: github.com for api.github.com, the same host otherwise."""
    return "https://github.com" if api.rstrip("/") == "https://api.github.com" else api.rstrip("/")


def _git(repo: Path, *args: str, deadline: float, env: dict[str, str] | None = None) -> bytes:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_TERMINAL_PROMPT": "0", "HOME": str(repo.parent)}
    result = subprocess.run(
        ["git", "--git-dir", str(repo), *args],
        cwd=repo.parent,  # never inside a work tree: nothing of the project's checkout is read
        capture_output=True,
        env=base | (env or {}),
        timeout=left,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"git {args[0]} failed: {result.stderr.decode(errors='replace').strip()[-300:]}")
    return result.stdout


def _fetch(settings: Settings, household_id: str, url: str, branch: str, deadline: float) -> tuple[Path, str]:
    repo = settings.cache / "git" / f"{household_id}.git"
    blob_filter = f"blob:limit={settings.max_file_bytes}"
    if not (repo / "HEAD").exists():
        repo.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(repo, ignore_errors=True)
        subprocess.run(["git", "init", "-q", "--bare", str(repo)], cwd=repo.parent, check=True, capture_output=True)
        # The remote as a partial clone's promisor (what `git clone --filter` writes), without more processes.
        remote = f'[remote "origin"]\n\turl = {url}\n\tpromisor = true\n\tpartialclonefilter = {blob_filter}\n'
        config = repo / "config"
        config.write_text(config.read_text() + remote)
    ref = f"refs/heads/{branch}"
    _git(
        repo,
        "fetch",
        "-q",
        "--no-tags",
        "--depth=1",
        f"--filter={blob_filter}",
        "origin",
        f"+{ref}:{ref}",
        deadline=deadline,
    )
    head = _git(repo, "rev-parse", "--verify", ref, deadline=deadline).decode().strip()
    if len(list((repo / "objects" / "pack").glob("*.pack"))) > PACKS_BEFORE_GC:
        _git(repo, "gc", "-q", "--prune=now", deadline=deadline)
    return repo, head


NO_LAZY = {"GIT_NO_LAZY_FETCH": "1"}  # a missing (too big) blob must stay missing


def _take(settings: Settings, household_id: str, seen: Seen, repo: Path, head: str, deadline: float) -> Outcome:
    outcome = Outcome(household_id, "updated")
    missing = {
        line[1:]
        for line in _git(repo, "rev-list", "--objects", "--missing=print", head, deadline=deadline, env=NO_LAZY)
        .decode()
        .splitlines()
        if line.startswith("?")
    }
    files: dict[str, str] = {}
    listing = _git(repo, "ls-tree", "-r", "-z", head, deadline=deadline, env=NO_LAZY).decode()
    home = settings.raw / household_id
    for line in filter(None, listing.split("\0")):
        meta, path = line.split("\t", 1)
        mode, _, sha = meta.split()
        day = DAY_PATH.fullmatch(path)
        if day is None:
            if path.startswith("raw/"):
                outcome.skipped.append(f"{path}: not a raw/YYYY/MM/DD.jsonl day file")
            continue
        rel = "/".join(day.groups()) + ".jsonl"
        if mode == SYMLINK:
            outcome.skipped.append(f"{path}: a symlink, not followed")
        elif mode == SUBMODULE:
            outcome.skipped.append(f"{path}: a submodule, not fetched")
        elif sha in missing:
            outcome.skipped.append(f"{path}: over {settings.max_file_bytes:,} bytes, not fetched")
        elif seen.files.get(rel) == sha and (home / rel).is_file():
            files[rel] = sha
        else:
            data = _git(repo, "cat-file", "blob", sha, deadline=deadline, env=NO_LAZY)
            if data.startswith(LFS_POINTER):
                outcome.skipped.append(f"{path}: a Git LFS pointer, not the data")
                continue
            target = home / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(target)
            files[rel] = sha
            outcome.written += 1
    if not files:
        raise GoneError("no day files left at the head: counted as withdrawn")
    for rel in set(seen.files) - set(files):
        (home / rel).unlink(missing_ok=True)
    seen.head, seen.files = head, files
    return outcome


def _check(settings: Settings, binding: reg.Binding, seen: Seen) -> dict[str, Any] | None:
    """The repository's metadata when it changed since the last run, None when a 304 says it did not."""
    github = settings.github
    etag = seen.etag if (settings.raw / binding.household_id).is_dir() else None  # lost raw: fetch again
    try:
        answer = github.request("GET", f"/repos/{binding.repository}", etag=etag)
    except GitHubError as err:
        if err.status in (404, 451):
            raise GoneError("the repository is gone: counted as withdrawn") from err
        raise
    if answer.status == 304:
        return None
    repo: dict[str, Any] = answer.json()
    if repo.get("id") != binding.repository_id:
        raise GoneError("the bound repository is gone (another repository now has its name): counted as withdrawn")
    if str(repo.get("full_name", "")).lower() != binding.repository.lower():
        raise RefusedError(f"renamed or transferred to {repo.get('full_name')}; bindings are permanent")
    if str(repo["owner"]["login"]).lower() != binding.account.lower():
        raise RefusedError("transferred to another account; bindings are permanent")
    if repo.get("private"):
        raise RefusedError("the repository is private")
    if int(repo.get("size") or 0) > settings.max_repository_kb:
        raise RuntimeError(
            f"the repository reports {repo['size']:,} KB, over the {settings.max_repository_kb:,} KB cap"
        )
    repo["_etag"] = answer.headers.get("ETag") or answer.headers.get("Etag")
    return repo


def _one(settings: Settings, binding: reg.Binding, seen: Seen) -> tuple[Outcome, Seen | None]:
    """One household's ingest; the Seen to keep (None: forget it, the household left the raw tree)."""
    household_id = binding.household_id
    if binding.excluded is not None:
        return Outcome(household_id, "refused", "excluded by the maintainers"), None
    if binding.left is not None:
        return Outcome(household_id, "withdrawn", "left the cohort"), None
    deadline = time.monotonic() + settings.timeout
    try:
        repo = _check(settings, binding, seen)
        if repo is None:
            return Outcome(household_id, "unchanged"), seen
        if repo.get("pushed_at") is None:
            raise GoneError("the repository is empty: counted as withdrawn")
        url = f"{settings.git_base}/{binding.repository}.git"
        fresh = Seen(seen.etag, seen.head, dict(seen.files))
        cache, head = _fetch(settings, household_id, url, str(repo.get("default_branch") or "main"), deadline)
        outcome = _take(settings, household_id, fresh, cache, head, deadline)
        fresh.etag = repo["_etag"]
        return outcome, fresh
    except GoneError as err:
        return Outcome(household_id, "withdrawn", str(err)), None
    except RefusedError as err:
        return Outcome(household_id, "refused", str(err)), None
    except subprocess.TimeoutExpired, TimeoutError:
        return Outcome(household_id, "failed", f"timed out after {settings.timeout:.0f} s; last good data kept"), seen
    except (GitHubError, RuntimeError, OSError, ValueError, KeyError, TypeError) as err:
        return Outcome(household_id, "failed", f"{err}; last good data kept"), seen


def _load_state(path: Path) -> dict[str, Seen]:
    try:
        document = json.loads(path.read_text())
        if document.get("format") != STATE_FORMAT:
            return {}
        return {
            hid: Seen(v.get("etag"), v.get("head"), dict(v.get("files", {})))
            for hid, v in document["households"].items()
        }
    except OSError, ValueError, AttributeError, KeyError, TypeError:
        return {}  # a lost or damaged cache only costs a full fetch


def _save_state(path: Path, seen: dict[str, Seen]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(
        json.dumps({"format": STATE_FORMAT, "households": {k: asdict(v) for k, v in sorted(seen.items())}})
    )
    partial.replace(path)


def ingest(
    api: str,
    token: str | None,
    registry_path: Path,
    work: Path,
    *,
    git_base: str | None = None,
    concurrency: int = 16,
    timeout: float = 120.0,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_repository_kb: int = MAX_REPOSITORY_KB,
) -> Report:
    """Bring ``<work>/raw`` up to date with every registered repository; callable from tests."""
    started = time.monotonic()
    bindings = reg.load(registry_path)  # a broken registry raises before anything is touched
    github = GitHub(api, token, timeout=timeout)
    settings = Settings(github, git_base or git_base_for(api), work, timeout, max_file_bytes, max_repository_kb)
    state_path = settings.cache / "state.json"
    seen = _load_state(state_path)
    report = Report()
    progress = Progress(len(bindings), "repositories")
    kept: dict[str, Seen] = {}
    with ThreadPoolExecutor(max_workers=max(concurrency, 1)) as pool:
        futures = [pool.submit(_one, settings, b, seen.get(hid, Seen())) for hid, b in bindings.items()]
        for future in as_completed(futures):
            outcome, keep = future.result()
            report.outcomes.append(outcome)
            if keep is not None:
                kept[outcome.household_id] = keep
            progress.advance(1)
    progress.close()
    for household_id in {entry.name for entry in settings.raw.iterdir()} if settings.raw.is_dir() else set():
        if household_id not in kept:  # withdrawn, refused, unregistered: out of the next build
            shutil.rmtree(settings.raw / household_id, ignore_errors=True)
            shutil.rmtree(settings.cache / "git" / f"{household_id}.git", ignore_errors=True)
    _save_state(state_path, kept)
    report.outcomes.sort(key=lambda o: o.household_id)
    report.requests = github.requests  # at most one per household; git traffic is not rate limited
    report.seconds = time.monotonic() - started
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    parser.add_argument("--registry", type=Path, default=Path(reg.REGISTRY_PATH))
    parser.add_argument("--work", type=Path, default=Path("work"), help="raw tree and ingest cache (default: work)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per repository")


def run(args: argparse.Namespace) -> int:
    try:
        report = ingest(
            args.api,
            os.environ.get("GITHUB_TOKEN") or None,  # from the environment only
            args.registry,
            args.work,
            concurrency=args.concurrency,
            timeout=args.timeout,
        )
    except reg.RegistryError as err:
        print(
            f"ingest: {args.registry} is broken, nothing was ingested (the raw tree is as before): {err}",
            file=sys.stderr,
        )
        return 1
    for outcome in report.outcomes:
        if outcome.status != "unchanged" or outcome.skipped:
            print(outcome.line())
    print(report.line())
    return 0
