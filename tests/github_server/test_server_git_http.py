"""Git smart HTTP through the real git http-backend: ls-remote, shallow and partial clones, public only."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from .server import GitHubServer


async def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The server shares this event loop, so the client must not block it; cwd outside any work tree.
    return await asyncio.to_thread(subprocess.run, ["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


async def test_ls_remote_and_a_shallow_partial_clone(github: GitHubServer, tmp_path: Path) -> None:
    github.create_repo("alice", "data", files={"raw/2026/07/13.jsonl": b"a\n"})
    head = github.commit("alice", "data", {"raw/2026/07/14.jsonl": b"b\n" * 1000})
    listed = await git("ls-remote", github.git_url("alice", "data"), "refs/heads/main", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.split()[0] == head
    github.clear_log()
    clone = await git(
        "clone", "-q", "--depth=1", "--filter=blob:limit=100", github.git_url("alice", "data"), "c", cwd=tmp_path
    )
    assert clone.returncode == 0, clone.stderr
    assert (tmp_path / "c/raw/2026/07/14.jsonl").read_bytes() == b"b\n" * 1000  # fetched lazily on checkout
    assert (await git("rev-list", "--count", "HEAD", cwd=tmp_path / "c")).stdout.strip() == "1"
    assert github.log and all(entry.status == 200 for entry in github.log)


async def test_private_and_unknown_repositories_are_not_served(github: GitHubServer, tmp_path: Path) -> None:
    github.create_repo("alice", "secret", private=True)
    for name in ("secret", "missing"):
        result = await git("ls-remote", github.git_url("alice", name), cwd=tmp_path)
        assert result.returncode != 0
    github.create_repo("alice", "public")
    await git("init", "-q", "local", cwd=tmp_path)
    made = await git(
        "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x", cwd=tmp_path / "local"
    )
    assert made.returncode == 0
    pushed = await git("push", github.git_url("alice", "public"), "HEAD:refs/heads/x", cwd=tmp_path / "local")
    assert pushed.returncode != 0 and github.repo("alice", "public").git.resolve("refs/heads/x") is None
