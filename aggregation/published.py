"""Guard the published partitions: what the last build wrote is hashed, and anything else is undone.

``data/cohort/`` is in git, so anyone with write access could edit a partition by hand and an
incremental build (which rewrites only changed days) would leave the edit there. Each build
records a content hash of every partition it published (in the build state folder) and, before
publishing, compares: a partition that differs or is missing has its period re-published from the
cached cells, and one nobody published is removed.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from aggregation import store

RECORD = "published.json"
PERIOD = re.compile(r"(?:month|year)=([0-9]{4}(?:-[0-9]{2})?)")


def _partitions(out: Path) -> list[Path]:
    return sorted(path for path in out.glob("resolution=*/**/*.parquet") if path.is_file())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record_path(out: Path) -> Path:
    return out / store.STATE_DIR / RECORD


def _recorded(out: Path) -> dict[str, str] | None:
    try:
        value = json.loads(_record_path(out).read_text(encoding="utf-8"))
    except OSError, ValueError:
        return None  # no record yet (first build or lost state): nothing to compare against
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None


def tampered_days(out: Path, days: list[str]) -> set[str]:
    """The days whose partitions must be published again; partitions nobody published are deleted."""
    recorded = _recorded(out)
    if recorded is None:
        return set()
    periods: set[str] = set()
    present = {path.relative_to(out).as_posix(): path for path in _partitions(out)}
    for rel, digest in recorded.items():
        path = present.get(rel)
        if path is None or _digest(path) != digest:
            periods.update(PERIOD.findall(rel))
    for rel, path in present.items():
        if rel not in recorded:
            path.unlink()
            periods.update(PERIOD.findall(rel))
    return {day for day in days if any(day.startswith(period) for period in periods)}


def record(out: Path) -> None:
    """Remember the content hash of every partition now published."""
    hashes = {path.relative_to(out).as_posix(): _digest(path) for path in _partitions(out)}
    target = _record_path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(hashes, indent=0, sort_keys=True), encoding="utf-8")
