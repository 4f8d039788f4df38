"""The page's state lives in the link: view, region and the ledger's basis are restored on load,
shared across views, kept by back and forward, and a value the view lacks falls back with a notice.
Each chart has a link that opens its view and scrolls to it. Runs on the real aggregation's views."""

from __future__ import annotations

from typing import Any

import pytest

from tests.site.conftest import Site, wait_for_view

pytestmark = pytest.mark.browser


def _region(page: Any, view: str) -> str:
    return page.locator(f"#panel-{view} select[name=region]").input_value()


def test_region_in_the_link_is_restored_on_load_and_names_the_title(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#flex?region=VIC1")
    wait_for_view(page, "flex")
    assert _region(page, "flex") == "VIC1"
    assert "VIC1" in page.locator("#chart-flex-kw figcaption").inner_text()
    assert page.title().startswith("Cohort flexibility")
    assert "VIC1" in page.title()
    assert page.locator("[data-testid=param-notice]").count() == 0


def test_region_is_shared_across_views_and_back_and_forward_restore_it(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#flex")
    wait_for_view(page, "flex")
    assert _region(page, "flex") == "NEM"
    page.focus("#panel-flex select[name=region]")
    page.select_option("#panel-flex select[name=region]", "QLD1")
    page.wait_for_function("() => location.hash === '#flex?region=QLD1'")
    wait_for_view(page, "flex")
    assert "QLD1" in page.locator("#chart-flex-kw figcaption").inner_text()
    page.wait_for_function("() => document.activeElement.name === 'region'")  # focus stays on the picker

    page.click("#tab-ledger")  # the tab link carries the region
    wait_for_view(page, "ledger")
    assert page.evaluate("location.hash") == "#ledger?region=QLD1"
    assert _region(page, "ledger") == "QLD1"
    assert "QLD1" in page.title() and page.title().startswith("Counterfactual ledger")

    page.go_back()
    page.wait_for_function("() => location.hash === '#flex?region=QLD1'")
    wait_for_view(page, "flex")
    page.go_back()
    page.wait_for_function("() => location.hash === '#flex'")
    page.wait_for_function("() => document.querySelector('#panel-flex select[name=region]').value === 'NEM'")
    assert "NEM" in page.locator("#chart-flex-kw figcaption").inner_text()
    page.go_forward()
    page.wait_for_function("() => document.querySelector('#panel-flex select[name=region]').value === 'QLD1'")


@pytest.mark.parametrize("query", ["region=XX9", "region=%3Cb%3Ebold%3C%2Fb%3E", "basis=nonsense"])
def test_an_unknown_value_falls_back_with_a_visible_notice(aggregated_site: Site, open_page: Any, query: str) -> None:
    page, _ = open_page(aggregated_site.url + f"#ledger?{query}")
    wait_for_view(page, "ledger")
    notice = page.locator("#panel-ledger [data-testid=param-notice]")
    assert notice.is_visible()
    assert "this view does not have" in notice.inner_text()
    assert notice.locator("b").count() == 0  # a value from the link is text, never markup
    assert _region(page, "ledger") == "NEM"
    assert page.locator("#panel-ledger [data-value=household]").get_attribute("aria-pressed") == "true"


def test_a_chart_link_opens_its_view_and_scrolls_to_the_chart(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#overview")
    wait_for_view(page, "overview")
    page.goto(aggregated_site.url + "#chart-shadow-binding?region=VIC1")
    wait_for_view(page, "shadow")
    assert page.locator("#tab-shadow").get_attribute("aria-selected") == "true"
    assert _region(page, "shadow") == "VIC1"
    page.wait_for_function("() => document.activeElement.id === 'chart-shadow-binding'")
    top, bottom, at_end = page.evaluate(
        """() => { const box = document.getElementById('chart-shadow-binding').getBoundingClientRect();
        const end = Math.ceil(window.scrollY + window.innerHeight) >= document.documentElement.scrollHeight;
        return [box.top, box.bottom, end]; }"""
    )
    # At the top of the window, or (a chart near the end of the page) the page at its end, the chart in view.
    assert 0 <= top < 50 or (at_end and top >= 0 and bottom <= 900), f"the chart starts {top} px from the top"
    # Each chart's own link names it and keeps the current parameters.
    href = page.locator("#chart-shadow-by-hour .chart-tools a").get_attribute("href")
    assert href == "#chart-shadow-by-hour?region=VIC1"


def test_a_fresh_load_of_a_chart_link_lands_on_the_chart(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#chart-ledger-cumulative?basis=total")
    wait_for_view(page, "ledger")
    page.wait_for_function("() => document.activeElement.id === 'chart-ledger-cumulative'")
    assert page.locator("#panel-ledger [data-value=total]").get_attribute("aria-pressed") == "true"
    assert page.locator("#fragment-notice").count() == 0
