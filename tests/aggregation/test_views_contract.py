"""The view files follow docs/VIEWS.md: keys, dense series, suppression marks, rounding, size."""

from __future__ import annotations

import gzip
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aggregation.build import build
from aggregation.views.ranges import BY_ID
from aggregation.views.registry import REGISTRY

NOW = datetime(2026, 11, 20, tzinfo=UTC)
REGIONS = ["NEM", "NSW1", "QLD1", "VIC1", "SA1", "TAS1"]
STEPS = {"5m": 288, "1h": 24, "1d": 1}


@pytest.fixture(scope="module")
def views(cohort_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("views")
    build(cohort_raw, out / "cohort", out / "views", now=NOW, demo=True)
    return out / "views"


def _load(views: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((views / f"{name}.json").read_text())
    return data


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    items = value.values() if isinstance(value, dict) else value
    return [number for item in items for number in _numbers(item)]


def _floats(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, (dict, list)):
        items = value.values() if isinstance(value, dict) else value
        return [number for item in items for number in _floats(item)]
    return []


def _check_dense(block: dict[str, Any], days: int = 2) -> None:
    length = STEPS[block["interval"]] * days
    arrays = {key: value for key, value in block.items() if isinstance(value, list) and key != "suppressed"}
    assert arrays and all(len(value) == length for value in arrays.values())
    for index in block["suppressed"]:
        assert all(value[index] is None for value in arrays.values())


FILES = [(view.id, rid, name) for view in REGISTRY for rid, name in view.files().items()]


@pytest.mark.parametrize(("name", "rid", "file"), FILES, ids=[file for _, _, file in FILES])
def test_every_view_file_has_meta_and_stays_small(views: Path, name: str, rid: str | None, file: str) -> None:
    data: dict[str, Any] = json.loads((views / file).read_text())
    meta = data["meta"]
    assert meta["view"] == name and meta["range"] == rid
    assert meta["title"] == next(view.title for view in REGISTRY if view.id == name)
    assert meta["regions"] == REGIONS
    first = "2026-11-03" if rid == "1d" else "2026-11-02"  # 1d: the newest day; the others cover both
    assert meta["period"] == {"start": f"{first}T00:00:00Z", "end": "2026-11-04T00:00:00Z"}
    assert set(meta) >= {"title", "generated_at", "schema_version", "households", "suppression", "units", "notes"}
    assert set(meta) >= {"range", "resolution"}
    if rid is not None:
        assert meta["notes"].startswith(
            BY_ID[rid].describe(["2026-11-03"] if rid == "1d" else ["2026-11-02", "2026-11-03"])
        )
    assert len(gzip.compress((views / file).read_bytes())) < 300_000
    for number in _floats({key: value for key, value in data.items() if key != "meta"}):
        assert math.isfinite(number)
        assert number == float(f"{number:.4g}")  # 4 significant figures (counts are integers)


def test_status_overview(views: Path) -> None:
    status = _load(views, "status")
    assert status["cohort_size"] == 40
    assert status["households_total"] == 40
    assert status["records"] == 40 * 2 * 288
    assert status["last_updated"] == "2026-11-03T23:55:00Z"
    assert status["demo"] is True
    assert set(status["quality"]) == {
        "files",
        "records",
        "rejected",
        "duplicates",
        "quarantined_files",
        "energy_balance_flagged",
    }
    for households in status["regions"].values():
        assert households is None or households >= 5


def test_dense_series_are_aligned_and_mark_suppression(views: Path) -> None:
    flex = _load(views, "flex")
    assert list(flex["series"]) == REGIONS
    for block in flex["series"].values():
        assert block["start"] == "2026-11-02T00:00:00Z"
        _check_dense(block)
    assert not flex["series"]["NEM"]["suppressed"]
    assert any(block["suppressed"] for block in flex["series"].values())
    for region, block in _load(views, "ledger")["series"].items():
        _check_dense(block)
        assert region in REGIONS
    spread = _load(views, "spread")
    for block in spread["series"].values():
        _check_dense(block)
    for block in spread["daily"].values():  # AEST market days: two UTC days touch three
        assert block["start"] == "2026-11-01T14:00:00Z"
        _check_dense(block, days=3)
    for block in _load(views, "assets")["series"].values():
        _check_dense(block)


def test_table_rows_null_their_numbers_when_suppressed(views: Path) -> None:
    for name, key in (("curtailment", "cells"), ("shadow", "cells"), ("price_response", "rows"), ("spread", "by_hour")):
        rows = _load(views, name)[key]
        assert rows
        for row in rows:
            if row["suppressed"]:
                assert not _numbers({k: v for k, v in row.items() if k not in {"hour_aest", "bin"}}), row
            elif row.get("households") is not None:  # null and not suppressed: no data
                assert row["households"] >= 5


def test_price_response_bins_and_rows(views: Path) -> None:
    data = _load(views, "price_response")
    assert data["bins"][0]["label"] == "< 0"
    assert data["bins"][0]["low"] is None and data["bins"][-1]["high"] is None
    assert len(data["rows"]) == 6 * len(data["bins"])
    published = [row for row in data["rows"] if not row["suppressed"] and row["households"] is not None]
    assert published
    for row in data["rows"]:
        if not row["suppressed"] and row["households"] is None:  # a bin without households: no data
            assert row["mean_delta_kw"] is None and row["household_intervals"] is None
    for row in published:
        assert row["ci_low_kw"] <= row["mean_delta_kw"] <= row["ci_high_kw"]
        assert row["thin"]  # two days of data are fewer than ten


def test_quality_has_days_and_no_household_ids(views: Path, cohort_raw: Path) -> None:
    text = (views / "quality.json").read_text()
    assert [day["day"] for day in json.loads(text)["days"]] == ["2026-11-02", "2026-11-03"]
    assert not any(path.name in text for path in cohort_raw.iterdir())
