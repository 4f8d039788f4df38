"""What a publish commit contains: day files, merged with what the household's repository holds.

Pure functions (no I/O) so the merge rules can be tested on their own:
- a record lands in ``raw/YYYY/MM/DD.jsonl`` of the household's data repository (``data_repo.day_file``);
- nothing in the repository is trusted blindly (anyone holding the account's token can write there):
  a remote line counts as an interval already published only if it is a valid record equal to ours
  after canonicalisation. Any other finding (an unreadable, oversized or invalid line, a different
  record for one of our intervals) raises ``UntrustedDayFileError``: nothing is committed and nothing
  is acknowledged, so the records stay in the outbox;
- lines are sorted by interval and written as ``record.canonical_json`` plus a newline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .data_repo import day_file
from .record import canonical_json, is_household_id, validate

RECORDS_PER_DAY: Final = 288
DEFAULT_MAX_RECORDS: Final = 7 * RECORDS_PER_DAY  # one commit holds at most a week
# A full day of our records is about 370 KB; anything far above is not ours.
MAX_DAY_FILE_BYTES: Final = 2 * 1024 * 1024
MAX_LINE_BYTES: Final = 16 * 1024  # our lines are under 2 KB even with 16 assets


class UntrustedDayFileError(ValueError):
    """A remote day file holds something other than our valid records; ``finding`` says what (no content)."""

    def __init__(self, path: str, finding: str) -> None:
        super().__init__(f"{path}: {finding}")
        self.path = path
        self.finding = finding


def plan_day_files(household_id: str, records: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Canonical lines of a batch, by repository path then interval; the first record of an interval wins.

    Raises ``record.RecordInvalidError`` for an invalid record (and ValueError for a household id
    that is not one), before anything is sent.
    """
    if not is_household_id(household_id):
        raise ValueError(f"{household_id!r} is not a household id (a lowercase random UUID)")
    files: dict[str, dict[str, str]] = {}
    for record in records:
        line = canonical_json(record)
        interval = str(record["interval_start_utc"])
        files.setdefault(day_file(interval), {}).setdefault(interval, line)
    return files


@dataclass(frozen=True, slots=True)
class MergedFile:
    """A day file after the merge, and the intervals the batch added to it."""

    text: str
    added: tuple[str, ...]


def _remote_records(path: str, existing: bytes) -> dict[str, str]:
    """interval -> canonical line of every line in the remote file; raises on anything else."""
    if len(existing) > MAX_DAY_FILE_BYTES:
        raise UntrustedDayFileError(path, f"the file is {len(existing)} bytes, over the {MAX_DAY_FILE_BYTES} limit")
    try:
        text = existing.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UntrustedDayFileError(path, f"the file is not valid UTF-8 (byte {err.start})") from None
    lines: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        if len(line.encode()) > MAX_LINE_BYTES:
            raise UntrustedDayFileError(path, f"line {number} is over the {MAX_LINE_BYTES}-byte limit")
        try:
            value = json.loads(line)
        except RecursionError:
            raise UntrustedDayFileError(path, f"line {number} is nested too deeply") from None
        except ValueError:
            raise UntrustedDayFileError(path, f"line {number} is not JSON") from None
        errors = validate(value)
        if errors:
            first = errors[0]
            raise UntrustedDayFileError(path, f"line {number} is not a valid record ({first.path}: {first.message})")
        interval = str(value["interval_start_utc"])
        if interval in lines:
            raise UntrustedDayFileError(path, f"line {number} repeats the interval {interval}")
        lines[interval] = canonical_json(value)
    return lines


def merge_day_file(path: str, existing: bytes | None, batch: Mapping[str, str]) -> MergedFile:
    """Union of the remote file's records and the batch's, sorted by interval.

    An interval counts as published only when the remote holds exactly our record for it;
    raises ``UntrustedDayFileError`` for any other finding (see the module docstring).
    """
    remote = _remote_records(path, existing) if existing else {}
    for interval, line in batch.items():
        if interval in remote and remote[interval] != line:
            raise UntrustedDayFileError(path, f"the file holds a different record for {interval}")
    added = tuple(sorted(interval for interval in batch if interval not in remote))
    if not added:
        return MergedFile((existing or b"").decode(), ())
    merged = remote | {interval: batch[interval] for interval in added}
    return MergedFile("".join(merged[interval] + "\n" for interval in sorted(merged)), added)


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
