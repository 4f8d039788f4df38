"""``views.json``: what the site may show and offer, derived from the registry and the ranges.

The site reads the ranges, each view's files per range and the downloadable data from here,
never from a list of its own. Download paths are relative to the site root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from aggregation.views.ranges import RANGES
from aggregation.views.registry import REGISTRY

SCHEMA: Final = 1
FILE: Final = "views.json"
DATA_DICTIONARY: Final = Path(__file__).resolve().parents[2] / "docs" / "DATA.md"


def catalogue(generated_at: str, downloads: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "generated_at": generated_at,
        "ranges": [
            {"id": period.id, "label": period.label, "days": period.days, "resolution": period.resolution}
            for period in RANGES
        ],
        "views": [
            {
                "id": view.id,
                "title": view.title,
                "file": view.file,
                "default_range": view.default_range,
                "ranges": {rid: name for rid, name in view.files().items() if rid is not None} or None,
            }
            for view in REGISTRY
        ],
        "downloads": downloads,
    }


def _parquet_title(relative: Path) -> str:
    """``resolution=1h/region=NSW1/month=2026-11/part-0.parquet`` -> ``Cohort cells 1h, NSW1, 2026-11``."""
    keys = [part.split("=", 1)[1] for part in relative.parts if "=" in part]
    resolution, rest = keys[0], keys[1:]
    if resolution == "1d_postcode":
        return "Cohort cells per postcode prefix, daily, " + ", ".join(rest)
    return f"Cohort cells {resolution}, " + ", ".join(rest)


def downloads(cohort_dir: Path, site_cohort: str) -> list[dict[str, Any]]:
    """The published data files as the site serves them: the cohort folder under ``site_cohort`` (its
    datapackage.json and every Parquet partition) and the data dictionary at the site root."""
    items: list[dict[str, Any]] = []
    if DATA_DICTIONARY.exists():
        items.append(
            {
                "path": DATA_DICTIONARY.name,
                "title": "Data dictionary (docs/DATA.md): every file and column",
                "format": "markdown",
                "bytes": DATA_DICTIONARY.stat().st_size,
            }
        )
    package = cohort_dir / "datapackage.json"
    if package.exists():
        items.append(
            {
                "path": f"{site_cohort}/datapackage.json",
                "title": "Data package (Frictionless): every Parquet file with its columns",
                "format": "json",
                "bytes": package.stat().st_size,
            }
        )
    for path in sorted(cohort_dir.glob("resolution=*/**/*.parquet")):
        relative = path.relative_to(cohort_dir)
        items.append(
            {
                "path": f"{site_cohort}/{relative.as_posix()}",
                "title": _parquet_title(relative),
                "format": "parquet",
                "bytes": path.stat().st_size,
            }
        )
    return items
