"""Find raw day files in ``<household_id>/YYYY/MM/DD.jsonl`` and reject everything else.

Nothing is followed through a symlink, and names are checked before they are used, so a
folder name can never point the build outside the raw tree.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from custom_components.nem_flex_telemetry import record as rec

_YEAR = re.compile(r"[0-9]{4}")
_TWO = re.compile(r"[0-9]{2}")
_DAY_FILE = re.compile(r"([0-9]{2})\.jsonl")


@dataclass(frozen=True, slots=True)
class RawFile:
    """One day file in the layout: ``rel`` is its path relative to the raw root."""

    rel: str
    household: str
    day: str  # YYYY-MM-DD, the UTC day the file name says
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Rejected:
    """A path outside the layout (a folder or a file), with the reason."""

    rel: str
    reason: str


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


def scan(root: Path) -> tuple[list[RawFile], list[Rejected]]:
    """Every day file under ``root`` in sorted order, and every path that is not one."""
    files: list[RawFile] = []
    rejected: list[Rejected] = []
    if not root.is_dir():
        return files, rejected
    for entry in _entries(root):
        if entry.is_symlink():
            rejected.append(Rejected(entry.name, "symlink"))
        elif not entry.is_dir(follow_symlinks=False):
            rejected.append(Rejected(entry.name, "outside layout"))
        elif not rec.is_household_id(entry.name):
            rejected.append(Rejected(entry.name, "bad household id"))
        else:
            _scan_household(Path(entry.path), entry.name, files, rejected)
    return files, rejected


def _scan_household(folder: Path, household: str, files: list[RawFile], rejected: list[Rejected]) -> None:
    levels = (_YEAR, _TWO)

    def walk(path: Path, rel: str, parts: tuple[str, ...]) -> None:
        for entry in _entries(path):
            child = f"{rel}/{entry.name}"
            if entry.is_symlink():
                rejected.append(Rejected(child, "symlink"))
            elif len(parts) < len(levels):
                if entry.is_dir(follow_symlinks=False) and levels[len(parts)].fullmatch(entry.name):
                    walk(Path(entry.path), child, (*parts, entry.name))
                else:
                    rejected.append(Rejected(child, "outside layout"))
            else:
                _add_day_file(entry, child, household, parts, files, rejected)

    walk(folder, household, ())


def _add_day_file(
    entry: os.DirEntry[str],
    rel: str,
    household: str,
    parts: tuple[str, ...],
    files: list[RawFile],
    rejected: list[Rejected],
) -> None:
    match = _DAY_FILE.fullmatch(entry.name)
    if match is None or not entry.is_file(follow_symlinks=False):
        rejected.append(Rejected(rel, "outside layout"))
        return
    try:
        day = date(int(parts[0]), int(parts[1]), int(match.group(1)))
    except ValueError:
        rejected.append(Rejected(rel, "outside layout"))
        return
    stat = entry.stat(follow_symlinks=False)
    files.append(RawFile(rel, household, day.isoformat(), stat.st_size, stat.st_mtime_ns))
