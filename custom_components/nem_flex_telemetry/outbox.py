"""A durable local outbox of validated records: append-only JSONL segments that repair themselves.

Layout in ``<config>/.storage/nem_flex_telemetry/<entry_id>/``: segment files ``s<sequence>.jsonl``
of at most ``SEGMENT_RECORDS`` canonical records (one per line, in the order they were sampled),
``index.json`` (how far publishing got: ``acked_segment`` + ``acked_records``, the interval
``acked_through`` of the last record acknowledged, ``dropped`` and ``bad`` counts) and
``unreadable.bad`` (lines that could not be read, moved aside).

* A sample costs one unbuffered write + ``fdatasync``: O(1), independent of size. The offset
  before it is remembered and the file is cut back to it when the write fails (a full disk),
  so a failed append leaves nothing behind and the next one starts on a clean line.
* Acknowledgement is by position in the log, not by interval, so a record stamped by a clock
  that was ahead never hides the correctly stamped records sampled after it. A segment whose
  records are all acknowledged is deleted; sequence numbers never repeat. Segments of the
  older layout (``<first interval>.jsonl``) are read as pending.
* Nothing read back is fatal: a torn last line, a NUL block, half a line followed by a newline
  or a line without its interval is moved to ``unreadable.bad`` and counted (``bad``); a
  missing, empty or unreadable index is rebuilt from the segments with everything pending
  (re-sending is harmless: the merge keeps each interval once).
* Bound: at most ``MAX_RECORDS`` (8064 = 28 days, twice the 14 days required);
  a record with 16 assets is under 4 KB, so the folder stays under about 36 MB (about
  8 MB for a 2-asset household). When full, the oldest segment is dropped and counted.
* Nothing is deleted before :meth:`Outbox.acknowledge` (after a confirmed commit).

The class is synchronous and thread-safe; call it through ``hass.async_add_executor_job``.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from .record import CLOCK_TOLERANCE, TIMESTAMP_PATTERN, format_utc

SEGMENT_RECORDS: Final = 288  # one UTC day of 5-minute records
MAX_RECORDS: Final = 8064
INDEX_FILE: Final = "index.json"
BAD_FILE: Final = "unreadable.bad"
SEGMENT_SUFFIX: Final = ".jsonl"
DISK_FULL_ERRNOS: Final = frozenset({errno.ENOSPC, errno.EDQUOT})

_LOGGER = logging.getLogger(__name__)


def is_disk_full(error: OSError) -> bool:
    """True when ``error`` means no space (or quota) is left."""
    return error.errno in DISK_FULL_ERRNOS


@dataclass(slots=True)
class Segment:
    """One segment file and what it holds (``acked`` leading records are already published)."""

    path: Path
    count: int
    first: str
    last: str
    latest: str  # the highest interval in it (records can be out of order after a clock step)
    size: int  # bytes of whole good lines; anything after is cut off before the next append
    acked: int = 0


class DuplicateIntervalError(ValueError):
    """The interval is not newer than the newest one kept (a restart or a clock step back)."""


def _segment_name(sequence: int) -> str:
    return f"s{sequence:09d}{SEGMENT_SUFFIX}"


def _sequence(path: Path) -> int:
    stem = path.stem[1:]
    return int(stem) if path.stem.startswith("s") and stem.isdigit() else 0


def _lines(data: bytes) -> list[bytes]:
    """The newline-terminated lines of ``data`` (a torn tail is not one)."""
    return data.split(b"\n")[:-1]


def _parse(line: bytes) -> tuple[str, dict[str, Any]] | None:
    """(interval, record) of one stored line, or None when it cannot be read back."""
    try:
        record = json.loads(line.lstrip(b"\0"))  # a crash can leave zeros before the next line
    except ValueError:
        return None
    interval = record.get("interval_start_utc") if isinstance(record, dict) else None
    if not isinstance(interval, str) or not TIMESTAMP_PATTERN.fullmatch(interval):
        return None
    return interval, record


class Outbox:
    """Append-only store of records waiting to be published."""

    def __init__(self, directory: Path, max_records: int = MAX_RECORDS, segment_records: int = SEGMENT_RECORDS):
        self._dir = directory
        self._max = max_records
        self._segment_records = segment_records
        self._lock = threading.Lock()
        self._segments: deque[Segment] = deque()
        self._sequence = 0  # of the newest segment ever made, acknowledged ones included
        self.acked_through: str | None = None
        self.dropped = 0
        self.bad = 0  # unreadable lines moved aside, ever
        self.bad_found = 0  # ... of which found by the last load
        self.index_rebuilt = False
        self._pending = 0  # kept in step so that reading it is O(1)
        self._latest: str | None = None

    # Loading ------------------------------------------------------------------
    def load(self) -> None:
        """Read the index and scan the segments (once, at start-up); move unreadable lines aside."""
        with self._lock:
            self._dir.mkdir(parents=True, exist_ok=True)
            for leftover in self._dir.glob("*.tmp"):  # a rewrite cut short by a crash
                leftover.unlink()
            acked_sequence, acked_records = self._read_index()
            self._segments.clear()
            self.bad_found = 0
            for path in sorted(self._dir.glob(f"*{SEGMENT_SUFFIX}")):
                segment = self._scan(path)
                sequence = _sequence(path)  # 0: a segment of an older layout, never acknowledged here
                self._sequence = max(self._sequence, sequence)
                if segment is not None and 0 < sequence <= acked_sequence:
                    segment.acked = segment.count if sequence < acked_sequence else min(acked_records, segment.count)
                if segment is None or segment.acked == segment.count:
                    path.unlink()
                else:
                    if segment.acked:
                        self._forget_acked_latest(segment, self._read(segment))
                    self._segments.append(segment)
            self._pending = sum(segment.count - segment.acked for segment in self._segments)
            self._refresh_latest()
            if self.bad_found or self.index_rebuilt:
                self._try_write_index()

    def _read_index(self) -> tuple[int, int]:
        """Counts and the acknowledged position from ``index.json``; rebuilt (all pending) when unusable."""
        index = self._dir / INDEX_FILE
        if not index.exists() and not any(self._dir.glob(f"*{SEGMENT_SUFFIX}")):
            return 0, 0  # a new outbox, nothing to rebuild
        try:
            data = json.loads(index.read_bytes())
            acked_segment = data.get("acked_segment")
            acked_records = int(data.get("acked_records", 0))
            acked_through = data.get("acked_through")
            self.dropped = int(data.get("dropped", 0))
            self.bad = int(data.get("bad", 0))
            if not (acked_segment is None or isinstance(acked_segment, str)) or not (
                acked_through is None or isinstance(acked_through, str)
            ):
                raise TypeError("wrong types")
        except (OSError, ValueError, TypeError, AttributeError) as err:
            _LOGGER.warning("Outbox index %s unreadable (%s): every kept record will be sent again", index, err)
            self.index_rebuilt = True
            return 0, 0
        self.acked_through = acked_through
        acked_sequence = _sequence(Path(acked_segment)) if acked_segment is not None else 0
        self._sequence = acked_sequence
        return acked_sequence, acked_records

    def _scan(self, path: Path) -> Segment | None:
        data = path.read_bytes()
        good: list[bytes] = []
        bad: list[bytes] = []
        intervals: list[str] = []
        end = data.rfind(b"\n") + 1
        for line in _lines(data[:end]):
            parsed = _parse(line)
            if parsed is None:
                bad.append(line)
            else:
                good.append(line.lstrip(b"\0"))
                intervals.append(parsed[0])
        if data[end:].strip(b"\0"):
            bad.append(data[end:])  # the record being written when the power went
        size = end
        if bad or end < len(data) or sum(len(line) + 1 for line in good) != end:
            size = self._move_aside(path, good, bad, end)
        if not good:
            return None
        return Segment(path, len(good), intervals[0], intervals[-1], max(intervals), size)

    def _move_aside(self, path: Path, good: list[bytes], bad: list[bytes], end: int) -> int:
        """Keep the unreadable lines in ``unreadable.bad``, rewrite the segment with the good ones;
        returns the bytes of whole lines now in the segment.
        """
        self.bad += len(bad)
        self.bad_found += len(bad)
        if bad:
            _LOGGER.warning("Outbox: %d unreadable line(s) in %s moved to %s", len(bad), path.name, BAD_FILE)
        try:
            if bad:
                with (self._dir / BAD_FILE).open("ab") as handle:
                    handle.write(b"".join(line.rstrip(b"\n") + b"\n" for line in bad))
                    handle.flush()
                    os.fsync(handle.fileno())
            cleaned = b"".join(line + b"\n" for line in good)
            temporary = path.with_suffix(".tmp")
            with temporary.open("wb") as handle:
                handle.write(cleaned)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(path)
        except OSError as err:  # e.g. a full disk: reading skips the bad lines, appending cuts the tail
            _LOGGER.warning("Outbox: could not rewrite %s (%s); it is read around its bad lines", path.name, err)
            path.with_suffix(".tmp").unlink(missing_ok=True)
            return end
        return len(cleaned)

    # Writing ------------------------------------------------------------------
    @property
    def directory(self) -> Path:
        """The folder of this outbox."""
        return self._dir

    @property
    def newest(self) -> str | None:
        """Interval of the record sampled last (acknowledged or not)."""
        if self._segments:
            return self._segments[-1].last
        return self.acked_through

    @property
    def latest(self) -> str | None:
        """The highest interval of the records pending (a stamp from a clock that was ahead shows here).

        Kept up to date under the lock, so the event loop reads it without waiting for a write.
        """
        return self._latest

    def _refresh_latest(self) -> None:
        self._latest = max((segment.latest for segment in self._segments), default=None)

    @staticmethod
    def clock_was_ahead(newest: str | None, now: datetime) -> bool:
        """True when ``newest`` is more than ``CLOCK_TOLERANCE`` ahead of ``now``."""
        return newest is not None and newest > format_utc(now + CLOCK_TOLERANCE)

    def append(self, interval: str, line: str, now: datetime | None = None) -> None:
        """Persist one canonical JSON line durably.

        Raises DuplicateIntervalError when ``interval`` is not after the newest record, unless
        that one is more than ``CLOCK_TOLERANCE`` ahead of ``now`` (the clock was wrong when it
        was sampled: later records go on being kept, the merge keeps each interval once).
        Raises OSError (see :func:`is_disk_full`) with the file as it was before the call.
        """
        with self._lock:
            newest = self.newest
            if newest is not None and interval <= newest and (now is None or not self.clock_was_ahead(newest, now)):
                raise DuplicateIntervalError(f"{interval} is not after {newest}")
            segment = self._segments[-1] if self._segments else None
            if segment is None or segment.count >= self._segment_records:
                self._append_new_segment(interval, line)
            else:
                self._write_at(segment.path, segment.size, line.encode() + b"\n", new_file=False)
                segment.count += 1
                segment.last = interval
                segment.latest = max(segment.latest, interval)
                segment.size += len(line.encode()) + 1
            self._pending += 1
            self._enforce_bound()
            self._refresh_latest()

    def _append_new_segment(self, interval: str, line: str) -> None:
        path = self._dir / _segment_name(self._sequence + 1)
        data = line.encode() + b"\n"
        self._write_at(path, 0, data, new_file=True)
        self._sequence += 1
        self._segments.append(Segment(path, 1, interval, interval, interval, len(data)))

    def _write_at(self, path: Path, offset: int, data: bytes, *, new_file: bool) -> None:
        """Write ``data`` at ``offset`` (cutting anything after it) durably; on failure undo it.

        Unbuffered, so that a short write on a full disk is cut back here and not retried by a
        buffer on close.
        """
        flags = os.O_WRONLY | (os.O_CREAT | os.O_TRUNC if new_file else 0)
        try:
            descriptor = os.open(path, flags, 0o644)
            try:
                written = 0
                while written < len(data):
                    written += os.pwrite(descriptor, data[written:], offset + written)
                os.ftruncate(descriptor, offset + len(data))  # a torn tail that could not be cut at start-up
                os.fdatasync(descriptor)  # data (and size) durable; no wait on timestamps
            except OSError:
                os.ftruncate(descriptor, offset)
                raise
            finally:
                os.close(descriptor)
            if new_file:
                self._sync_directory()  # the new file's name must survive a crash too
        except OSError:
            if new_file:
                path.unlink(missing_ok=True)
            raise

    def _sync_directory(self) -> None:
        descriptor = os.open(self._dir, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _enforce_bound(self) -> None:
        while len(self._segments) > 1 and self._total() > self._max:
            oldest = self._segments.popleft()
            lost = oldest.count - oldest.acked
            self.dropped += lost
            self._pending -= lost
            oldest.path.unlink(missing_ok=True)
            self._try_write_index()

    def _total(self) -> int:
        return sum(segment.count for segment in self._segments)

    # Reading and acknowledging -------------------------------------------------
    @staticmethod
    def _read(segment: Segment) -> list[dict[str, Any]]:
        with segment.path.open("rb") as handle:
            data = handle.read(segment.size)
        return [parsed[1] for line in _lines(data) if (parsed := _parse(line)) is not None]

    def pending(self, limit: int = SEGMENT_RECORDS) -> list[dict[str, Any]]:
        """Up to ``limit`` records not yet acknowledged, in the order they were sampled."""
        with self._lock:
            found: list[dict[str, Any]] = []
            for segment in self._segments:
                if segment.acked < segment.count:
                    found.extend(self._read(segment)[segment.acked : segment.acked + limit - len(found)])
                    if len(found) >= limit:
                        break
            return found

    def pending_count(self) -> int:
        """Records not yet acknowledged."""
        return self._pending

    def acknowledge(self, through: str) -> None:
        """Forget the pending records up to and including the first one of interval ``through``
        (a commit confirmed them); no effect when no pending record has that interval.
        """
        with self._lock:
            position = self._find_pending(through)
            if position is None:
                return
            index, acked, records = position
            segment = self._segments[index]
            self._write_index(through, segment.path.name, acked)  # durable first, then forget
            self.acked_through = through
            for _ in range(index):
                self._segments.popleft().path.unlink(missing_ok=True)
            segment.acked = acked
            if acked == segment.count:
                self._segments.popleft().path.unlink(missing_ok=True)
            else:
                self._forget_acked_latest(segment, records)
            self._pending = sum(s.count - s.acked for s in self._segments)
            self._refresh_latest()

    @staticmethod
    def _forget_acked_latest(segment: Segment, records: list[dict[str, Any]]) -> None:
        """``latest`` of the records still pending (a published stamp from a clock that was ahead is gone)."""
        segment.latest = max(str(record["interval_start_utc"]) for record in records[segment.acked :])

    def _find_pending(self, interval: str) -> tuple[int, int, list[dict[str, Any]]] | None:
        for index, segment in enumerate(self._segments):
            records = self._read(segment)
            for position in range(segment.acked, segment.count):
                if records[position]["interval_start_utc"] == interval:
                    return index, position + 1, records
        return None

    def _try_write_index(self) -> None:
        """Write the index when the disk allows; a later write catches up."""
        try:
            self._write_current_index()
        except OSError as err:
            _LOGGER.warning("Outbox index not written (%s); it is written with the next acknowledgement", err)

    def _write_current_index(self) -> None:
        frontier = next((s for s in self._segments if s.acked), None)
        if frontier is not None:
            self._write_index(self.acked_through, frontier.path.name, frontier.acked)
        else:  # nothing kept is acknowledged: every segment before the first kept one is
            first = _sequence(self._segments[0].path) if self._segments else self._sequence + 1
            self._write_index(self.acked_through, _segment_name(max(first - 1, 0)), 0)

    def _write_index(self, acked_through: str | None, acked_segment: str, acked_records: int) -> None:
        temporary = self._dir / f"{INDEX_FILE}.tmp"
        state = {
            "acked_through": acked_through,
            "acked_segment": acked_segment,
            "acked_records": acked_records,
            "dropped": self.dropped,
            "bad": self.bad,
        }
        try:
            with temporary.open("w", encoding="utf-8") as handle:
                json.dump(state, handle)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self._dir / INDEX_FILE)
        except OSError:
            temporary.unlink(missing_ok=True)
            raise

    def size_bytes(self) -> int:
        """Bytes on disk (segments, index and moved-aside lines)."""
        with self._lock:
            return sum(path.stat().st_size for path in self._dir.iterdir() if path.is_file())

    def remove(self) -> None:
        """Delete the whole outbox (the entry was removed)."""
        with self._lock:
            for path in self._dir.glob("*"):
                path.unlink(missing_ok=True)
            self._dir.rmdir()
            self._segments.clear()
