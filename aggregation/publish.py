"""Write the published cohort Parquet, Hive-partitioned so readers prune by region and date.

``resolution=5min|1h/region=R/month=YYYY-MM/part-0.parquet``,
``resolution=1d/region=R/year=YYYY/part-0.parquet`` and
``resolution=1d_postcode/year=YYYY/part-0.parquet``. A run rewrites only the partitions
whose days changed; a partition is the concatenation of its days' cached cells.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation import store

MONTHLY: Final = ("5min", "1h")
YEARLY: Final = ("1d", "1d_postcode")
RESOLUTIONS: Final = (*MONTHLY, *YEARLY)


def period_of(resolution: str, day: str) -> str:
    return day[:7] if resolution in MONTHLY else day[:4]


def _folder(cohort: Path, resolution: str, period: str, region: str | None) -> Path:
    key = "month" if resolution in MONTHLY else "year"
    base = cohort / f"resolution={resolution}"
    return (base / f"region={region}" if region else base) / f"{key}={period}"


def publish(cohort: Path, changed_days: Iterable[str], all_days: list[str]) -> list[Path]:
    """Rewrite the partitions holding ``changed_days``; returns the files written."""
    written: list[Path] = []
    for resolution in RESOLUTIONS:
        periods = sorted({period_of(resolution, day) for day in changed_days})
        for period in periods:
            days = [day for day in sorted(all_days) if period_of(resolution, day) == period]
            parts = [store.read_cells(cohort, day, resolution) for day in days]
            parts = [part for part in parts if not part.empty]
            frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
            if resolution == "1d_postcode":
                shutil.rmtree(_folder(cohort, resolution, period, None), ignore_errors=True)
                if not frame.empty:
                    path = _folder(cohort, resolution, period, None) / "part-0.parquet"
                    store.write_table(frame, path)
                    written.append(path)
                continue
            for folder in sorted((cohort / f"resolution={resolution}").glob(f"region=*/*={period}")):
                shutil.rmtree(folder)
            if frame.empty:
                continue
            for region, rows in frame.groupby("region", sort=False):
                path = _folder(cohort, resolution, period, str(region)) / "part-0.parquet"
                store.write_table(rows.drop(columns="region").reset_index(drop=True), path)
                written.append(path)
    return written


def read_resolution(cohort: Path, resolution: str) -> pd.DataFrame:
    """Every published cell of a resolution with its partition keys as columns (for the views)."""
    import pyarrow.dataset as ds

    folder = cohort / f"resolution={resolution}"
    if not folder.exists():
        return pd.DataFrame()
    dataset = ds.dataset(folder, format="parquet", partitioning="hive")
    return dataset.to_table().to_pandas()
