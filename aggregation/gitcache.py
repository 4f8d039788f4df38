"""One household repository's bare git cache for the ingest: shallow, partial, and kept small.

A fetch is ``--depth=1 --filter=blob:limit=<cap>``: only the new commit, its changed trees and the
changed blobs under the cap travel (the server counts the cached head as a "have"). Once the pack files
pass ``TRIM_BYTES`` the cache is repacked down to the head's commit and trees (``trim``): the blobs were
copied out already, and one the build needs again is fetched back by id from the promisor remote
(``fetch_blobs``). So the cache holds a head's trees plus a few fetches' new objects, whatever the
repository's age. Nothing here runs in a work tree or follows anything from the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

TRIM_BYTES = 256 * 1024  # per repository: a head's trees and about a day of hourly fetches
KEEP_LATEST = 2  # day files whose blobs a trim keeps: still being written, the server's delta bases
# Reading never asks the household's repository for more (a missing, too big blob stays missing); only a
# fetch may, for the base of a delta against a trimmed blob. No maintenance, no fsync (a lost cache only
# costs a fetch).
NO_LAZY = {"GIT_NO_LAZY_FETCH": "1"}
CONFIG = ("-c", "core.fsync=none", "-c", "gc.auto=0", "-c", "maintenance.auto=false")


@dataclass(frozen=True, slots=True)
class Entry:
    """A path at the head: mode, blob (or commit) id."""

    path: str
    mode: str
    sha: str


class Cache:
    """The bare cache ``<root>/<household_id>.git`` of one repository at ``url``."""

    def __init__(self, root: Path, household_id: str, url: str, blob_limit: int) -> None:
        self.path = root / f"{household_id}.git"
        self.url = url
        self.blob_filter = f"blob:limit={blob_limit}"

    def exists(self) -> bool:
        return (self.path / "HEAD").is_file()

    def _git(self, *args: str, deadline: float, stdin: bytes | None = None, lazy: bool = False) -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.path.parent),
            "GIT_TERMINAL_PROMPT": "0",
        }
        env |= {} if lazy else NO_LAZY
        result = subprocess.run(
            ["git", *CONFIG, "--git-dir", str(self.path), *args],
            cwd=self.path.parent,  # never inside a work tree: nothing of the project's checkout is read
            input=stdin,
            capture_output=True,
            env=env,
            timeout=left,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"git {args[0]} failed: {result.stderr.decode(errors='replace').strip()[-300:]}")
        return result.stdout

    def _init(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        for folder in ("objects/pack", "objects/info", "refs/heads", "refs/tags"):
            (self.path / folder).mkdir(parents=True)
        (self.path / "HEAD").write_text("ref: refs/heads/main\n")
        # What `git init --bare` and `git clone --filter` write, without two more processes.
        (self.path / "config").write_text(
            "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"
            f'[remote "origin"]\n\turl = {self.url}\n\tpromisor = true\n\tpartialclonefilter = {self.blob_filter}\n'
        )

    def fetch(self, branch: str, deadline: float) -> None:
        """Bring the branch's head (shallow) with its changed blobs under the cap."""
        if not self.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._init()
        ref = f"refs/heads/{branch}"
        self._git(
            "fetch",
            "-q",
            "--no-tags",
            "--depth=1",
            "--no-auto-maintenance",
            "--no-show-forced-updates",
            "--no-write-fetch-head",
            "--no-recurse-submodules",
            f"--filter={self.blob_filter}",
            "origin",
            f"+{ref}:{ref}",
            deadline=deadline,
            lazy=True,
        )

    def listing(self, branch: str, deadline: float) -> tuple[str, list[Entry]]:
        """The head commit and every path of its tree."""
        ref = f"refs/heads/{branch}"
        out = self._git("ls-tree", "-r", "-z", ref, deadline=deadline)
        head = self.head(branch, deadline)
        entries = []
        # A name that is not UTF-8 is no day file: read it with replacement characters, never fail on it.
        for line in filter(None, out.decode(errors="replace").split("\0")):
            meta, path = line.split("\t", 1)
            mode, _, sha = meta.split()
            entries.append(Entry(path, mode, sha))
        return head, entries

    def head(self, branch: str, deadline: float) -> str:
        ref = self.path / "refs" / "heads" / branch
        if ref.is_file():  # what the fetch wrote: no process needed
            return ref.read_text().strip()
        return self._git("rev-parse", "--verify", f"refs/heads/{branch}", deadline=deadline).decode().strip()

    def blobs(self, shas: list[str], deadline: float) -> dict[str, bytes]:
        """The blobs that are in the cache, by id (one process for all; a missing one is left out)."""
        if not shas:
            return {}
        out = self._git("cat-file", "--batch", stdin="".join(f"{sha}\n" for sha in shas).encode(), deadline=deadline)
        found: dict[str, bytes] = {}
        at = 0
        for sha in shas:
            end = out.index(b"\n", at)
            header = out[at:end].split()
            at = end + 1
            if len(header) == 2 and header[1] == b"missing":
                continue
            size = int(header[2])
            if header[1] == b"blob":
                found[sha] = out[at : at + size]
            at += size + 1
        return found

    def present(self, shas: list[str], deadline: float) -> list[str]:
        """Those of the blobs that are in the cache."""
        if not shas:
            return []
        out = self._git(
            "cat-file", "--batch-check", stdin="".join(f"{sha}\n" for sha in shas).encode(), deadline=deadline
        )
        return [line.split()[0] for line in out.decode().splitlines() if not line.endswith(" missing")]

    def fetch_blobs(self, shas: list[str], deadline: float) -> None:
        """Fetch blobs back by id (only ids the ingest took before, so each is under the cap)."""
        if shas:
            self._git(
                "-c",
                "fetch.negotiationAlgorithm=noop",
                "fetch",
                "-q",
                "--no-tags",
                "--no-auto-maintenance",
                "--no-write-fetch-head",
                "--no-recurse-submodules",
                "--filter=blob:none",
                "--stdin",
                "origin",
                stdin="".join(f"{sha}\n" for sha in shas).encode(),
                deadline=deadline,
            )

    def packed_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path / "objects" / "pack").glob("*.pack"))

    def trim(self, branch: str, keep: list[str], deadline: float) -> None:
        """Repack to the head's commit and trees and the ``keep`` blobs that are here, as a promisor pack:
        the other blobs stay fetchable by id."""
        pack_dir = self.path / "objects" / "pack"
        old = [p for p in pack_dir.iterdir() if p.name.startswith("pack-")]
        present = self.present(keep, deadline)
        name = self._git(
            "pack-objects",
            "-q",
            "--revs",
            "--filter=blob:none",  # given blobs are packed all the same
            str(pack_dir / "pack"),
            stdin="".join(f"{rev}\n" for rev in (f"refs/heads/{branch}", *present)).encode(),
            deadline=deadline,
        )
        kept = f"pack-{name.decode().strip()}"
        (pack_dir / f"{kept}.promisor").touch()
        # Only the head's commit is left: the superseded shallow boundaries would confuse the next fetch.
        (self.path / "shallow").write_text(self.head(branch, deadline) + "\n")
        for path in old:
            if not path.name.startswith(kept + "."):
                path.unlink(missing_ok=True)
        for folder in (self.path / "objects").iterdir():
            if len(folder.name) == 2:  # loose objects: now in the pack, or blobs copied out already
                shutil.rmtree(folder, ignore_errors=True)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
