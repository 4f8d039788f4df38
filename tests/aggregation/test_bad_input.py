"""Bad raw input is quarantined with a reason, the build finishes, and good data's outputs do not change."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from aggregation.build import build
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, without_generated_at, write_day

DAY = NOW - timedelta(days=3)
GOOD = [household_id(n) for n in range(1, 7)]


def _good_tree(raw: Path) -> None:
    for n, household in enumerate(GOOD):
        write_day(raw, household, DAY, day_lines(DAY, 48, house_load_kw=1.0 + n / 10, net_import_kw=-0.5 + n / 10))


def _bad_tree(raw: Path) -> dict[str, str]:
    """Adds one case of each kind of bad input; returns the reason expected for each."""
    bad = household_id(99)
    line = day_lines(DAY, 1)[0]
    write_day(raw, bad, DAY, line[: len(line) // 2].encode())  # a truncated line, as from an interrupted write
    write_day(raw, household_id(98), DAY, b'{"schema_version":"2.0","region":"\xff\xfe"}\n')
    write_day(raw, household_id(97), DAY, f"{line.replace('"solar_kw":3.0', '"solar_kw":NaN')}\n".encode())
    write_day(
        raw, household_id(96), DAY, f"{line.replace('"region":"NSW1"', '"region":"NSW1","region":"QLD1"')}\n".encode()
    )
    write_day(raw, household_id(95), DAY, b"{" + b" " * (2 << 20) + b"}\n")  # a 2 MB line (under the file cap)
    write_day(raw, household_id(94), DAY, f"{line.replace('"2.0"', '"1.2"')}\n".encode())
    write_day(raw, household_id(93), DAY, b"")  # empty file
    # A household's record in another day's file.
    write_day(raw, household_id(92), DAY + timedelta(days=1), day_lines(DAY, 3))
    (raw / "..evil").mkdir()
    (raw / "..evil" / "x.jsonl").write_text(line + "\n")
    (raw / "NOT-A-UUID").mkdir()
    (raw / "stray.txt").write_text("hello")
    (raw / household_id(91)).symlink_to(raw / GOOD[0])
    (raw / GOOD[1] / "notes.jsonl").write_text(line + "\n")
    return {
        "invalid json": "truncated line",
        "invalid utf-8": "invalid UTF-8",
        "invalid solar_kw": "NaN",
        "duplicate key": "duplicate key",
        "line too long": "2 MB line",
        "wrong schema_version": "schema 1.2",
        "file: empty file": "empty file",
        "day differs from file name": "record in another day's file",
        "path: bad household id": "odd folder names",
        "path: outside layout": "stray files",
        "path: symlink": "symlinked household",
    }


def _build(raw: Path, out: Path) -> Path:
    build(raw, out / "cohort", out / "views", now=NOW, generated_at="2026-11-20T00:00:00Z")
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("bad")
    clean_raw, dirty_raw = base / "clean" / "raw", base / "dirty" / "raw"
    _good_tree(clean_raw)
    shutil.copytree(clean_raw, dirty_raw)
    expected = _bad_tree(dirty_raw)
    return _build(clean_raw, base / "clean"), _build(dirty_raw, base / "dirty"), expected


def test_every_kind_of_bad_input_is_quarantined_with_its_reason(built: tuple[Path, Path, dict[str, str]]) -> None:
    _, dirty, expected = built
    report = read_json(dirty / "cohort" / "quarantine.json")
    for reason, case in expected.items():
        assert report["totals"].get(reason, 0) >= 1, f"{case}: no {reason!r} in {report['totals']}"


def test_quarantine_names_the_household_and_reason(built: tuple[Path, Path, dict[str, str]]) -> None:
    _, dirty, _ = built
    report = read_json(dirty / "cohort" / "quarantine.json")
    assert report["households"][household_id(98)]["rejected"] == {"invalid utf-8": 1}
    assert report["households"][household_id(93)]["files"][0]["reason"] == "empty file"
    assert {"reason": "bad household id", "count": 2, "examples": ["..evil", "NOT-A-UUID"]} in report["paths"]


def test_good_data_outputs_are_unchanged(built: tuple[Path, Path, dict[str, str]]) -> None:
    clean, dirty, _ = built
    for view in ("flex", "ledger", "price_response", "curtailment", "spread", "assets", "shadow"):
        assert without_generated_at(read_json(dirty / "views" / f"{view}.json")) == without_generated_at(
            read_json(clean / "views" / f"{view}.json")
        ), view
    for part in sorted((clean / "cohort").glob("resolution=*/**/*.parquet")):
        twin = dirty / "cohort" / part.relative_to(clean / "cohort")
        assert twin.read_bytes() == part.read_bytes(), part


def test_status_counts_the_rejections(built: tuple[Path, Path, dict[str, str]]) -> None:
    clean, dirty, _ = built
    good = read_json(clean / "views" / "status.json")
    bad = read_json(dirty / "views" / "status.json")
    assert good["quality"]["rejected"] == 0
    assert bad["quality"]["rejected"] >= 7
    assert bad["quality"]["quarantined_files"] >= 5
    assert bad["records"] == good["records"]
