"""A bare git repository driven through the git CLI: the storage behind the local GitHub server.

Everything GitHub's Git Data API does maps onto plumbing commands, so what the server
stores is a real commit that ``git log`` and the aggregation can read.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
TREE_MODE = "040000"


class GitError(Exception):
    """A git command failed (an unknown object, a malformed tree, ...)."""


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One line of ``git ls-tree``: a file or a sub-tree."""

    mode: str
    type: str
    sha: str
    path: str
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """Author or committer of a commit."""

    name: str
    email: str
    date: str  # ISO 8601 UTC, "2026-07-14T00:05:00Z"


@dataclass(frozen=True, slots=True)
class Commit:
    """A parsed commit object."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str


# A tree change: None deletes the path, otherwise (mode, type, sha).
Change = tuple[str, str, str] | None


class GitRepo:
    """The bare repository at ``path`` (``init`` creates it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
        result = subprocess.run(
            ["git", "--git-dir", str(self.path), *args], input=stdin, capture_output=True, env=env, check=False
        )
        if result.returncode:
            raise GitError(result.stderr.decode(errors="replace").strip() or f"git {args[0]} failed")
        return result.stdout

    def text(self, *args: str, stdin: bytes | None = None) -> str:
        return self.git(*args, stdin=stdin).decode().strip()

    def init(self, branch: str = "main") -> None:
        """Create the bare repository unless it exists already."""
        if (self.path / "HEAD").exists():
            return
        self.path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "--bare", "-q", "-b", branch, str(self.path)], check=True)

    # Objects -------------------------------------------------------------
    def object_type(self, sha: str) -> str | None:
        try:
            return self.text("cat-file", "-t", sha)
        except GitError:
            return None

    def write_blob(self, content: bytes) -> str:
        return self.text("hash-object", "-w", "--stdin", stdin=content)

    def read_blob(self, sha: str) -> bytes:
        return self.git("cat-file", "blob", sha)

    def ls_tree(self, tree: str, *, recursive: bool = False) -> list[TreeEntry]:
        args = ["ls-tree", "-l", "-z"] + (["-r", "-t"] if recursive else []) + [tree]
        entries = []
        for line in self.git(*args).decode().split("\0"):
            if not line:
                continue
            meta, path = line.split("\t", 1)
            mode, kind, sha, size = meta.split()
            entries.append(TreeEntry(mode, kind, sha, path, None if size == "-" else int(size)))
        return entries

    def make_tree(self, entries: list[TreeEntry]) -> str:
        lines = "".join(f"{e.mode} {e.type} {e.sha}\t{e.path}\0" for e in entries)
        return self.text("mktree", "-z", stdin=lines.encode())

    def apply_changes(self, base_tree: str | None, changes: dict[str, Change]) -> str:
        """A new tree: ``base_tree`` with ``changes`` (nested paths) applied; empty folders vanish."""
        current = {e.path: e for e in self.ls_tree(base_tree)} if base_tree else {}
        nested: dict[str, dict[str, Change]] = {}
        for path, change in changes.items():
            head, _, rest = path.partition("/")
            if rest:
                nested.setdefault(head, {})[rest] = change
            elif change is None:
                current.pop(head, None)
            else:
                mode, kind, sha = change
                current[head] = TreeEntry(mode, kind, sha, head)
        for name, sub_changes in nested.items():
            existing = current.get(name)
            sub_base = existing.sha if existing and existing.type == "tree" else None
            sub_tree = self.apply_changes(sub_base, sub_changes)
            if sub_tree == EMPTY_TREE:
                current.pop(name, None)
            else:
                current[name] = TreeEntry(TREE_MODE, "tree", sub_tree, name)
        return self.make_tree(list(current.values()))  # the empty tree when nothing is left

    def commit_tree(self, tree: str, parents: list[str], message: str, author: Person, committer: Person) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": author.date,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": committer.date,
        }
        return self.git(*args, stdin=message.encode(), env=env).decode().strip()

    def read_commit(self, sha: str) -> Commit:
        fmt = "%T%n%P%n%an%n%ae%n%aI%n%cn%n%ce%n%cI%n%B"
        out = self.git("show", "-s", f"--format={fmt}", "--no-show-signature", sha).decode()
        tree, parents, an, ae, ad, cn, ce, cd, message = out.split("\n", 8)
        return Commit(
            sha,
            tree,
            tuple(parents.split()),
            Person(an, ae, _utc(ad)),
            Person(cn, ce, _utc(cd)),
            message.removesuffix("\n"),
        )

    def path_in_tree(self, tree: str, path: str) -> TreeEntry | None:
        """The entry at ``path`` (file or folder) inside ``tree``; None when absent."""
        if not path:
            return TreeEntry(TREE_MODE, "tree", tree, "")
        out = self.git("ls-tree", "-l", "-z", tree, "--", path).decode()
        for line in out.split("\0"):
            if not line:
                continue
            meta, found = line.split("\t", 1)
            if found == path:
                mode, kind, sha, size = meta.split()
                return TreeEntry(mode, kind, sha, found, None if size == "-" else int(size))
        return None

    # Refs ----------------------------------------------------------------
    def resolve(self, ref: str) -> str | None:
        try:
            return self.text("rev-parse", "--verify", "-q", f"{ref}^{{commit}}")
        except GitError:
            return None

    def branch_head(self, branch: str) -> str | None:
        return self.resolve(f"refs/heads/{branch}")

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        result = subprocess.run(
            ["git", "--git-dir", str(self.path), "merge-base", "--is-ancestor", ancestor, descendant],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def update_branch(self, branch: str, new: str, old: str | None) -> bool:
        """Compare-and-swap the branch; False when it moved since ``old`` was read."""
        try:
            self.git("update-ref", f"refs/heads/{branch}", new, old or "")
        except GitError:
            return False
        return True


def _utc(iso: str) -> str:
    """Git's ``%aI`` (``2026-07-14T00:05:00+00:00``) as GitHub's ``...Z`` form."""
    return iso.replace("+00:00", "Z")
