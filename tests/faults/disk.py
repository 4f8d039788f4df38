"""A tiny real disk for fault tests: a tmpfs of a few pages, filled to the last byte on demand.

The test environment (scripts/run) runs as root in a private mount namespace, so ``mount`` works
and the mount disappears with the namespace; elsewhere (CI's runner user) ``sudo -n`` mounts it.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TINY_DISK = "64k"


def _privileged(*command: str) -> list[str]:
    return list(command) if os.geteuid() == 0 else ["sudo", "-n", *command]


@contextmanager
def tiny_disk(folder: Path, size: str = TINY_DISK) -> Iterator[Path]:
    """Mount a tmpfs of ``size`` on ``folder`` (owned by the test's user) for the block's duration."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0755,uid={os.getuid()},gid={os.getgid()}"
    subprocess.run(_privileged("mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)), check=True)
    try:
        yield folder
    finally:
        subprocess.run(_privileged("umount", "-l", str(folder)), check=True)


def fill(disk: Path) -> Path:
    """Write a filler file until the disk answers ENOSPC; returns it (delete it to free the space)."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:
        chunk = b"\xff" * 4096
        while True:
            try:
                handle.write(chunk)
            except OSError as err:
                assert err.errno == errno.ENOSPC, err
                if len(chunk) == 1:
                    break
                chunk = chunk[: len(chunk) // 2]
    return filler
