"""Intermediates under ``<cohort>/_state/``: one Parquet of validated household intervals per
UTC day and the day's suppressed cells, so a run recomputes only the days whose raw files
changed. Readers of the cohort dataset skip ``_state`` (a leading underscore is hidden to
pyarrow, DuckDB globs over ``resolution=*`` and the datapackage).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Final

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env
import pyarrow as pa
import pyarrow.parquet as pq

STATE_DIR: Final = "_state"
ROW_GROUP: Final = 128 * 1024


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Deterministic zstd Parquet: same frame, same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=ROW_GROUP, write_statistics=True)
    tmp.replace(path)


def records_path(cohort: Path, day: str) -> Path:
    return cohort / STATE_DIR / "records" / f"day={day}" / "part-0.parquet"


def cells_path(cohort: Path, day: str, resolution: str) -> Path:
    return cohort / STATE_DIR / "cells" / f"day={day}" / f"{resolution}.parquet"


def partials_dir(cohort: Path, day: str) -> Path:
    return cohort / STATE_DIR / "partials" / f"day={day}"


def read_path(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A Parquet file as a frame; an empty frame when it does not exist."""
    if not path.exists():
        return pd.DataFrame()
    return pq.read_table(path, columns=columns).to_pandas()


def read_records(cohort: Path, day: str, columns: list[str] | None = None) -> pd.DataFrame:
    return read_path(records_path(cohort, day), columns)


def read_cells(cohort: Path, day: str, resolution: str) -> pd.DataFrame:
    return read_path(cells_path(cohort, day, resolution))


def drop_day(cohort: Path, day: str) -> None:
    shutil.rmtree(records_path(cohort, day).parent, ignore_errors=True)
    drop_outputs(cohort, day)


def drop_outputs(cohort: Path, day: str) -> None:
    """A day's cells and partials (its records stay)."""
    for folder in (cells_path(cohort, day, "x").parent, partials_dir(cohort, day)):
        shutil.rmtree(folder, ignore_errors=True)


def prune_records(cohort: Path, days: list[str], keep: int) -> None:
    """Delete the household intervals and view partials of all but the newest ``keep`` days (cells stay)."""
    for day in days[:-keep] if len(days) > keep else []:
        shutil.rmtree(records_path(cohort, day).parent, ignore_errors=True)
        shutil.rmtree(partials_dir(cohort, day), ignore_errors=True)
