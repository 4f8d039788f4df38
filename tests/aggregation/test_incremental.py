"""Incremental runs rebuild only what changed and give the same bytes as a full rebuild."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from aggregation.build import Summary, build
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, write_day

DAY1 = NOW - timedelta(days=4)
DAY2 = DAY1 + timedelta(days=1)
STAMP = "2026-11-20T00:00:00Z"


def _outputs(out: Path) -> dict[str, bytes]:
    files = sorted(out.glob("cohort/resolution=*/**/*.parquet")) + sorted(out.glob("views/*.json"))
    files += [out / "cohort" / "quarantine.json", out / "cohort" / "datapackage.json"]
    return {str(path.relative_to(out)): path.read_bytes() for path in files}


def _seed(raw: Path, hours_day2: int) -> None:
    for n in range(8):
        household = household_id(n + 1)
        write_day(raw, household, DAY1, day_lines(DAY1, 288, house_load_kw=1.0 + n / 10))
        write_day(raw, household, DAY2, day_lines(DAY2, 12 * hours_day2, house_load_kw=1.0 + n / 10))


def _build(raw: Path, out: Path, full: bool = False) -> Summary:
    return build(raw, out / "cohort", out / "views", full=full, now=NOW, generated_at=STAMP)


def _run(raw: Path, out: Path, full: bool = False) -> int:
    return _build(raw, out, full).files


def _another_hour(raw: Path, hours_before: int) -> None:
    """One more hour arrives in every household's second day file."""
    for n in range(8):
        lines = day_lines(DAY2, 12 * (hours_before + 1), house_load_kw=1.0 + n / 10)
        write_day(raw, household_id(n + 1), DAY2, lines)


def test_an_hour_of_new_data_rereads_only_the_changed_files_and_matches_a_full_rebuild(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _seed(raw, 3)
    assert _run(raw, tmp_path / "inc") == 16
    day1_part = tmp_path / "inc/cohort/_state/cells/day=2026-11-16/1h.parquet"
    before = day1_part.stat().st_mtime_ns
    _another_hour(raw, 3)
    assert _run(raw, tmp_path / "inc") == 8
    assert day1_part.stat().st_mtime_ns == before  # yesterday's cells were not recomputed
    assert _run(raw, tmp_path / "inc") == 0  # nothing new, nothing read
    _run(raw, tmp_path / "full", full=True)
    assert _outputs(tmp_path / "inc") == _outputs(tmp_path / "full")


def test_a_fresh_checkout_with_new_mtimes_reads_nothing_again(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _seed(raw, 2)
    _run(raw, tmp_path / "out")
    copy = tmp_path / "raw2"
    shutil.copytree(raw, copy)  # new mtimes, same bytes
    shutil.rmtree(raw)
    copy.rename(raw)
    assert _run(raw, tmp_path / "out") == 0


def test_same_input_same_bytes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _seed(raw, 2)
    _run(raw, tmp_path / "a")
    _run(raw, tmp_path / "b")
    assert _outputs(tmp_path / "a") == _outputs(tmp_path / "b")


def test_a_deleted_file_disappears_from_the_outputs(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _seed(raw, 2)
    _run(raw, tmp_path / "out")
    for n in range(8):
        (raw / household_id(n + 1) / "2026" / "11" / "17.jsonl").unlink()
    _run(raw, tmp_path / "out")
    status = read_json(tmp_path / "out" / "views" / "status.json")
    assert status["meta"]["period"]["end"] == "2026-11-17T00:00:00Z"
    assert not (tmp_path / "out/cohort/_state/records/day=2026-11-17").exists()


def test_a_late_file_for_a_pruned_day_rereads_that_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aggregation import build as build_module

    monkeypatch.setattr(build_module, "RECORDS_KEPT_DAYS", 1)
    raw = tmp_path / "raw"
    _seed(raw, 2)
    _run(raw, tmp_path / "inc")
    assert not (tmp_path / "inc/cohort/_state/records/day=2026-11-16").exists()  # pruned, cells kept
    write_day(raw, household_id(9), DAY1, day_lines(DAY1, 288, house_load_kw=2.0))  # a late household
    assert _run(raw, tmp_path / "inc") == 9  # the new file and the eight it must be aggregated with
    _run(raw, tmp_path / "full", full=True)
    assert _outputs(tmp_path / "inc") == _outputs(tmp_path / "full")


def _quality(out: Path) -> dict[str, int]:
    status = read_json(out / "views" / "status.json")
    return {key: status["quality"][key] for key in ("records", "rejected", "duplicates")}


def test_an_appended_hour_is_parsed_from_where_the_file_was_left(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _seed(raw, 3)
    _run(raw, tmp_path / "inc")
    sizes = {n: (raw / household_id(n + 1) / "2026/11/17.jsonl").stat().st_size for n in range(8)}
    _another_hour(raw, 3)
    grown = {n: (raw / household_id(n + 1) / "2026/11/17.jsonl").stat().st_size for n in range(8)}
    result = _build(raw, tmp_path / "inc")
    assert result.files == 8
    assert result.bytes == sum(grown[n] - sizes[n] for n in range(8))  # only the new hour was parsed
    _run(raw, tmp_path / "full", full=True)
    assert _outputs(tmp_path / "inc") == _outputs(tmp_path / "full")


def test_an_appended_tail_that_repeats_or_breaks_lines_counts_like_a_full_read(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _seed(raw, 3)
    _run(raw, tmp_path / "inc")
    first = household_id(1)
    path = raw / first / "2026/11/17.jsonl"
    old = path.read_bytes()
    repeated = old.splitlines(keepends=True)[5]  # an interval the household already sent
    path.write_bytes(old + repeated + b'{"schema_version": "2.0", "trunc\n')
    _run(raw, tmp_path / "inc")
    _run(raw, tmp_path / "full", full=True)
    assert _outputs(tmp_path / "inc") == _outputs(tmp_path / "full")
    assert _quality(tmp_path / "inc")["duplicates"] == 1
    assert _quality(tmp_path / "inc")["rejected"] == 1


def test_a_file_whose_earlier_lines_changed_is_read_again_in_full(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _seed(raw, 3)
    _run(raw, tmp_path / "inc")
    # The household rewrote its day with other values and one more hour: the old prefix no longer matches.
    write_day(raw, household_id(1), DAY2, day_lines(DAY2, 12 * 4, house_load_kw=3.5))
    result = _build(raw, tmp_path / "inc")
    assert result.bytes == (raw / household_id(1) / "2026/11/17.jsonl").stat().st_size
    _run(raw, tmp_path / "full", full=True)
    assert _outputs(tmp_path / "inc") == _outputs(tmp_path / "full")


def test_days_rebuilt_in_parallel_give_the_same_bytes_as_one_at_a_time(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _seed(raw, 5)
    build(raw, tmp_path / "one" / "cohort", tmp_path / "one" / "views", now=NOW, generated_at=STAMP, workers=1)
    build(raw, tmp_path / "two" / "cohort", tmp_path / "two" / "views", now=NOW, generated_at=STAMP, workers=2)
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")
