"""``python -m aggregation ingest``: the registered households' day files, fetched only when they changed.

For each active binding in the registry one conditional ``GET /repos/{o}/{r}`` (a 304 is free of rate
limit) says whether the repository moved since the last run, and whether it is still the bound one
(same id, name and owner, public, under the size cap). Only a changed repository is fetched, with git
smart HTTP (``--depth=1 --filter=blob:limit=``, so big files never travel and only new objects do),
into a small bare cache per household (``aggregation.gitcache``); its ``raw/YYYY/MM/DD.jsonl`` files
whose blob changed are copied to ``<work>/raw/<household_id>/YYYY/MM/DD.jsonl``, the layout
``python -m aggregation build`` reads.

The raw tree is bounded by what the build still needs. A day file the build state holds with the same
content (``aggregation.state.holdings``) is left out of the raw tree and listed in ``<work>/raw.held.json``,
which the build reads as "unchanged"; it is brought back (from the cache, or fetched by blob id) when
the build will read it again: on a day without cached intervals that is rebuilt, or when the state is
missing or was written by other code (then everything comes back and the build starts over).

Nothing from a household's repository is executed or followed: symlinks, submodules, LFS pointers and
files over the cap are skipped with a reason. A repository that fails keeps its last good files; one
that is gone, emptied, withdrawn, excluded, renamed or transferred leaves the raw tree (and so the
next build). Losing ``<work>`` or the build state only costs a re-fetch.
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
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Literal

from . import registry as reg
from . import state as build_state
from .gitcache import KEEP_LATEST, TRIM_BYTES, Cache
from .github_rest import GitHub, GitHubError
from .progress import Progress
from .read import content_digest

HELP = "fetch the changed day files of registered household repositories"
DAY_PATH = re.compile(r"raw/([0-9]{4})/([0-9]{2})/([0-9]{2})\.jsonl")
MAX_FILE_BYTES = 2 * 1024 * 1024  # the integration never writes a day file this big
MAX_REPOSITORY_KB = 512 * 1024  # GitHub's reported size; a year of hourly commits is far below
LFS_POINTER = b"version https://git-lfs.github.com/spec/"
SYMLINK, SUBMODULE = "120000", "160000"
STATE_FORMAT = 2
HELD_FORMAT = 1
SHOWN_SKIPPED = 20  # per household in the log: a repository of 100,000 stray files is one line more, not 100,000
DEFAULT_CONCURRENCY = 32  # repositories at a time: each mostly waits on the network or on git
Status = Literal["unchanged", "updated", "withdrawn", "refused", "failed"]


@dataclass
class Seen:
    """What the last good run saw of one household's repository."""

    etag: str | None = None
    head: str | None = None
    branch: str = "main"
    files: dict[str, str] = field(default_factory=dict)  # raw-relative path -> blob sha
    digests: dict[str, str] = field(default_factory=dict)  # blob sha -> content hash, as the build state keeps it


@dataclass
class Outcome:
    household_id: str
    status: Status
    reason: str = ""
    written: int = 0
    restored: int = 0
    skipped: list[str] = field(default_factory=list)  # "path: why" for entries not taken

    def line(self) -> str:
        text = f"{self.household_id}: {self.status}"
        text += f" ({self.reason})" if self.reason else ""
        text += "".join(f"\n    skipped {note}" for note in self.skipped[:SHOWN_SKIPPED])
        more = len(self.skipped) - SHOWN_SKIPPED
        return text + (f"\n    skipped {more:,} more" if more > 0 else "")


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    held: int = 0  # day files left out of the raw tree: the build state holds them

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    def line(self) -> str:
        written = sum(o.written for o in self.outcomes)
        restored = sum(o.restored for o in self.outcomes)
        parts = ", ".join(f"{self.count(s)} {s}" for s in ("updated", "unchanged", "withdrawn", "refused", "failed"))
        return (
            f"ingest: {len(self.outcomes)} households ({parts}), {written} day files written, "
            f"{restored} brought back for the build, {self.held} held by the build state, "
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

    def git(self, binding: reg.Binding) -> Cache:
        url = f"{self.git_base}/{binding.repository}.git"
        return Cache(self.cache / "git", binding.household_id, url, self.max_file_bytes)


def _shown(path: str) -> str:
    """A repository's path as the log may show it: a newline or other control character escaped, so that
    no file name can start a line of its own (a GitHub Actions workflow command such as ``::error::``)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)


def git_base_for(api: str) -> str:
    """Where git is served for an API base: github.com for api.github.com, the same host otherwise."""
    return "https://github.com" if api.rstrip("/") == "https://api.github.com" else api.rstrip("/")


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)


def _calendar_day(year: str, month: str, day: str) -> bool:
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _trim_if_big(cache: Cache, seen: Seen, deadline: float) -> None:
    if cache.packed_bytes() > TRIM_BYTES:
        latest = [seen.files[rel] for rel in sorted(seen.files)[-KEEP_LATEST:]]
        cache.trim(seen.branch, latest, deadline)


def _take(settings: Settings, household_id: str, seen: Seen, cache: Cache, deadline: float) -> Outcome:
    """Copy the head's new or changed day files into the raw tree; ``seen`` becomes the head's view."""
    outcome = Outcome(household_id, "updated")
    head, entries = cache.listing(seen.branch, deadline)
    accepted: dict[str, str] = {}
    changed: dict[str, tuple[str, str]] = {}  # rel -> (path in the repository, blob sha)
    for entry in entries:
        day = DAY_PATH.fullmatch(entry.path)
        if day is None:
            if entry.path.startswith("raw/"):
                outcome.skipped.append(f"{_shown(entry.path)}: not a raw/YYYY/MM/DD.jsonl day file")
            continue
        rel = "/".join(day.groups()) + ".jsonl"
        if not _calendar_day(*day.groups()):
            outcome.skipped.append(f"{entry.path}: not a calendar day")
        elif entry.mode == SYMLINK:
            outcome.skipped.append(f"{entry.path}: a symlink, not followed")
        elif entry.mode == SUBMODULE:
            outcome.skipped.append(f"{entry.path}: a submodule, not fetched")
        elif seen.files.get(rel) == entry.sha and entry.sha in seen.digests:
            accepted[rel] = entry.sha
        else:
            changed[rel] = (entry.path, entry.sha)
    shas = sorted({sha for _, sha in changed.values()})
    blobs = cache.blobs(shas, deadline)
    # A blob taken before and trimmed since is not sent again (the server counts it as ours): fetch it by id.
    again = [sha for sha in shas if sha not in blobs and sha in seen.digests]
    if again:
        cache.fetch_blobs(again, deadline)
        blobs |= cache.blobs(again, deadline)
    home = settings.raw / household_id
    digests = {sha: seen.digests[sha] for sha in accepted.values()}
    for rel, (path, sha) in sorted(changed.items()):
        data = blobs.get(sha)
        if data is None:
            outcome.skipped.append(f"{path}: over {settings.max_file_bytes:,} bytes, not fetched")
        elif data.startswith(LFS_POINTER):
            outcome.skipped.append(f"{path}: a Git LFS pointer, not the data")
        else:
            _write(home / rel, data)
            accepted[rel], digests[sha] = sha, content_digest(data)
            outcome.written += 1
    if not accepted:
        raise GoneError("no day files left at the head: counted as withdrawn")
    for rel in set(seen.files) - set(accepted):
        (home / rel).unlink(missing_ok=True)
    seen.head, seen.files, seen.digests = head, accepted, digests
    _trim_if_big(cache, seen, deadline)
    return outcome


def _check(settings: Settings, binding: reg.Binding, etag: str | None) -> dict[str, Any] | None:
    """The repository's metadata when it changed since the last run, None when a 304 says it did not."""
    github = settings.github
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


def _guarded[T](household_id: str, work: Callable[[], tuple[Outcome, T]], timeout: float, keep: T) -> tuple[Outcome, T]:
    """Run one household's step; a failure becomes its outcome and ``keep`` what is kept of it."""
    try:
        return work()
    except subprocess.TimeoutExpired, TimeoutError:
        return Outcome(household_id, "failed", f"timed out after {timeout:.0f} s; last good data kept"), keep
    except (GitHubError, RuntimeError, OSError, ValueError, KeyError, TypeError) as err:
        return Outcome(household_id, "failed", f"{err}; last good data kept"), keep


def _one(settings: Settings, binding: reg.Binding, seen: Seen) -> tuple[Outcome, Seen | None]:
    """One household's fetch; the Seen to keep (None: forget it, the household left the raw tree)."""
    household_id = binding.household_id
    if binding.excluded is not None:
        return Outcome(household_id, "refused", "excluded by the maintainers"), None
    if binding.left is not None:
        return Outcome(household_id, "withdrawn", "left the cohort"), None
    deadline = time.monotonic() + settings.timeout
    cache = settings.git(binding)

    def fetch() -> tuple[Outcome, Seen | None]:
        repo = _check(settings, binding, seen.etag if cache.exists() else None)  # no cache: fetch again
        if repo is None:
            return Outcome(household_id, "unchanged"), seen
        if repo.get("pushed_at") is None:
            raise GoneError("the repository is empty: counted as withdrawn")
        fresh = Seen(seen.etag, seen.head, str(repo.get("default_branch") or "main"), dict(seen.files))
        fresh.digests = dict(seen.digests)
        cache.fetch(fresh.branch, deadline)
        outcome = _take(settings, household_id, fresh, cache, deadline)
        fresh.etag = repo["_etag"]
        return outcome, fresh

    try:
        return _guarded(household_id, fetch, settings.timeout, seen)
    except GoneError as err:
        return Outcome(household_id, "withdrawn", str(err)), None
    except RefusedError as err:
        return Outcome(household_id, "refused", str(err)), None


def _needed(kept: dict[str, Seen], holdings: build_state.Holdings) -> dict[str, set[str]]:
    """Per household, the day files the next build reads: those the state does not hold with this content,
    and every file of a day without cached intervals that one of them makes the build rebuild."""
    fresh = {
        household_id: {
            rel
            for rel, sha in seen.files.items()
            if holdings.files.get(f"{household_id}/{rel}") != seen.digests.get(sha)
        }
        for household_id, seen in kept.items()
    }
    whole_days = {_day(rel) for rels in fresh.values() for rel in rels} - holdings.records_days
    return {
        household_id: fresh[household_id] | {rel for rel in seen.files if _day(rel) in whole_days}
        for household_id, seen in kept.items()
    }


def _day(rel: str) -> str:
    return rel[:10].replace("/", "-")


def _settle(settings: Settings, binding: reg.Binding, seen: Seen, needed: set[str]) -> tuple[str, int, str]:
    """Leave out of the raw tree the files the build holds and bring back those it will read:
    (household, files brought back, what went wrong or "")."""
    household_id = binding.household_id
    home = settings.raw / household_id
    for rel in set(seen.files) - needed:
        (home / rel).unlink(missing_ok=True)
    _remove_empty_folders(home)
    missing = sorted(rel for rel in needed if not (home / rel).is_file())
    if not missing:
        return household_id, 0, ""
    deadline = time.monotonic() + settings.timeout
    cache = settings.git(binding)
    try:
        shas = sorted({seen.files[rel] for rel in missing})
        blobs = cache.blobs(shas, deadline) if cache.exists() else {}
        absent = [sha for sha in shas if sha not in blobs]
        if absent:
            if not cache.exists():
                raise RuntimeError("no git cache to fetch them into")
            cache.fetch_blobs(absent, deadline)
            blobs |= cache.blobs(absent, deadline)
        for rel in missing:
            if (data := blobs.get(seen.files[rel])) is not None:
                _write(home / rel, data)
        _trim_if_big(cache, seen, deadline)
    except (subprocess.TimeoutExpired, TimeoutError, RuntimeError, OSError) as err:
        problem = f"could not bring back day files the build needs ({err}); the build waits for them"
        return household_id, sum((home / rel).is_file() for rel in missing), problem
    left = [rel for rel in missing if not (home / rel).is_file()]
    problem = f"{len(left)} day files the build needs are not in the repository any more" if left else ""
    return household_id, len(missing) - len(left), problem


def _remove_empty_folders(home: Path) -> None:
    for folder in sorted((p for p in home.glob("*/*") if p.is_dir()), reverse=True):
        for path in (folder, folder.parent):
            try:
                path.rmdir()
            except OSError:
                break  # not empty


def _held(settings: Settings, kept: dict[str, Seen], holdings: build_state.Holdings) -> dict[str, str]:
    """Files absent from the raw tree that the build state holds with their content: the build's "unchanged"."""
    held = {}
    for household_id, seen in kept.items():
        for rel, sha in seen.files.items():
            key = f"{household_id}/{rel}"
            digest = seen.digests.get(sha)
            if digest and holdings.files.get(key) == digest and not (settings.raw / key).is_file():
                held[key] = digest
    return held


def _load_state(path: Path) -> dict[str, Seen]:
    try:
        document = json.loads(path.read_text())
        if document.get("format") != STATE_FORMAT:
            return {}
        return {
            hid: Seen(v.get("etag"), v.get("head"), v.get("branch", "main"), dict(v["files"]), dict(v["digests"]))
            for hid, v in document["households"].items()
        }
    except OSError, ValueError, AttributeError, KeyError, TypeError:
        return {}  # a lost or damaged cache only costs a full fetch


def _save_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(document, sort_keys=True))
    partial.replace(path)


def _in_pool[T](concurrency: int, jobs: Iterable[Callable[[], T]], unit: str) -> list[T]:
    todo = list(jobs)
    progress = Progress(len(todo), unit)
    results = []
    with ThreadPoolExecutor(max_workers=max(concurrency, 1)) as pool:
        for future in as_completed([pool.submit(job) for job in todo]):
            results.append(future.result())
            progress.advance(1)
    progress.close()
    return results


def ingest(
    api: str,
    token: str | None,
    registry_path: Path,
    work: Path,
    *,
    cohort: Path = build_state.DEFAULT_COHORT,
    state_path: Path | None = None,
    git_base: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = 120.0,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_repository_kb: int = MAX_REPOSITORY_KB,
) -> Report:
    """Bring ``<work>/raw`` up to date with every registered repository, as far as the build state in
    ``cohort`` (``state_path``) still needs it; callable from tests."""
    started = time.monotonic()
    bindings = reg.load(registry_path)  # a broken registry raises before anything is touched
    github = GitHub(api, token, timeout=timeout)
    # Absolute: git runs beside each cache repository (never in the project's checkout), so a relative
    # --work (the workflow's "work") would name another folder there.
    work = work.absolute()
    settings = Settings(github, git_base or git_base_for(api), work, timeout, max_file_bytes, max_repository_kb)
    state_file = settings.cache / "state.json"
    seen = _load_state(state_file)
    report = Report()
    kept: dict[str, Seen] = {}
    fetches = [partial(_one, settings, b, seen.get(b.household_id, Seen())) for b in bindings.values()]
    for outcome, keep in _in_pool(concurrency, fetches, "repositories"):
        report.outcomes.append(outcome)
        if keep is not None:
            kept[outcome.household_id] = keep
    for household_id in {entry.name for entry in settings.raw.iterdir()} if settings.raw.is_dir() else set():
        if household_id not in kept:  # withdrawn, refused, unregistered: out of the next build
            shutil.rmtree(settings.raw / household_id, ignore_errors=True)
    for folder in (settings.cache / "git").glob("*.git"):
        if folder.name.removesuffix(".git") not in kept:
            shutil.rmtree(folder, ignore_errors=True)
    holdings = build_state.holdings(cohort, state_path)
    needed = _needed(kept, holdings)
    outcomes = {o.household_id: o for o in report.outcomes}
    settles = [
        partial(_settle, settings, bindings[h], kept[h], needed[h])
        for h in kept
        if needed[h] != {rel for rel in kept[h].files if (settings.raw / h / rel).is_file()}
    ]
    for household_id, restored, problem in _in_pool(concurrency, settles, "repositories settled"):
        outcome = outcomes[household_id]
        outcome.restored = restored
        if problem:
            outcome.status, outcome.reason = "failed", "; ".join(filter(None, (outcome.reason, problem)))
    held = _held(settings, kept, holdings)
    _save_json(build_state.held_path(settings.raw), {"format": HELD_FORMAT, "files": held})
    _save_json(state_file, {"format": STATE_FORMAT, "households": {k: asdict(v) for k, v in sorted(kept.items())}})
    report.outcomes.sort(key=lambda o: o.household_id)
    report.requests = github.requests  # at most one per household; git traffic is not rate limited
    report.held = len(held)
    report.seconds = time.monotonic() - started
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    parser.add_argument("--registry", type=Path, default=Path(reg.REGISTRY_PATH))
    parser.add_argument("--work", type=Path, default=Path("work"), help="raw tree and ingest cache (default: work)")
    parser.add_argument(
        "--cohort",
        type=Path,
        default=build_state.DEFAULT_COHORT,
        help=f"the build's cohort folder: its state says what the build holds (default: {build_state.DEFAULT_COHORT})",
    )
    parser.add_argument(
        "--state", type=Path, default=None, help="the build's state file (default: <cohort>/state.json)"
    )
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per repository")


def run(args: argparse.Namespace) -> int:
    try:
        report = ingest(
            args.api,
            os.environ.get("GITHUB_TOKEN") or None,  # from the environment only
            args.registry,
            args.work,
            cohort=args.cohort,
            state_path=args.state,
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
