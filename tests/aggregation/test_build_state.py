"""Declared build state: cached tables match their declaration, and other code or rules never mix in."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from aggregation import state, store, suppress
from aggregation.build import build
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, without_generated_at, write_day

DAYS = [NOW - timedelta(days=2), NOW - timedelta(days=1)]


def _raw(root: Path) -> Path:
    raw = root / "raw"
    for n in range(1, 8):
        for day in DAYS:
            load = 1.0 + n / 10
            write_day(raw, household_id(n), day, day_lines(day, 24, house_load_kw=load, net_import_kw=load - 1.5))
    return raw


def _views(root: Path) -> dict[str, object]:
    return {path.name: without_generated_at(read_json(path)) for path in sorted((root / "views").glob("*.json"))}


def test_every_cached_table_matches_its_declaration(tmp_path: Path) -> None:
    build(_raw(tmp_path), tmp_path / "cohort", tmp_path / "views", now=NOW)
    for day in (day.date().isoformat() for day in DAYS):
        for table in state.SCHEMAS:
            path = state.table_path(tmp_path / "cohort", day, table)
            assert state.matches(path, table), (table, pq.read_schema(path))
    assert read_json(tmp_path / "cohort" / "state.json")["fingerprint"] == state.fingerprint()


def test_a_cached_table_with_a_column_dropped_is_rebuilt_not_read(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    build(raw, tmp_path / "fresh" / "cohort", tmp_path / "fresh" / "views", now=NOW)
    build(raw, tmp_path / "cohort", tmp_path / "views", now=NOW)
    hours = state.table_path(tmp_path / "cohort", DAYS[0].date().isoformat(), "partials/hours")
    table = pq.read_table(hours)
    pq.write_table(table.drop_columns(["export_at_cap"]), hours)
    build(raw, tmp_path / "cohort", tmp_path / "views", now=NOW)
    assert state.matches(hours, "partials/hours")
    assert _views(tmp_path) == _views(tmp_path / "fresh")


def test_a_changed_rule_rebuilds_the_cached_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _raw(tmp_path)
    build(raw, tmp_path / "cohort", tmp_path / "views", now=NOW)
    before = state.fingerprint()
    day = DAYS[0].date().isoformat()
    assert not store.read_cells(tmp_path / "cohort", day, "1h")["suppressed"].all()  # 7 households pass
    monkeypatch.setattr(suppress, "REGION_RULE", suppress.Rule(8, 0.5))
    assert state.fingerprint() != before
    build(raw, tmp_path / "cohort", tmp_path / "views", now=NOW)
    for cached in (store.read_cells(tmp_path / "cohort", d.date().isoformat(), "1h") for d in DAYS):
        assert cached["suppressed"].all()  # no day kept its cells from the old rule
    build(raw, tmp_path / "full" / "cohort", tmp_path / "full" / "views", now=NOW)
    assert _views(tmp_path) == _views(tmp_path / "full")


def test_the_fingerprint_command_prints_the_fingerprint() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "aggregation", "fingerprint"], capture_output=True, text=True, check=True
    ).stdout
    assert out == state.fingerprint() + "\n"
