"""Merge rules for day files, without a server."""

from __future__ import annotations

import pytest

from custom_components.nem_flex_telemetry.publish_plan import (
    commit_message,
    merge_day_file,
    plan_day_files,
    split_backlog,
)
from custom_components.nem_flex_telemetry.record import canonical_json

from .conftest import HOUSEHOLD, make_records

PATH = "raw/2026/07/14.jsonl"


def test_records_are_grouped_by_utc_day_file() -> None:
    records = make_records("2026-07-14T23:50:00Z", 4)
    plan = plan_day_files(HOUSEHOLD, records)
    assert {path: sorted(lines) for path, lines in plan.items()} == {
        "raw/2026/07/14.jsonl": ["2026-07-14T23:50:00Z", "2026-07-14T23:55:00Z"],
        "raw/2026/07/15.jsonl": ["2026-07-15T00:00:00Z", "2026-07-15T00:05:00Z"],
    }


def test_first_record_of_a_duplicated_interval_wins() -> None:
    first, second = (
        make_records("2026-07-14T01:00:00Z", 1)[0],
        make_records("2026-07-14T01:00:00Z", 1)[0] | {"solar_kw": 5.0},
    )
    (lines,) = plan_day_files(HOUSEHOLD, [first, second]).values()
    assert list(lines.values()) == [canonical_json(first)]


def test_merge_is_byte_stable() -> None:
    records = make_records("2026-07-14T01:00:00Z", 6)
    (batch,) = plan_day_files(HOUSEHOLD, records).values()
    merged = merge_day_file(PATH, None, batch)
    assert merged.text == "".join(canonical_json(r) + "\n" for r in records) and len(merged.added) == 6
    again = merge_day_file(PATH, merged.text.encode(), batch)
    assert again.added == () and again.text == merged.text
    (half,) = plan_day_files(HOUSEHOLD, records[3:]).values()
    assert merge_day_file(PATH, merge_day_file(PATH, None, half).text.encode(), batch).text == merged.text


def test_commit_message_and_backlog_bounds() -> None:
    assert commit_message(HOUSEHOLD, ["2026-07-14T01:05:00Z", "2026-07-14T01:00:00Z"]) == (
        f"Telemetry {HOUSEHOLD}: 2026-07-14T01:00:00Z..2026-07-14T01:05:00Z (2 records)"
    )
    assert [len(b) for b in split_backlog(make_records("2026-07-01T00:00:00Z", 4100))] == [2016, 2016, 68]
    with pytest.raises(ValueError, match="at least 1"):
        split_backlog([], max_records=0)
