"""Published Parquet read back with pandas and DuckDB matches figures computed here from the raw JSONL."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from aggregation.build import build

NOW = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def built(cohort_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("readback")
    build(cohort_raw, out / "cohort", out / "views", now=NOW)
    return out / "cohort"


def _raw_records(raw: Path) -> list[tuple[str, dict[str, object]]]:
    rows = []
    for path in sorted(raw.glob("*/*/*/*.jsonl")):
        household = path.relative_to(raw).parts[0]
        rows += [(household, json.loads(line)) for line in path.read_text().splitlines()]
    return rows


def _expected_hourly(raw: Path) -> dict[tuple[str, str], tuple[float, int]]:
    """(region or NEM, hour) -> (net import kWh, households), straight from the records."""
    energy: dict[tuple[str, str], float] = defaultdict(float)
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for household, record in _raw_records(raw):
        hour = str(record["interval_start_utc"])[:13]
        for region in ("NEM", str(record["region"])):
            energy[region, hour] += float(record["net_import_kw"]) * 5 / 60  # type: ignore[arg-type]
            members[region, hour].add(household)
    return {key: (energy[key], len(members[key])) for key in energy}


def test_pandas_reads_hourly_cells_that_match_the_raw_records(built: Path, cohort_raw: Path) -> None:
    frame = pd.read_parquet(built / "resolution=1h")
    expected = _expected_hourly(cohort_raw)
    published = frame[~frame["suppressed"]]
    assert len(published) > 48  # NEM for every hour, and some regions
    for row in published.itertuples():
        kwh, households = expected[str(row.region), row.start.strftime("%Y-%m-%dT%H")]
        assert row.households == households
        assert row.net_import_kwh == pytest.approx(kwh, rel=1e-9, abs=1e-9)


def test_duckdb_reads_the_same_figures_and_prunes_by_region(built: Path, cohort_raw: Path) -> None:
    pattern = str(built / "resolution=1h" / "*" / "*" / "*.parquet")
    rows = duckdb.sql(
        f"SELECT strftime(start AT TIME ZONE 'UTC', '%Y-%m-%dT%H') AS hour, households, net_import_kwh "
        f"FROM read_parquet('{pattern}', hive_partitioning = true) WHERE region = 'NEM' ORDER BY start"
    ).fetchall()
    expected = _expected_hourly(cohort_raw)
    assert len(rows) == 48
    for hour, households, kwh in rows:
        assert (kwh, households) == (pytest.approx(expected["NEM", hour][0]), expected["NEM", hour][1])


def test_suppressed_cells_are_null_not_zero(built: Path) -> None:
    frame = pd.read_parquet(built / "resolution=5min")
    hidden = frame[frame["suppressed"]]
    assert len(hidden) > 0  # 40 households over five regions leave some regions small
    assert hidden["net_import_kwh"].isna().all()
    assert hidden["households"].isna().all()
    assert frame.loc[~frame["suppressed"], "households"].min() >= 5


def test_no_published_column_names_a_household(built: Path, cohort_raw: Path) -> None:
    households = {path.name for path in cohort_raw.iterdir()}
    for path in built.glob("resolution=*/**/*.parquet"):
        frame = pd.read_parquet(path)
        assert "household" not in frame.columns
        assert not households & set(frame.astype(str).to_numpy().ravel().tolist())
