"""A durable local outbox of validated records: append-only JSONL segments.

Layout in ``<config>/.storage/nem_flex_telemetry/<entry_id>/``: ``<first interval>.jsonl``
segment files of at most ``SEGMENT_RECORDS`` canonical records (one per line, oldest
first) and ``index.json`` holding ``acked_through`` (the last interval a confirmed commit
carried) and ``dropped`` (records discarded because the outbox was full).

* A sample costs one appended line, ``flush`` + ``fsync``: O(1), independent of size.
* A crash can leave a torn last line; it is cut off on the next start, so at most the
  sample being written is lost.
* Bound: at most ``MAX_RECORDS`` (8064 = 28 days, twice the 14 days required);
  a record with 16 assets is under 4 KB, so the folder stays under about 36 MB (about
  8 MB for a 2-asset household). When full, the oldest segment is dropped and counted.
* Nothing is deleted before :meth:`Outbox.acknowledge` (after a confirmed commit).

The class is synchronous and thread-safe; call it through ``hass.async_add_executor_job``.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

SEGMENT_RECORDS: Final = 288  # one UTC day of 5-minute records
MAX_RECORDS: Final = 8064
INDEX_FILE: Final = "index.json"


@dataclass(slots=True)
class Segment:
    """One segment file and what it holds."""

    path: Path
    count: int
    first: str
    last: str


class DuplicateIntervalError(ValueError):
    """The interval is not newer than the newest one kept (a restart or a clock step back)."""


class Outbox:
    """Append-only store of records waiting to be published."""

    def __init__(self, directory: Path, max_records: int = MAX_RECORDS, segment_records: int = SEGMENT_RECORDS):
        self._dir = directory
        self._max = max_records
        self._segment_records = segment_records
        self._lock = threading.Lock()
        self._segments: deque[Segment] = deque()
        self.acked_through: str | None = None
        self.dropped = 0
        self._pending = 0  # kept in step so that reading it is O(1)

    # Loading ------------------------------------------------------------------
    def load(self) -> None:
        """Read the index and scan the segments (once, at start-up); repair a torn tail."""
        with self._lock:
            self._dir.mkdir(parents=True, exist_ok=True)
            index = self._dir / INDEX_FILE
            if index.exists():
                data = json.loads(index.read_text(encoding="utf-8"))
                self.acked_through = data.get("acked_through")
                self.dropped = int(data.get("dropped", 0))
            self._segments.clear()
            for path in sorted(self._dir.glob("*.jsonl")):
                segment = self._scan(path)
                if segment is None:
                    path.unlink()
                else:
                    self._segments.append(segment)
            self._pending = sum(self._pending_in(segment) for segment in self._segments)

    @staticmethod
    def _scan(path: Path) -> Segment | None:
        data = path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # torn write from a crash: keep whole lines only
            with path.open("r+b") as handle:
                handle.truncate(end)
                handle.flush()
                os.fsync(handle.fileno())
            data = data[:end]
        lines = data.splitlines()
        if not lines:
            return None
        first = json.loads(lines[0])["interval_start_utc"]
        last = json.loads(lines[-1])["interval_start_utc"]
        return Segment(path, len(lines), first, last)

    # Writing ------------------------------------------------------------------
    @property
    def newest(self) -> str | None:
        """Interval of the newest record ever kept (acknowledged or not)."""
        if self._segments:
            return self._segments[-1].last
        return self.acked_through

    def append(self, interval: str, line: str) -> None:
        """Persist one canonical JSON line durably; raises DuplicateIntervalError."""
        with self._lock:
            newest = self.newest
            if newest is not None and interval <= newest:
                raise DuplicateIntervalError(f"{interval} is not after {newest}")
            segment = self._segments[-1] if self._segments else None
            new_file = segment is None or segment.count >= self._segment_records
            if new_file:
                segment = Segment(self._dir / f"{interval.replace(':', '')}.jsonl", 0, interval, interval)
                self._segments.append(segment)
            assert segment is not None
            with segment.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fdatasync(handle.fileno())  # data (and size) durable; no wait on timestamps
            if new_file:
                self._sync_directory()  # the new file's name must survive a crash too
            segment.count += 1
            segment.last = interval
            self._pending += 1
            self._enforce_bound()

    def _sync_directory(self) -> None:
        descriptor = os.open(self._dir, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _enforce_bound(self) -> None:
        while len(self._segments) > 1 and self._total() > self._max:
            oldest = self._segments.popleft()
            lost = self._pending_in(oldest)
            self.dropped += lost
            self._pending -= lost
            oldest.path.unlink(missing_ok=True)
            self._write_index()

    def _total(self) -> int:
        return sum(segment.count for segment in self._segments)

    def _pending_in(self, segment: Segment) -> int:
        if self.acked_through is None or segment.first > self.acked_through:
            return segment.count
        if segment.last <= self.acked_through:
            return 0
        return sum(1 for record in self._read(segment) if record["interval_start_utc"] > self.acked_through)

    # Reading and acknowledging -------------------------------------------------
    @staticmethod
    def _read(segment: Segment) -> list[dict[str, Any]]:
        with segment.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.endswith("\n")]

    def pending(self, limit: int = SEGMENT_RECORDS) -> list[dict[str, Any]]:
        """Up to ``limit`` records not yet acknowledged, oldest first."""
        with self._lock:
            found: list[dict[str, Any]] = []
            for segment in self._segments:
                if self.acked_through is not None and segment.last <= self.acked_through:
                    continue
                for record in self._read(segment):
                    if self.acked_through is None or record["interval_start_utc"] > self.acked_through:
                        found.append(record)
                        if len(found) >= limit:
                            return found
            return found

    def pending_count(self) -> int:
        """Records not yet acknowledged."""
        return self._pending

    def acknowledge(self, through: str) -> None:
        """Forget every record up to and including interval ``through`` (a commit confirmed them)."""
        with self._lock:
            if self.acked_through is not None and through <= self.acked_through:
                return
            self.acked_through = through
            self._write_index()
            while self._segments and self._segments[0].last <= through:
                self._segments.popleft().path.unlink(missing_ok=True)
            self._pending = sum(self._pending_in(segment) for segment in self._segments)

    def _write_index(self) -> None:
        temporary = self._dir / f"{INDEX_FILE}.tmp"
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump({"acked_through": self.acked_through, "dropped": self.dropped}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self._dir / INDEX_FILE)

    def size_bytes(self) -> int:
        """Bytes on disk (segments and index)."""
        with self._lock:
            return sum(path.stat().st_size for path in self._dir.iterdir() if path.is_file())

    def remove(self) -> None:
        """Delete the whole outbox (the entry was removed)."""
        with self._lock:
            for path in self._dir.glob("*"):
                path.unlink(missing_ok=True)
            self._dir.rmdir()
            self._segments.clear()
