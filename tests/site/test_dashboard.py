"""The dashboard in Chromium: views, demo banner, tab links, suppression, escaping, broken files."""

from __future__ import annotations

import gzip
from urllib.parse import urlsplit

import pytest

from tests.site.conftest import VIEW_IDS, Site, wait_for_view

pytestmark = pytest.mark.browser

# (view, CSS selector of marks, count the fixture views must produce): 6 regions x 24 hours = 144
# heatmap cells of which the fixtures suppress one; 48 hourly points of which one is suppressed.
EXPECTED_MARKS = [
    ("overview", "g.regions-households rect", 3),
    ("overview", "g.regions-suppressed rect", 2),
    ("flex", "#chart-flex-kw g.flex-up path", 1),
    ("flex", "#chart-flex-kw g.suppressed-spans rect", 1),
    ("flex", "#chart-flex-price g.price-buy path", 1),
    ("price-response", "g.bins-solid circle", 5),
    ("price-response", "g.bins-thin circle", 2),
    ("price-response", "g.bin-counts text", 7),
    ("curtailment", "#chart-curtailment-export_at_cap_share g.cells-value rect", 143),
    ("curtailment", "#chart-curtailment-export_at_cap_share g.cells-suppressed rect", 1),
    ("ledger", "#chart-ledger-hourly g.ledger-bars rect", 47),
    ("ledger", "#chart-ledger-cumulative g.ledger-cumulative path", 1),
    ("spread", "#chart-spread-negative g.cells-value rect", 143),
    ("spread", "#chart-spread-negative-days g.negative-days rect", 2),
    ("assets", "#chart-assets-ev-states g.ev-states rect", 23 * 5),
    ("assets", "#chart-assets-ev-states g.ev-suppressed rect", 1),
    ("assets", "#chart-assets-stored g.assets-stored path", 2),
    ("shadow", "#chart-shadow-regions g.cells-value rect", 143),
    ("shadow", "#chart-shadow-binding g.cells-value rect", 6 * 24),
    ("shadow", "#chart-shadow-by-hour g.shadow-median path", 1),
]


def _site(request: pytest.FixtureRequest, name: str) -> Site:
    return request.getfixturevalue(f"{name}_site")


@pytest.mark.parametrize("state", ["real", "demo"])
@pytest.mark.parametrize(("view", "selector", "count"), EXPECTED_MARKS)
def test_view_draws_the_fixture_marks(request, open_page, state, view, selector, count) -> None:
    page, _ = open_page(_site(request, state).url + f"#{view}")
    wait_for_view(page, view)
    assert page.locator(f"#panel-{view} {selector}").count() == count


@pytest.mark.parametrize("state", ["real", "demo"])
def test_every_view_has_title_explanation_provenance_and_data_link(request, open_page, state) -> None:
    page, _ = open_page(_site(request, state).url)
    folder = "data" if state == "real" else "demo"
    for view in VIEW_IDS[:-1]:
        page.click(f"#tab-{view}")
        wait_for_view(page, view)
        panel = page.locator(f"#panel-{view}")
        assert panel.locator("h2").inner_text().strip()
        assert len(panel.locator("p.explain").inner_text()) > 150
        assert "60 households" in panel.locator("p.provenance").first.inner_text()
        assert panel.locator(f"a[href^='{folder}/'][download]").count() == 1
        assert panel.locator("[data-drawn=true]").count() >= 1


def test_demo_banner_shows_only_in_the_demo_state(real_site, demo_site, open_page) -> None:
    real, _ = open_page(real_site.url)
    wait_for_view(real, "overview")
    assert real.locator("#demo-banner").is_hidden()
    demo, _ = open_page(demo_site.url + "#ledger")
    wait_for_view(demo, "ledger")
    banner = demo.locator("#demo-banner")
    assert banner.is_visible()
    assert "synthetic sample" in banner.inner_text()
    assert demo.locator("#panel-ledger").get_attribute("data-source") == "demo"


@pytest.mark.parametrize("view", VIEW_IDS)
def test_tab_link_opens_its_view_from_a_fresh_load(real_site, open_page, view) -> None:
    page, _ = open_page(real_site.url + f"#{view}")
    wait_for_view(page, view)
    assert page.locator(f"#tab-{view}").get_attribute("aria-selected") == "true"
    assert page.locator("[role=tabpanel]:not([hidden])").count() == 1
    assert page.locator(f"#panel-{view}").is_visible()


def test_tabs_work_from_the_keyboard(real_site, open_page) -> None:
    page, _ = open_page(real_site.url)
    wait_for_view(page, "overview")
    page.focus("#tab-overview")
    page.keyboard.press("ArrowRight")
    wait_for_view(page, "flex")
    assert page.url.endswith("#flex")
    assert page.evaluate("document.activeElement.id") == "tab-flex"
    page.keyboard.press("End")
    page.wait_for_selector("#panel-data:not([hidden])")
    assert page.locator("[role=tablist] [role=tab]").count() == len(VIEW_IDS)


def test_page_requests_only_its_own_server(real_site, open_page) -> None:
    page, log = open_page(real_site.url)
    for view in VIEW_IDS:
        page.click(f"#tab-{view}")
        wait_for_view(page, view)
    assert log.requests, "the route handler saw no requests"
    assert all(url.startswith(real_site.url) for url in log.requests)
    assert any(url.endswith("vendor/plot.umd.min.js") for url in log.requests)


def test_suppressed_cells_are_drawn_as_suppressed_not_zero(real_site, open_page) -> None:
    page, _ = open_page(real_site.url + "#curtailment")
    wait_for_view(page, "curtailment")
    group = page.locator("#chart-curtailment-export_at_cap_share g.cells-suppressed")
    assert group.get_attribute("fill") == "url(#hatch)"
    cell = group.locator("rect")
    cell.hover()  # the pointer tooltip explains the hatch
    tip = page.locator("#chart-curtailment-export_at_cap_share g[aria-label=tip]")
    assert "SA1, 03:00 AEST: suppressed" in " ".join(tip.all_text_contents())
    page.click("#chart-curtailment-export_at_cap_share details.table summary")
    row = page.locator("#chart-curtailment-export_at_cap_share tr", has_text="SA1").filter(has_text="03:00")
    assert "suppressed" in row.inner_text()
    assert " 0 " not in f" {row.inner_text()} "


def test_hours_and_times_are_labelled_aest(real_site, open_page) -> None:
    page, _ = open_page(real_site.url + "#flex")
    wait_for_view(page, "flex")
    assert "Time (AEST)" in page.locator("#chart-flex-kw svg").first.text_content()
    # The fixture starts at 2026-11-15T00:00Z: 10:00 in market time.
    assert "2026-11-15 10:00 AEST" in page.locator("#panel-flex p.provenance").first.inner_text()


def test_html_in_data_is_shown_as_text(real_site, open_page) -> None:
    page, _ = open_page(real_site.url + "#flex")
    wait_for_view(page, "flex")
    notes = page.locator("#panel-flex p.notes")
    assert '<img src=x onerror="window.__xss=1">' in notes.inner_text()
    assert notes.locator("img, script").count() == 0
    assert page.evaluate("window.__xss") is None


def test_a_corrupt_view_file_degrades_only_its_own_tab(broken_site, open_page) -> None:
    page, _ = open_page(broken_site.url + "#flex")
    wait_for_view(page, "flex")
    notice = page.locator("#panel-flex [data-testid=view-demo-notice]")
    assert "data/flex.json is not valid JSON" in notice.inner_text()
    assert page.locator("#panel-flex [data-drawn=true]").count() == 2
    assert page.locator("#demo-banner").is_hidden()

    page.click("#tab-shadow")
    wait_for_view(page, "shadow")
    error = page.locator("#panel-shadow [data-testid=view-error]")
    assert "data/shadow.json is empty" in error.inner_text()
    assert "demo/shadow.json is missing" in error.inner_text()

    page.click("#tab-overview")
    wait_for_view(page, "overview")
    notice = page.locator("#panel-overview [data-testid=view-demo-notice]")
    assert "data/status.json does not hold a JSON object" in notice.inner_text()
    assert page.locator("#demo-banner").is_hidden()

    page.click("#tab-ledger")
    wait_for_view(page, "ledger")
    assert page.locator("#panel-ledger").get_attribute("data-source") == "data"
    assert page.locator("#panel-ledger [data-testid=view-demo-notice]").count() == 0
    assert page.locator("#panel-ledger [data-drawn=true]").count() == 2


@pytest.mark.parametrize("view", ["flex", "price-response", "curtailment", "ledger", "spread", "assets", "shadow"])
def test_a_young_cohort_says_how_many_households_it_needs(young_site, open_page, view) -> None:
    page, _ = open_page(young_site.url + f"#{view}")
    wait_for_view(page, view)
    notice = page.locator(f"#panel-{view} [data-testid=privacy-notice]").first
    assert "needs 3 more households" in notice.inner_text()
    assert page.locator(f"#panel-{view} svg").count() == 0


def test_theme_toggle_switches_to_dark_and_remembers(real_site, open_page) -> None:
    page, _ = open_page(real_site.url + "#spread")
    wait_for_view(page, "spread")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle = page.locator("#theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light
    page.reload()
    wait_for_view(page, "spread")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"


def test_dark_system_preference_applies_without_the_toggle(real_site, open_page) -> None:
    page, _ = open_page(real_site.url, color_scheme="dark")
    wait_for_view(page, "overview")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"


def test_charts_fit_a_phone_and_redraw_on_resize(real_site, open_page) -> None:
    page, _ = open_page(real_site.url + "#ledger", width=390)
    wait_for_view(page, "ledger")
    narrow = page.evaluate("document.querySelector('#chart-ledger-hourly svg').getAttribute('width')")
    assert int(narrow) <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function(
        "() => Number(document.querySelector('#chart-ledger-hourly svg').getAttribute('width')) > 900"
    )


def test_each_chart_has_a_text_alternative(real_site, open_page) -> None:
    page, _ = open_page(real_site.url + "#assets")
    wait_for_view(page, "assets")
    bodies = page.locator("#panel-assets .chart-body")
    for i in range(bodies.count()):
        assert bodies.nth(i).get_attribute("role") == "img"
        assert len(bodies.nth(i).get_attribute("aria-label") or "") > 20
    assert page.locator("#panel-assets details.table table th").count() >= 4


def test_first_view_transfers_under_400_kb_gzipped(real_site, open_page) -> None:
    page, log = open_page(real_site.url)
    wait_for_view(page, "overview")
    paths = {urlsplit(url).path.lstrip("/") or "index.html" for url in log.requests}
    files = [real_site.folder / path for path in paths]
    assert all(file.is_file() for file in files), "every request is a file of the build"
    assert sum(len(gzip.compress(file.read_bytes())) for file in files) < 400 * 1024


def test_dark_theme_chart_text_follows_the_theme(real_site, open_page) -> None:
    page, _ = open_page(real_site.url + "#shadow", color_scheme="dark")
    wait_for_view(page, "shadow")
    legend_text = page.locator("#chart-shadow-regions svg text").first
    # Axis and legend text follow the theme (light text on the dark background).
    assert legend_text.evaluate("node => getComputedStyle(node).fill") != "rgb(0, 0, 0)"
