"""The view registry is the one list of views and the ranges the one list of periods: the build writes a file
per view and range and lists them in views.json, which is all the site reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aggregation.build import build
from aggregation.views.ranges import BY_ID, RANGES
from aggregation.views.registry import REGISTRY
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, write_day

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("registry")
    for offset in (1, 2):  # two days, so the 1-day range holds fewer days than the others
        day = NOW.replace(day=NOW.day - offset)
        for n in range(1, 7):
            write_day(root / "raw", household_id(n), day, day_lines(day, 12))
    build(root / "raw", root / "cohort", root / "views", now=NOW)
    return root / "views"


def test_the_build_writes_exactly_the_files_views_json_lists(views: Path) -> None:
    catalogue = read_json(views / "views.json")
    assert catalogue["schema"] == 1
    listed = {view["file"] for view in catalogue["views"]}
    listed |= {name for view in catalogue["views"] for name in (view["ranges"] or {}).values()}
    assert sorted(path.name for path in views.glob("*.json")) == sorted({*listed, "views.json"})
    assert [view["id"] for view in catalogue["views"]] == [view.id for view in REGISTRY]


def test_views_json_carries_the_ranges_and_each_views_files(views: Path) -> None:
    catalogue = read_json(views / "views.json")
    assert catalogue["ranges"] == [
        {"id": "1d", "label": "1D", "days": 1, "resolution": "5min"},
        {"id": "7d", "label": "7D", "days": 7, "resolution": "5min"},
        {"id": "28d", "label": "28D", "days": 28, "resolution": "1h"},
        {"id": "all", "label": "All", "days": None, "resolution": "1d"},
    ]
    assert [(r.id, r.days, r.resolution) for r in RANGES] == [
        (r["id"], r["days"], r["resolution"]) for r in catalogue["ranges"]
    ]
    by_id = {view["id"]: view for view in catalogue["views"]}
    assert by_id["flex"]["default_range"] == "7d"
    assert by_id["flex"]["ranges"] == {
        "1d": "flex-1d.json",
        "7d": "flex.json",
        "28d": "flex-28d.json",
        "all": "flex-all.json",
    }
    assert by_id["status"]["ranges"] is None and by_id["status"]["default_range"] is None
    for view in REGISTRY:
        entry = by_id[view.id]
        assert (entry["title"], entry["file"]) == (view.title, view.file)
        if entry["ranges"]:
            assert entry["ranges"][entry["default_range"]] == entry["file"]  # the default file keeps its name


def test_each_range_file_has_the_default_files_shape_and_says_its_range(views: Path) -> None:
    for view in read_json(views / "views.json")["views"]:
        default = read_json(views / view["file"])
        if not view["ranges"]:
            assert default["meta"]["range"] is None
            continue
        for rid, name in view["ranges"].items():
            data = read_json(views / name)
            assert set(data) == set(default) and set(data["meta"]) == set(default["meta"]), name
            assert data["meta"]["range"] == rid
            expected = "1h" if view["id"] == "assets" else BY_ID[rid].resolution  # asset cells are hourly only
            assert data["meta"]["resolution"] == expected, name
            blocks = [b for b in data.get("series", {}).values() if isinstance(b, dict) and "interval" in b]
            if view["id"] != "assets":
                assert all(b["interval"] == {"5min": "5m"}.get(expected, expected) for b in blocks), name
        one_day = read_json(views / view["ranges"]["1d"]) if "1d" in view["ranges"] else None
        if one_day is not None:  # the 1-day range holds the newest day only
            assert one_day["meta"]["period"]["start"] == f"{NOW.replace(day=NOW.day - 1).date()}T00:00:00Z", view["id"]
            assert one_day["meta"]["notes"].startswith("Last 1 day of data"), view["id"]


def test_the_site_shows_every_registered_view_and_no_other() -> None:
    """Each site module's spec names the view file it shows."""
    shown = set()
    for module in (ROOT / "site" / "src" / "views").glob("*.js"):
        shown |= set(re.findall(r'^\s*file: "([a-z_]+)"', module.read_text(encoding="utf-8"), re.M))
    registered = {view.id for view in REGISTRY}
    # quality.json: the data page's table; standing.json: read by each household's Home Assistant.
    assert shown <= registered and registered - shown == {"quality", "standing"}


def test_views_md_describes_every_registered_view() -> None:
    text = (ROOT / "docs" / "VIEWS.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^### `([a-z_]+)\.json`", text, re.M)) == {view.id for view in REGISTRY}
