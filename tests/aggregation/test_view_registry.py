"""The view registry is the one list of views: the build writes it, the site shows it."""

from __future__ import annotations

import re
from pathlib import Path

from aggregation.build import build
from aggregation.views.registry import REGISTRY
from tests.aggregation.helpers import NOW, day_lines, household_id, write_day

ROOT = Path(__file__).parents[2]


def test_the_build_writes_exactly_the_registered_views(tmp_path: Path) -> None:
    day = NOW.replace(day=NOW.day - 1)
    write_day(tmp_path / "raw", household_id(1), day, day_lines(day, 12))
    build(tmp_path / "raw", tmp_path / "cohort", tmp_path / "views", now=NOW)
    assert sorted(path.name for path in (tmp_path / "views").glob("*.json")) == sorted(v.file for v in REGISTRY)


def test_the_site_shows_every_registered_view_and_no_other() -> None:
    """Each site module's spec names the view file it shows; the data page lists every view file."""
    views = ROOT / "site" / "src" / "views"
    shown = set()
    for module in views.glob("*.js"):
        shown |= set(re.findall(r'^\s*file: "([a-z_]+)"', module.read_text(encoding="utf-8"), re.M))
    registered = {view.id for view in REGISTRY}
    # quality.json: the data page's table; standing.json: read by each household's Home Assistant.
    assert shown <= registered and registered - shown == {"quality", "standing"}
    listed = re.findall(r'^\s*\["([a-z_]+)\.json"', (views / "data-page.js").read_text(encoding="utf-8"), re.M)
    assert sorted(listed) == sorted(registered)


def test_views_md_describes_every_registered_view() -> None:
    text = (ROOT / "docs" / "VIEWS.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^### `([a-z_]+)\.json`", text, re.M)) == {view.id for view in REGISTRY}
