"""A hand edit of data/cohort/ is undone by the next build, even when no raw file changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]

from aggregation.build import build


def _partitions(out: Path) -> dict[str, pd.DataFrame]:
    return {p.relative_to(out).as_posix(): pd.read_parquet(p) for p in sorted(out.glob("resolution=*/**/*.parquet"))}


def test_edited_deleted_and_planted_partitions_are_restored(cohort_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(cohort_raw, raw)
    out, views = tmp_path / "cohort", tmp_path / "views"
    build(raw, out, views)
    before = _partitions(out)
    edited, deleted = sorted(before)[0], sorted(before)[-1]
    frame = before[edited].copy()
    frame.iloc[0, frame.columns.get_loc(frame.select_dtypes("number").columns[0])] = 9.99e9
    frame.to_parquet(out / edited)
    (out / deleted).unlink()
    planted = out / "resolution=1h/region=ZZZ/month=2026-11/part-0.parquet"
    planted.parent.mkdir(parents=True)
    before[edited].to_parquet(planted)
    assert _partitions(out).keys() != before.keys()
    summary = build(raw, out, views)
    assert summary.files == 0  # no raw file changed: only the guard acted
    after = _partitions(out)
    assert after.keys() == before.keys()
    for rel, original in before.items():
        pd.testing.assert_frame_equal(after[rel], original)
