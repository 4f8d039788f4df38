"""The durable outbox: append, read oldest first, acknowledge, bound, crash recovery."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from custom_components.nem_flex_telemetry.outbox import MAX_RECORDS, DuplicateIntervalError, Outbox
from custom_components.nem_flex_telemetry.record import format_utc

START = datetime(2026, 11, 22, tzinfo=UTC)


def interval(index: int) -> str:
    return format_utc(START + timedelta(minutes=5 * index))


def fill(outbox: Outbox, count: int, first: int = 0) -> None:
    for index in range(first, first + count):
        outbox.append(interval(index), json.dumps({"interval_start_utc": interval(index), "n": index}))


def test_append_read_acknowledge_survives_reopen(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, segment_records=10)
    outbox.load()
    fill(outbox, 25)
    assert outbox.pending_count() == 25
    assert [r["n"] for r in outbox.pending(limit=3)] == [0, 1, 2]
    outbox.acknowledge(interval(12))
    assert [r["n"] for r in outbox.pending(limit=100)] == list(range(13, 25))
    assert len(list(tmp_path.glob("*.jsonl"))) == 2  # the first segment (0-9) is gone
    outbox.acknowledge(interval(5))  # older acknowledgement: no effect
    reopened = Outbox(tmp_path, segment_records=10)
    reopened.load()
    assert reopened.pending_count() == 12
    assert reopened.acked_through == interval(12)
    with pytest.raises(DuplicateIntervalError):
        reopened.append(interval(24), "{}")
    fill(reopened, 1, 25)
    assert reopened.pending(limit=100)[-1]["n"] == 25


def test_nothing_is_deleted_before_acknowledgement_and_all_can_be_acknowledged(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, segment_records=10)
    outbox.load()
    fill(outbox, 10)
    outbox.pending(limit=100)
    assert outbox.pending_count() == 10
    outbox.acknowledge(interval(9))
    assert outbox.pending(limit=100) == []
    assert outbox.pending_count() == 0
    with pytest.raises(DuplicateIntervalError):  # an acknowledged interval is never taken again
        outbox.append(interval(9), "{}")


def test_torn_last_line_is_cut_off(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, segment_records=10)
    outbox.load()
    fill(outbox, 3)
    [segment] = tmp_path.glob("*.jsonl")
    with segment.open("a", encoding="utf-8") as handle:
        handle.write('{"interval_start_utc": "2026-11-22T00:15')  # the crash happened mid-write
    reopened = Outbox(tmp_path, segment_records=10)
    reopened.load()
    assert reopened.pending_count() == 3
    fill(reopened, 1, 3)
    assert [r["n"] for r in reopened.pending(limit=100)] == [0, 1, 2, 3]


def test_empty_segment_is_removed(tmp_path: Path) -> None:
    (tmp_path / "2026-11-22T0000Z.jsonl").write_text("")
    outbox = Outbox(tmp_path)
    outbox.load()
    assert outbox.pending_count() == 0
    assert not list(tmp_path.glob("*.jsonl"))


def test_bound_drops_oldest_and_counts(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, max_records=30, segment_records=10)
    outbox.load()
    fill(outbox, 45)
    assert outbox.dropped == 20  # whole oldest segments go, so that at most 30 are kept
    assert outbox.pending_count() == 25
    assert outbox.pending(limit=1)[0]["n"] == 20
    reopened = Outbox(tmp_path, max_records=30, segment_records=10)
    reopened.load()
    assert reopened.dropped == 20


def test_bound_counts_only_unacknowledged_records_as_dropped(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, max_records=20, segment_records=10)
    outbox.load()
    fill(outbox, 15)
    outbox.acknowledge(interval(12))  # segment 0-9 deleted; 10-12 of the second acknowledged
    fill(outbox, 25, 15)
    assert outbox.dropped == 7  # 13-19 were never acknowledged
    assert outbox.pending(limit=1)[0]["n"] == 20


def test_default_bound_holds_fourteen_days(tmp_path: Path) -> None:
    assert MAX_RECORDS >= 14 * 288
    outbox = Outbox(tmp_path)
    outbox.load()
    fill(outbox, 14 * 288)
    assert outbox.dropped == 0
    assert outbox.pending_count() == 4032
    assert outbox.size_bytes() < 4032 * 4096
    outbox.remove()
    assert not tmp_path.exists()
