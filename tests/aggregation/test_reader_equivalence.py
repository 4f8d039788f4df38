"""The vectorised reader accepts exactly the lines ``record.validate`` accepts."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregation import read
from aggregation.layout import RawFile
from custom_components.nem_flex_telemetry import record as rec
from tests.record.strategies import mutated_records, valid_records

FILE = RawFile("x/2026/01/01.jsonl", "x", "2026-01-01", 0, 0)


def _lines(records: list[Any]) -> bytes:
    return b"".join(json.dumps(record, allow_nan=True).encode() + b"\n" for record in records)


def _accepted(data: bytes) -> int:
    (parsed,) = read.parse_batch([(FILE, data)])
    assert parsed.lines == data.count(b"\n")
    assert parsed.table.num_rows + sum(parsed.rejected.values()) == parsed.lines
    return int(parsed.table.num_rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(valid_records() | mutated_records(), min_size=1, max_size=6))
def test_reader_accepts_exactly_the_valid_records(records: list[dict[str, Any]]) -> None:
    expected = sum(1 for record in records if not rec.validate(json.loads(json.dumps(record, allow_nan=True))))
    assert _accepted(_lines(records)) == expected


@settings(max_examples=80, deadline=None)
@given(mutated_records())
def test_one_record_file_agrees_with_validate(record: dict[str, Any]) -> None:
    valid = not rec.validate(json.loads(json.dumps(record, allow_nan=True)))
    assert _accepted(_lines([record])) == int(valid)


def test_valid_rows_come_back_with_their_values() -> None:
    from tests.aggregation.helpers import NOW, make_record

    record = make_record(NOW)
    (parsed,) = read.parse_batch([(FILE, _lines([record]))])
    row = parsed.table.to_pylist()[0]
    assert row["net_import_kw"] == record["net_import_kw"]
    assert row["assets"][0]["asset_id"] == "home_battery"


def test_missing_nullable_key_is_rejected_like_validate() -> None:
    from tests.aggregation.helpers import NOW, make_record

    record = make_record(NOW)
    del record["shadow_envelope_export_price"]  # pyarrow alone would read it as null
    (parsed,) = read.parse_batch([(FILE, _lines([record, make_record(NOW)]))])
    assert parsed.table.num_rows == 1
    assert parsed.rejected == {"invalid shadow_envelope_export_price": 1}


def test_non_finite_numbers_are_rejected() -> None:
    from tests.aggregation.helpers import NOW, make_record

    data = _lines([make_record(NOW, solar_kw=float("nan")), make_record(NOW, net_import_kw=float("inf"))])
    (parsed,) = read.parse_batch([(FILE, data)])
    assert parsed.table.num_rows == 0
    assert sum(parsed.rejected.values()) == 2


def test_missing_key_and_extra_key_in_different_lines_do_not_cancel_out() -> None:
    """Found by hypothesis: the key count was once checked per file, so these two lines passed."""
    from tests.aggregation.helpers import NOW, make_record

    missing = make_record(NOW)
    del missing["assets"]  # pyarrow alone would read it as null
    extra = make_record(NOW)
    battery = next(asset for asset in extra["assets"] if asset["kind"] == "stationary_battery")
    battery["departure_time_utc"] = None  # an EV-only key on a battery: invalid, yet null to pyarrow
    data = _lines([missing, extra])
    assert _accepted(data) == 0


def test_a_list_of_nulls_is_one_rejected_line_not_a_lost_file() -> None:
    """Found by hypothesis: pyarrow infers list<null> for ``[null, null]`` and could not combine it, so the
    whole file was quarantined ("read failed") and its valid lines lost."""
    from tests.aggregation.helpers import NOW, make_record

    odd = make_record(NOW)
    odd["deferrable_loads"] = [None, None]
    (parsed,) = read.parse_batch([(FILE, _lines([make_record(NOW), odd]))])
    assert parsed.file_reason is None
    assert parsed.table.num_rows == 1
    assert parsed.rejected == {"invalid deferrable_loads": 1}
    assert rec.validate(json.loads(json.dumps(odd)))  # the integration's validator refuses it too
