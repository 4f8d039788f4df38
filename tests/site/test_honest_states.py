"""Honest empty and stale states, on real aggregation output with one thing changed: a series with no
published values says so instead of drawing a zero line, a value beyond anything a household could
produce never reaches a chart, and old data is announced with its age."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import Site, build_site, edited_views, serve_folder, wait_for_view

pytestmark = pytest.mark.browser

OUTLIER = 1e308


def _empty_and_outlier(views: dict[str, Any]) -> None:
    nem = views["flex"]["series"]["NEM"]
    nem["flex_up_kw"] = [None] * len(nem["flex_up_kw"])  # not suppressed: simply nothing published
    nem["flex_down_kw"] = [None] * len(nem["flex_down_kw"])
    qld = views["flex"]["series"]["QLD1"]
    spot = next(i for i, v in enumerate(qld["price_buy"]) if v is not None)
    qld["price_buy"][spot] = OUTLIER
    # In the region the test reads (the region is shared by every view).
    views["ledger"]["series"]["QLD1"]["saving_aud"][3] = -OUTLIER
    next(row for row in views["spread"]["by_hour"] if row["region"] == "QLD1")["price_buy"] = OUTLIER


@pytest.fixture(scope="module")
def edited_site(tmp_path_factory: pytest.TempPathFactory, aggregated_views: Path) -> Iterator[Site]:
    data = edited_views(tmp_path_factory.mktemp("edited"), aggregated_views, _empty_and_outlier)
    yield from serve_folder(
        build_site(tmp_path_factory.mktemp("edited-site") / "dist", data=data, demo=aggregated_views)
    )


def _fresh(views: dict[str, Any]) -> None:
    recent = datetime.now(UTC) - timedelta(minutes=30)
    views["status"]["last_updated"] = recent.strftime("%Y-%m-%dT%H:%M:00Z")
    views["status"]["newest_data_at"] = (recent + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:00Z")
    views["status"]["demo"] = False


@pytest.fixture(scope="module")
def fresh_site(tmp_path_factory: pytest.TempPathFactory, aggregated_views: Path) -> Iterator[Site]:
    data = edited_views(tmp_path_factory.mktemp("fresh"), aggregated_views, _fresh)
    yield from serve_folder(
        build_site(tmp_path_factory.mktemp("fresh-site") / "dist", data=data, demo=aggregated_views)
    )


def test_a_series_with_no_published_values_says_so_instead_of_a_zero_line(edited_site: Site, open_page: Any) -> None:
    page, _ = open_page(edited_site.url + "#flex")
    wait_for_view(page, "flex")
    chart = page.locator("#chart-flex-kw")
    assert chart.locator("[data-testid=no-values]").inner_text() == "No published values for this period."
    assert chart.locator("svg").count() == 0
    assert page.locator("#chart-flex-price svg g.price-buy path").count() == 1  # the prices still draw


def test_an_implausible_value_never_reaches_a_chart(edited_site: Site, aggregated_views: Path, open_page: Any) -> None:
    page, _ = open_page(edited_site.url + "#flex?region=QLD1")
    wait_for_view(page, "flex")
    ticks = page.locator("#chart-flex-price g[aria-label='y-axis tick label'] text").all_text_contents()
    top = max(float(t.replace(",", "").replace("−", "-")) for t in ticks)
    assert top <= 2000, f"the axis reaches {top} c/kWh: the outlier got through"
    assert "left out" in page.locator("#panel-flex [data-testid=implausible-notice]").inner_text()
    assert "e+" not in page.locator("#chart-flex-price p.finding").inner_text()
    for view, chart in [("ledger", "ledger-hourly"), ("spread", "spread-by-hour")]:
        page.click(f"#tab-{view}")
        wait_for_view(page, view)
        labels = page.locator(f"#chart-{chart} g[aria-label='y-axis tick label'] text").all_text_contents()
        assert all(len(label) < 12 for label in labels), labels
        assert page.locator(f"#panel-{view} [data-testid=implausible-notice]").count() == 1


def test_old_data_is_announced_with_its_age(aggregated_site: Site, aggregated_views: Path, open_page: Any) -> None:
    status = json.loads((aggregated_views / "status.json").read_text(encoding="utf-8"))
    newest = datetime.fromisoformat(status["last_updated"].replace("Z", "+00:00"))
    page, _ = open_page(aggregated_site.url)
    wait_for_view(page, "overview")
    assert status["demo"] is False, "the aggregated site is real data (the demo banner would replace the notice)"
    notice = page.locator("#stale-notice")
    notice.wait_for()
    days = round((datetime.now(UTC) - newest).total_seconds() / 86400)
    assert re.search(rf"\b{days} days old\b", notice.inner_text()), notice.inner_text()


def test_fresh_data_has_no_stale_notice(fresh_site: Site, open_page: Any) -> None:
    page, _ = open_page(fresh_site.url)
    wait_for_view(page, "overview")
    page.wait_for_function("() => document.body.dataset.demo === 'false'")
    assert page.locator("#stale-notice").is_hidden()
