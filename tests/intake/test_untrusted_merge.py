"""Merging into a day file of the household's own repository trusts nothing that is there.

A remote line counts as an interval already published only when it is a valid record equal to ours
after canonicalisation; every other finding refuses the merge (so nothing is acknowledged).
"""

from __future__ import annotations

import json

import pytest

from custom_components.nem_flex_telemetry.publish_plan import (
    MAX_DAY_FILE_BYTES,
    MAX_LINE_BYTES,
    UntrustedDayFileError,
    merge_day_file,
    plan_day_files,
)
from custom_components.nem_flex_telemetry.record import canonical_json
from tests.github_server.conftest import HOUSEHOLD, make_records

PATH = "raw/2026/07/14.jsonl"


def _batch(count: int = 3, start: str = "2026-07-14T01:00:00Z") -> tuple[list[dict[str, object]], dict[str, str]]:
    records = make_records(start, count)
    ((path, batch),) = plan_day_files(HOUSEHOLD, records).items()
    assert path == PATH
    return records, batch


def _refusal(existing: bytes, batch: dict[str, str]) -> str:
    with pytest.raises(UntrustedDayFileError) as caught:
        merge_day_file(PATH, existing, batch)
    assert caught.value.path == PATH
    return caught.value.finding


def test_three_stub_lines_do_not_count_as_our_records() -> None:
    """The pre-emption from the issue: stubs naming our intervals must not make us acknowledge."""
    _, batch = _batch(3)
    stubs = "".join(json.dumps({"interval_start_utc": interval}) + "\n" for interval in batch).encode()
    assert "line 1 is not a valid record" in _refusal(stubs, batch)


def test_our_own_records_in_another_form_count_as_published() -> None:
    records, batch = _batch(3)
    reordered = "".join(json.dumps(dict(reversed(list(r.items())))) + "\n" for r in records).encode()
    merged = merge_day_file(PATH, reordered, batch)
    assert merged.added == ()


def test_valid_records_of_other_intervals_are_kept_and_ours_added_in_order() -> None:
    earlier, _ = _batch(2, "2026-07-14T00:00:00Z")
    records, batch = _batch(3)
    existing = "".join(canonical_json(r) + "\n" for r in earlier).encode()
    merged = merge_day_file(PATH, existing, batch)
    assert merged.added == tuple(sorted(batch))
    assert merged.text.splitlines() == [canonical_json(r) for r in earlier + records]


@pytest.mark.parametrize(
    ("existing", "finding"),
    [
        (b"\xff\xfe not text\n", "not valid UTF-8 (byte 0)"),
        (b"[" * 8000 + b"]" * 8000 + b"\n", "line 1 is not a valid record"),  # deep nesting
        (b'{"a":' * 2500 + b"1" + b"}" * 2500 + b"\n", "line 1 is not a valid record"),
        (b"not json\n", "line 1 is not JSON"),
        (b"{}\n", "line 1 is not a valid record"),
        (b"x" * (MAX_LINE_BYTES + 1) + b"\n", f"over the {MAX_LINE_BYTES}-byte limit"),
        (b"\n" * (MAX_DAY_FILE_BYTES + 1), f"over the {MAX_DAY_FILE_BYTES} limit"),
    ],
)
def test_unreadable_or_oversized_content_is_refused_with_what_was_found(existing: bytes, finding: str) -> None:
    _, batch = _batch(1)
    assert finding in _refusal(existing, batch)


def test_a_different_valid_record_for_our_interval_is_refused() -> None:
    records, batch = _batch(2)
    theirs = canonical_json(records[0] | {"solar_kw": 9.9})
    assert "a different record for 2026-07-14T01:00:00Z" in _refusal((theirs + "\n").encode(), batch)


def test_a_repeated_interval_is_refused() -> None:
    records, batch = _batch(1, "2026-07-14T00:00:00Z")
    line = canonical_json(records[0]) + "\n"
    assert "line 2 repeats the interval" in _refusal((line + line).encode(), batch)
