"""The outbox's own repairs on real files, without Home Assistant: acknowledgement by position across
clock steps and restarts, an index that is gone or wrong, a full disk on a real tmpfs."""

from __future__ import annotations

import errno
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from custom_components.nem_flex_telemetry.outbox import INDEX_FILE, DuplicateIntervalError, Outbox, is_disk_full
from custom_components.nem_flex_telemetry.record import CLOCK_TOLERANCE, format_utc

from .disk import fill, tiny_disk

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def line(moment: datetime, n: int = 0) -> str:
    return json.dumps({"interval_start_utc": format_utc(moment), "n": n})


def opened(folder: Path, **kwargs: int) -> Outbox:
    outbox = Outbox(folder, **kwargs)
    outbox.load()
    return outbox


def test_a_future_stamp_is_acknowledged_by_position_and_hides_nothing(tmp_path: Path) -> None:
    outbox = opened(tmp_path)
    future = NOW + timedelta(days=200)
    outbox.append(format_utc(future), line(future), now=future)
    with pytest.raises(DuplicateIntervalError):  # without the clock, an older interval is a repeat
        outbox.append(format_utc(NOW), line(NOW))
    just_ahead = NOW + CLOCK_TOLERANCE  # within the tolerance: still a repeat
    reopened = opened(tmp_path)
    reopened.acknowledge(format_utc(future))
    reopened.append(format_utc(just_ahead), line(just_ahead), now=NOW)
    with pytest.raises(DuplicateIntervalError):
        reopened.append(format_utc(NOW), line(NOW), now=NOW)

    again = opened(tmp_path)
    again.append(format_utc(future + timedelta(minutes=5)), line(future), now=future)
    for n in range(3):
        moment = NOW + timedelta(minutes=30 + 5 * n)
        again.append(format_utc(moment), line(moment, n), now=moment)
    assert [r["n"] for r in again.pending(limit=10)] == [0, 0, 0, 1, 2]
    again.acknowledge(format_utc(NOW + timedelta(minutes=35)))  # the batch ended at the second correct one
    assert [r["interval_start_utc"] for r in opened(tmp_path).pending(limit=10)] == [
        format_utc(NOW + timedelta(minutes=40))
    ]


def test_everything_acknowledged_then_a_restart_keeps_new_records_pending(tmp_path: Path) -> None:
    outbox = opened(tmp_path, segment_records=3)
    moments = [NOW + timedelta(minutes=5 * n) for n in range(6)]
    for n, moment in enumerate(moments[:3]):
        outbox.append(format_utc(moment), line(moment, n))
    outbox.acknowledge(format_utc(moments[2]))
    assert not list(tmp_path.glob("*.jsonl"))
    restarted = opened(tmp_path, segment_records=3)
    assert restarted.newest == format_utc(moments[2])
    restarted.append(format_utc(moments[3]), line(moments[3], 3))
    assert [r["n"] for r in opened(tmp_path, segment_records=3).pending()] == [3]  # a new segment is never "acked"


@pytest.mark.parametrize("index", [b"", b"[1, 2]", b'{"acked_segment": 7}', b'{"dropped": "many"}', b"\0\0\0"])
def test_an_unusable_index_is_rebuilt_with_every_kept_record_pending(tmp_path: Path, index: bytes) -> None:
    outbox = opened(tmp_path)
    for n in range(3):
        moment = NOW + timedelta(minutes=5 * n)
        outbox.append(format_utc(moment), line(moment, n))
    outbox.acknowledge(format_utc(NOW))
    (tmp_path / INDEX_FILE).write_bytes(index)
    rebuilt = opened(tmp_path)
    assert rebuilt.index_rebuilt
    assert [r["n"] for r in rebuilt.pending()] == [0, 1, 2]  # sent again; the merge keeps each once
    assert not opened(tmp_path).index_rebuilt  # written back


def test_a_full_tmpfs_leaves_the_segment_as_it_was_and_space_returning_resumes(tmp_path: Path) -> None:
    with tiny_disk(tmp_path / "disk", "16k") as disk:
        outbox = opened(disk)
        outbox.append(format_utc(NOW), line(NOW))
        [segment] = disk.glob("*.jsonl")
        filler = fill(disk)
        big = json.dumps({"interval_start_utc": format_utc(NOW + timedelta(minutes=5)), "pad": "x" * 9000})
        before = segment.read_bytes()
        with pytest.raises(OSError) as raised:
            outbox.append(format_utc(NOW + timedelta(minutes=5)), big)
        assert is_disk_full(raised.value) and raised.value.errno == errno.ENOSPC
        assert segment.read_bytes() == before
        assert opened(disk).pending_count() == 1
        filler.unlink()
        outbox.append(format_utc(NOW + timedelta(minutes=5)), big)
        assert [r["interval_start_utc"] for r in opened(disk).pending()] == [
            format_utc(NOW),
            format_utc(NOW + timedelta(minutes=5)),
        ]
