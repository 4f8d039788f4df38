"""What a publish commit contains: day files, merged with what the repository already holds.

Pure functions (no I/O) so the merge rules can be tested on their own:
- a record lands in ``data/raw/<household_id>/YYYY/MM/DD.jsonl`` (``record.raw_path``);
- the remote file wins: a batch record is added only if the file has no line for its interval,
  so re-sending a batch after a lost answer never duplicates or rewrites anything;
- lines are sorted by interval and written as ``record.canonical_json`` plus a newline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .record import canonical_json, is_household_id, raw_path

RAW_ROOT: Final = "data/raw"
RECORDS_PER_DAY: Final = 288
DEFAULT_MAX_RECORDS: Final = 7 * RECORDS_PER_DAY  # one commit holds at most a week


def household_folder(household_id: str) -> str:
    """The repository folder holding every file of one household."""
    _check_household(household_id)
    return f"{RAW_ROOT}/{household_id}"


def _check_household(household_id: str) -> None:
    if not is_household_id(household_id):
        raise ValueError(f"{household_id!r} is not a household id (a lowercase random UUID)")


def plan_day_files(household_id: str, records: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Canonical lines of a batch, by repository path then interval; the first record of an interval wins.

    Raises ``record.RecordInvalidError`` for an invalid record, before anything is sent.
    """
    _check_household(household_id)
    files: dict[str, dict[str, str]] = {}
    for record in records:
        line = canonical_json(record)
        interval = str(record["interval_start_utc"])
        path = f"{RAW_ROOT}/{raw_path(household_id, interval)}"
        files.setdefault(path, {}).setdefault(interval, line)
    return files


@dataclass(frozen=True, slots=True)
class MergedFile:
    """A day file after the merge, and the intervals the batch added to it."""

    text: str
    added: tuple[str, ...]


def _interval_of(line: str) -> str | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    interval = value.get("interval_start_utc") if isinstance(value, dict) else None
    return interval if isinstance(interval, str) else None


def merge_day_file(existing: str | None, batch: Mapping[str, str]) -> MergedFile:
    """Union of the remote file and the batch's lines (remote wins), sorted by interval.

    Remote lines are kept byte for byte, even ones that do not parse (the aggregation
    quarantines those; deleting someone's data is not this module's call).
    """
    keyed: list[tuple[str, str]] = []
    unkeyed: list[str] = []
    for line in (existing or "").splitlines():
        if not line.strip():
            continue
        interval = _interval_of(line)
        if interval is None:
            unkeyed.append(line)
        else:
            keyed.append((interval, line))
    present = {interval for interval, _ in keyed}
    added = tuple(sorted(interval for interval in batch if interval not in present))
    if not added:
        return MergedFile(existing or "", ())
    keyed.extend((interval, batch[interval]) for interval in added)
    keyed.sort(key=lambda pair: pair[0])  # stable: duplicate remote lines keep their order
    lines = [line for _, line in keyed] + unkeyed
    return MergedFile("".join(line + "\n" for line in lines), added)


def commit_message(household_id: str, intervals: Sequence[str]) -> str:
    """``Telemetry <household>: <first>..<last> (<n> records)``."""
    ordered = sorted(intervals)
    count = len(ordered)
    noun = "record" if count == 1 else "records"
    return f"Telemetry {household_id}: {ordered[0]}..{ordered[-1]} ({count} {noun})"


def split_backlog(
    records: Iterable[Mapping[str, Any]], max_records: int = DEFAULT_MAX_RECORDS
) -> list[list[Mapping[str, Any]]]:
    """A backlog in interval order, cut into batches of at most ``max_records`` (one commit each)."""
    if max_records < 1:
        raise ValueError("max_records must be at least 1")
    ordered = sorted(records, key=lambda record: str(record["interval_start_utc"]))
    return [ordered[start : start + max_records] for start in range(0, len(ordered), max_records)]
