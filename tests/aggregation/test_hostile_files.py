"""Hostile raw files never stop the build: each is quarantined with a fixed reason, the rest is built, and
the reports stay small whatever the files hold."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from aggregation import build as build_module
from aggregation import clean, read, reasons
from aggregation.build import build
from custom_components.nem_flex_telemetry import record as rec
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, write_day

DAY = NOW - timedelta(days=3)
GOOD = household_id(1)
DEEP, LARGE, NUL, UTF16, BAD_UTF8 = (household_id(n) for n in range(60, 65))
REPORTS = ("cohort/quarantine.json", "cohort/state.json", "views/quality.json")


def _build(raw: Path, out: Path, workers: int = 1) -> Path:
    build(raw, out / "cohort", out / "views", now=NOW, generated_at="2026-11-20T00:00:00Z", workers=workers)
    return out


def _hostile_tree(raw: Path) -> None:
    write_day(raw, GOOD, DAY, day_lines(DAY, 24))
    write_day(raw, GOOD, DAY - timedelta(days=1), day_lines(DAY - timedelta(days=1), 24))
    deep = b"[" * 100_000 + b"\n"
    assert len(deep) < read.MAX_LINE_BYTES
    write_day(raw, DEEP, DAY, deep)
    # Non-ASCII, just over the cap: pyarrow refuses it and the exact path would take seconds per MB.
    write_day(raw, LARGE, DAY, ("é" * (read.MAX_FILE_BYTES // 2) + "\n").encode())
    write_day(raw, NUL, DAY, b"\0" * 4096 + b"\n")
    write_day(raw, UTF16, DAY, (day_lines(DAY, 3)[0] + "\n").encode("utf-16"))
    write_day(raw, BAD_UTF8, DAY, day_lines(DAY, 1)[0].replace('"NSW1"', '"NSW\xff"').encode("latin-1") + b"\n")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    _hostile_tree(base / "raw")
    return _build(base / "raw", base, workers=2)  # real worker processes


def test_the_build_finishes_and_quarantines_each_hostile_file(hostile: Path) -> None:
    report = read_json(hostile / "cohort" / "quarantine.json")["households"]
    assert report[DEEP]["rejected"] == {"nesting too deep": 1}
    assert report[LARGE]["files"] == [{"reason": "too large", "count": 1, "examples": [_rel(LARGE)]}]
    assert report[NUL]["rejected"] == {"invalid json": 1}
    assert set(report[UTF16]["rejected"]) <= set(reasons.LINE_REASONS)
    assert sum(report[UTF16]["rejected"].values()) >= 1
    assert report[BAD_UTF8]["rejected"] == {"invalid utf-8": 1}
    assert read_json(hostile / "views" / "status.json")["records"] == 48  # the good household, both days


def test_a_file_over_the_cap_is_not_read(hostile: Path) -> None:
    state = read_json(hostile / "cohort" / "state.json")["files"][_rel(LARGE)]
    assert (state["file_reason"], state["records"], state["hash"]) == ("too large", 0, "")


def _rel(household: str) -> str:
    return rec.raw_path(household, rec.format_utc(DAY))


def _unknown_keys(raw: Path, per_line: int) -> None:
    """Four files of 200 records, each record with ``per_line`` unknown keys of its own (what made the
    reports grow with the input)."""
    base = day_lines(DAY, 1)[0]
    for n in range(4):
        lines = []
        for i in range(200):
            keys = "".join(f'"unknown_{n}_{i:04d}_{k:04d}_{"x" * 30}":1,' for k in range(per_line))
            lines.append(base.replace("{", "{" + keys, 1))
        write_day(raw, household_id(200 + n), DAY, ("\n".join(lines) + "\n").encode())


def _junk_paths(raw: Path, count: int) -> None:
    folder = raw / household_id(300)
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"junk-{i:06d}-{'y' * 30}.txt").touch()


def _sizes(out: Path) -> dict[str, int]:
    return {name: (out / name).stat().st_size for name in REPORTS}


def test_reports_are_bounded_whatever_the_input(tmp_path: Path) -> None:
    """Five times the unknown keys and junk paths: the reports do not grow (a count's digits aside), and no
    writer-chosen text appears in them."""
    sizes = []
    for scale in (1, 5):
        raw = tmp_path / f"raw{scale}"
        _unknown_keys(raw, 10 * scale)
        _junk_paths(raw, 2_000 * scale)
        out = _build(raw, tmp_path / f"out{scale}")
        sizes.append(_sizes(out))
        for name in REPORTS:
            text = (out / name).read_text(encoding="utf-8")
            assert "unknown_" not in text, name
            assert text.count("junk-") <= reasons.MAX_EXAMPLES, name
        report = read_json(out / "cohort" / "quarantine.json")
        assert report["totals"]["unknown key"] == 4 * 200
        assert report["totals"]["path: outside layout"] == 2_000 * scale
    for name in REPORTS:
        assert sizes[1][name] - sizes[0][name] <= 64, (name, sizes)
        assert sizes[1][name] < 20_000, (name, sizes)


def test_a_file_of_too_many_lines_is_not_parsed(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_day(raw, household_id(80), DAY, b'{"x":1}\n' * (read.MAX_LINES + 1))
    write_day(raw, GOOD, DAY, day_lines(DAY, 288))
    report = read_json(_build(raw, tmp_path / "out") / "cohort" / "quarantine.json")
    assert report["households"][household_id(80)]["files"][0]["reason"] == "too many lines"
    assert GOOD not in report["households"]


def test_forty_thousand_junk_paths_make_a_small_report(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_day(raw, GOOD, DAY, day_lines(DAY, 12))
    _junk_paths(raw, 40_000)
    out = _build(raw, tmp_path / "out")
    paths = read_json(out / "cohort" / "quarantine.json")["paths"]
    assert [(row["reason"], row["count"], len(row["examples"])) for row in paths] == [
        ("outside layout", 40_000, reasons.MAX_EXAMPLES)
    ]
    assert all(size < 20_000 for size in _sizes(out).values()), _sizes(out)


def test_an_exception_in_one_file_quarantines_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser failure the pre-checks do not foresee (here a RecursionError raised by the parser for one
    household's lines) costs that file, not the day."""
    raw = tmp_path / "raw"
    victim = household_id(70)
    write_day(raw, GOOD, DAY, day_lines(DAY, 12))
    # A blank line sends the file the exact way, through the standard library's parser.
    write_day(raw, victim, DAY, ("\n".join(day_lines(DAY, 12, postcode_prefix="999")) + "\n\n").encode())

    def failing_loads(text: str, **kwargs: Any) -> Any:
        if '"999"' in text:
            raise RecursionError("maximum recursion depth exceeded")
        return json.loads(text, **kwargs)

    monkeypatch.setattr(read, "json", SimpleNamespace(loads=failing_loads))
    out = _build(raw, tmp_path / "out")
    report = read_json(out / "cohort" / "quarantine.json")
    assert report["households"][victim]["files"][0]["reason"] == "read failed"
    assert read_json(out / "views" / "status.json")["records"] == 12


def test_a_check_that_raises_on_one_file_spares_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    victim = household_id(71)
    write_day(raw, GOOD, DAY, day_lines(DAY, 12))
    write_day(raw, victim, DAY, day_lines(DAY, 12, postcode_prefix="999"))
    real = clean.is_placeholder

    def failing(table: Any) -> Any:
        if "999" in table.column("postcode_prefix").to_pylist():
            raise MemoryError
        return real(table)

    monkeypatch.setattr(clean, "is_placeholder", failing)
    out = _build(raw, tmp_path / "out")
    report = read_json(out / "cohort" / "quarantine.json")
    assert report["households"][victim]["files"][0]["reason"] == "check failed"
    assert read_json(out / "views" / "status.json")["records"] == 12


def test_a_failed_day_is_kept_and_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    other = DAY - timedelta(days=1)
    write_day(raw, GOOD, DAY, day_lines(DAY, 12))
    write_day(raw, GOOD, other, day_lines(other, 12))
    real = build_module.rebuild_day

    def failing(job: Any) -> Any:
        if job.day == DAY.date().isoformat():
            raise OSError("disk trouble")
        return real(job)

    monkeypatch.setattr(build_module, "rebuild_day", failing)
    summary = build(raw, tmp_path / "out" / "cohort", tmp_path / "out" / "views", now=NOW, workers=1)
    assert summary.failed_days == 1
    state = read_json(tmp_path / "out" / "cohort" / "state.json")["files"]
    assert _rel(GOOD) not in state  # not recorded: the next run reads it again
    monkeypatch.setattr(build_module, "rebuild_day", real)
    again = build(raw, tmp_path / "out" / "cohort", tmp_path / "out" / "views", now=NOW, workers=1)
    assert (again.failed_days, again.files) == (0, 1)
    assert read_json(tmp_path / "out" / "views" / "status.json")["records"] == 24
