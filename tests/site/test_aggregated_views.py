"""The dashboard drawing what the real generator and aggregation produce (not hand-made fixtures)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.site.conftest import VIEW_IDS, Site, build_site, serve_folder, wait_for_view

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def aggregated_demo_site(tmp_path_factory: pytest.TempPathFactory, aggregated_views: Path) -> Iterator[Site]:
    """No real data: the aggregation's output as the synthetic sample only."""
    out = tmp_path_factory.mktemp("aggregated-demo-site") / "dist"
    yield from serve_folder(build_site(out, data=None, demo=aggregated_views))


def test_every_view_draws_the_aggregation_output(aggregated_site, aggregated_views, open_page) -> None:
    page, _ = open_page(aggregated_site.url)
    status = json.loads((aggregated_views / "status.json").read_text(encoding="utf-8"))
    wait_for_view(page, "overview")
    assert page.locator("#demo-banner").is_hidden() is (status["demo"] is not True)
    for view in VIEW_IDS[:-1]:
        page.click(f"#tab-{view}")
        wait_for_view(page, view)
        panel = page.locator(f"#panel-{view}")
        assert panel.get_attribute("data-source") == "data"
        assert panel.locator("[data-testid=view-error], [data-testid=chart-error]").count() == 0
        drawn = panel.locator("[data-drawn=true]").count() + panel.locator("[data-testid=privacy-notice]").count()
        assert drawn >= 1, f"{view} shows neither a chart nor a privacy notice"
        assert (
            panel.locator("svg g[aria-label] > *").count() >= 1 or panel.locator("[data-testid=privacy-notice]").count()
        )


def test_flex_draws_one_area_per_direction_from_the_aggregation(aggregated_site, aggregated_views, open_page) -> None:
    flex = json.loads((aggregated_views / "flex.json").read_text(encoding="utf-8"))
    nem = flex["series"]["NEM"]
    page, _ = open_page(aggregated_site.url + "#flex")
    wait_for_view(page, "flex")
    spans = page.locator("#chart-flex-kw g.suppressed-spans rect").count()
    assert page.locator("#chart-flex-kw g.flex-up path").count() == 1
    assert page.locator("#chart-flex-kw g.flex-down path").count() == 1
    assert (spans == 0) is (len(nem["suppressed"]) == 0)


def test_aggregation_output_as_demo_sample_shows_the_banner(aggregated_demo_site, open_page) -> None:
    page, _ = open_page(aggregated_demo_site.url + "#shadow")
    wait_for_view(page, "shadow")
    assert page.locator("#demo-banner").is_visible()
    assert page.locator("#panel-shadow").get_attribute("data-source") == "demo"
    assert page.locator("#panel-shadow [data-drawn=true]").count() >= 1
