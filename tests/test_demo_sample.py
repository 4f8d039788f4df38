"""The dashboard's demo sample (site/demo) is what the generator and the aggregation make today."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _without_generation_time(view: Any) -> Any:
    if isinstance(view, dict):
        return {key: _without_generation_time(value) for key, value in view.items() if key != "generated_at"}
    if isinstance(view, list):
        return [_without_generation_time(value) for value in view]
    return view


def test_committed_demo_sample_matches_a_fresh_build(tmp_path: Path) -> None:
    committed = sorted((REPO / "site" / "demo").glob("*.json"))
    assert len(committed) >= 9, "every view has a demo sample"
    python = [sys.executable, "-m", "aggregation"]
    simulate = [
        *python,
        "simulate",
        "--households",
        "40",
        "--days",
        "7",
        "--seed",
        "2026",
        "--out",
        str(tmp_path / "raw"),
    ]
    subprocess.run(simulate, cwd=REPO, check=True, capture_output=True)
    build = [*python, "build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "cohort")]
    subprocess.run(
        [*build, "--views", str(tmp_path / "views"), "--demo", "--full", "--site-cohort", "demo/cohort"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    fresh = {path.name: path for path in (tmp_path / "views").glob("*.json")}
    assert sorted(fresh) == [path.name for path in committed]
    for path in committed:
        expected = _without_generation_time(json.loads(fresh[path.name].read_text()))
        assert _without_generation_time(json.loads(path.read_text())) == expected, (
            f"site/demo/{path.name} is stale: run make demo-sample"
        )
    status = json.loads((REPO / "site" / "demo" / "status.json").read_text())
    assert status["demo"] is True
    # Every download views.json lists is in the sample, with the size it states (the site serves it from there).
    downloads = json.loads((REPO / "site" / "demo" / "views.json").read_text())["downloads"]
    parquet = [item for item in downloads if item["format"] == "parquet"]
    assert parquet and all(item["path"].startswith("demo/cohort/") for item in parquet)
    for item in downloads:
        path = REPO / "docs" / item["path"] if item["path"] == "DATA.md" else REPO / "site" / item["path"]
        assert path.stat().st_size == item["bytes"], item["path"]
    committed_parquet = {
        p.relative_to(REPO / "site").as_posix() for p in (REPO / "site/demo/cohort").rglob("*.parquet")
    }
    assert committed_parquet == {item["path"] for item in parquet}
