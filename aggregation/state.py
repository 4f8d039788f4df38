"""The build state: which raw files were processed (size, mtime, content hash) and what they held.

Kept as sorted, indented JSON so that two builds of the same input write the same bytes
and a diff of the state shows what a run changed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from aggregation import jsonfile
from aggregation.clean import FileSummary
from aggregation.layout import RawFile, Rejected
from aggregation.read import MAX_FILE_BYTES, content_digest
from aggregation.reasons import Tally, known

VERSION: Final = 2  # 2: view partials under _state/partials


def content_hash(path: Path) -> str:
    """Content hash of a file's bytes: decides whether a file whose mtime moved (a fresh checkout) changed."""
    return content_digest(path.read_bytes())


@dataclass(slots=True)
class FileEntry:
    size: int
    mtime_ns: int
    hash: str
    summary: FileSummary


@dataclass(slots=True)
class State:
    files: dict[str, FileEntry] = field(default_factory=dict)
    rejected_paths: list[Rejected] = field(default_factory=list)
    days: list[str] = field(default_factory=list)  # UTC days with cell caches

    def to_json(self) -> str:
        return jsonfile.dumps(self.to_data(), indent=1, sort_keys=True).decode("utf-8")

    def to_data(self) -> dict[str, Any]:
        """The state as written: per file counts under the fixed reason vocabulary, and the paths outside
        the layout as counts with a few examples (every run scans them again), so its size follows the
        number of day files, whatever they or the junk around them hold."""
        files = {
            rel: {
                "size": entry.size,
                "mtime_ns": entry.mtime_ns,
                "hash": entry.hash,
                "records": entry.summary.records,
                "rejected": dict(sorted(entry.summary.rejected.items())),
                "duplicates": entry.summary.duplicates,
                "flagged": entry.summary.flagged,
                "file_reason": entry.summary.file_reason,
                "flags": dict(sorted(entry.summary.flags.items())),
                "dropped": entry.summary.dropped,
            }
            for rel, entry in sorted(self.files.items())
        }
        paths = Tally()
        for item in self.rejected_paths:
            paths.add(item.reason, examples=[item.rel])
        return {"version": VERSION, "files": files, "rejected_paths": paths.to_json(), "days": sorted(self.days)}


def load(path: Path) -> State:
    """The saved state, or an empty one when there is none or it is from another version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError, ValueError:
        return State()
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return State()
    state = State(days=list(data.get("days", [])))
    for rel, item in data.get("files", {}).items():
        summary = FileSummary(
            records=item["records"],
            rejected=Counter(item["rejected"]),
            duplicates=item["duplicates"],
            flagged=item["flagged"],
            file_reason=item["file_reason"] and known(item["file_reason"]),
            flags=Counter({known(name): n for name, n in item.get("flags", {}).items()}),
            dropped=list(item.get("dropped", [])),
        )
        summary.rejected = Counter({known(name): n for name, n in summary.rejected.items()})
        state.files[rel] = FileEntry(item["size"], item["mtime_ns"], item["hash"], summary)
    # Paths outside the layout are not loaded: every run scans them again.
    return state


def changed_files(state: State, root: Path, files: list[RawFile]) -> tuple[list[RawFile], dict[str, str], set[str]]:
    """Files to (re)process, their content hashes, and the days whose files changed or vanished."""
    changed: list[RawFile] = []
    hashes: dict[str, str] = {}
    days: set[str] = set()
    for file in files:
        known = state.files.get(file.rel)
        if known is None:  # new: hashed later from the bytes the build reads anyway
            changed.append(file)
            days.add(file.day)
            continue
        if known.size == file.size and known.mtime_ns == file.mtime_ns:
            continue
        if known.size != file.size:  # changed for sure: hashed later from the bytes the build reads anyway
            changed.append(file)
            days.add(file.day)
            continue
        try:
            digest = content_hash(root / file.rel) if file.size <= MAX_FILE_BYTES else ""
        except OSError:
            digest = ""  # unreadable: read_files quarantines it
        if known.size == file.size and known.hash == digest:
            known.mtime_ns = file.mtime_ns  # same bytes, new mtime (e.g. a fresh checkout)
            continue
        changed.append(file)
        hashes[file.rel] = digest
        days.add(file.day)
    present = {file.rel for file in files}
    for rel in state.files:
        if rel not in present:
            days.add(rel.split("/", 1)[1][:10].replace("/", "-"))
    return changed, hashes, days
