"""Every chart read right, on the real aggregation's views: price axes readable in each decade (or
linear when the data fits), one price unit, 24-hour AEST times, counts named for what they count,
headline figures with period and denominator, the ledger's per-household / cohort-total switch, a
pointer tooltip on every time series and hour chart, a crosshair shared by stacked charts, a data
table for every figure and findings that name the peak and when."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import VIEW_IDS, Site, wait_for_view

pytestmark = pytest.mark.browser

CHART_VIEWS = VIEW_IDS[:-1]
# Charts over time or hour of day: each must show Plot's pointer tooltip when pointed at.
POINTED_CHARTS = [
    ("flex", "flex-kw"),
    ("flex", "flex-price"),
    ("ledger", "ledger-hourly"),
    ("ledger", "ledger-cumulative"),
    ("spread", "spread-by-hour"),
    ("spread", "spread-negative-days"),
    ("spread", "spread-negative"),
    ("assets", "assets-stored"),
    ("assets", "assets-setpoint"),
    ("assets", "assets-ev-states"),
    ("shadow", "shadow-by-hour"),
    ("shadow", "shadow-regions"),
    ("shadow", "shadow-binding"),
    ("curtailment", "curtailment-export_at_cap_share"),
    ("curtailment", "curtailment-import_binding_share"),
]
TICK_LABELS = "g[aria-label='{axis}-axis tick label'] text"


def _view(views: Path, name: str) -> dict[str, Any]:
    return json.loads((views / f"{name}.json").read_text(encoding="utf-8"))


def _ticks(page: Any, chart: str, axis: str) -> list[str]:
    return page.locator(f"#chart-{chart} {TICK_LABELS.format(axis=axis)}").all_text_contents()


def _number(label: str) -> float:
    return float(label.replace(",", "").replace("−", "-"))


def test_price_axis_is_linear_when_the_data_fits_and_readable_in_every_decade_when_not(
    aggregated_site: Site, open_page: Any
) -> None:
    page, _ = open_page(aggregated_site.url + "#flex")
    wait_for_view(page, "flex")
    linear, spiky = page.evaluate(
        """async () => {
            const { priceAxis } = await import('./src/axes.js');
            return [priceAxis([8, 12.5, 20, 31, 54.8]), priceAxis([...Array(50).fill(12), -3, 54.8, 630])];
        }"""
    )
    assert linear["type"] == "linear"
    assert spiky["type"] == "symlog"
    # Ticks at 1, 2 and 5 of every decade the data spans, both signs: never only 0, 1, 10 under a 630 peak.
    assert [t for t in spiky["ticks"] if t > 0] == [1, 2, 5, 10, 20, 50, 100, 200, 500]
    assert -2 in spiky["ticks"] and -1 in spiky["ticks"] and -5 not in spiky["ticks"]


def test_the_drawn_price_axis_has_a_tick_near_the_peak(
    aggregated_site: Site, aggregated_views: Path, open_page: Any
) -> None:
    series = _view(aggregated_views, "flex")["series"]["NEM"]
    prices = [100 * v for key in ("price_buy", "price_sell") for v in series[key] if v is not None]
    page, _ = open_page(aggregated_site.url + "#flex")
    wait_for_view(page, "flex")
    ticks = [_number(label) for label in _ticks(page, "flex-price", "y")]
    assert max(ticks) >= max(prices) / 2.5, f"top tick {max(ticks)} under a {max(prices)} c/kWh peak"
    assert min(ticks) <= min(0.0, *prices)


def test_times_are_24_hour_aest_and_prices_one_unit_in_every_view(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url)
    for view in CHART_VIEWS:
        page.click(f"#tab-{view}")
        wait_for_view(page, view)
        panel = page.locator(f"#panel-{view}")
        text = " ".join(panel.locator("figure.chart").all_inner_texts() + panel.locator("svg text").all_text_contents())
        assert not re.search(r"\b\d{1,2} ?[AP]M\b", text), f"12-hour time in {view}"
        assert "$/kWh" not in text, f"a price in $/kWh in {view}"
        assert "5-minute intervals" not in text
        for chart in panel.locator("figure.chart").all():
            for label in chart.locator(TICK_LABELS.format(axis="x")).all_text_contents():
                if ":" in label:
                    assert re.fullmatch(r"[0-2]\d:[0-5]\d", label), f"{label!r} in {view}"


def test_counts_and_headline_figures_say_what_they_count_and_over_which_period(
    aggregated_site: Site, aggregated_views: Path, open_page: Any
) -> None:
    status = _view(aggregated_views, "status")
    page, _ = open_page(aggregated_site.url)
    wait_for_view(page, "overview")
    saving = page.locator(".card", has_text="Saving vs baseline").inner_text()
    assert f"cohort total of {status['cohort_size']} households" in saving
    assert "per household" in saving
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} to \d{1,2} [A-Z][a-z]{2} \d{4}", saving), saving
    page.click("#tab-price-response")
    wait_for_view(page, "price-response")
    assert "household-intervals" in page.locator("#chart-price-response figcaption").inner_text()
    headers = page.locator("#chart-price-response th").all_text_contents()
    assert "Household-intervals" in headers and "Intervals" not in headers


def _csv(page: Any, chart: str) -> list[dict[str, str]]:
    with page.expect_download() as info:
        page.click(f"#chart-{chart} button:text('Download CSV')")
    return list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))


def test_ledger_switches_between_per_household_and_cohort_total(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#ledger", downloads=True)
    wait_for_view(page, "ledger")
    assert page.locator("#panel-ledger [data-value=household]").get_attribute("aria-pressed") == "true"
    assert "AUD per household" in page.locator("#chart-ledger-hourly figcaption").inner_text()
    per_household = _csv(page, "ledger-hourly")
    page.click("#panel-ledger [data-value=total]")
    page.wait_for_function("() => location.hash.includes('basis=total')")
    wait_for_view(page, "ledger")
    assert "cohort total" in page.locator("#chart-ledger-hourly figcaption").inner_text()
    totals = _csv(page, "ledger-hourly")
    compared = 0
    for mine, whole in zip(per_household, totals, strict=True):
        per_key = "Saving (AUD per household)"
        total_key = "Saving (AUD, cohort total)"
        if whole[total_key] and whole["Households"]:
            assert float(mine[per_key]) == pytest.approx(float(whole[total_key]) / float(whole["Households"]), rel=1e-6)
            compared += 1
    assert compared > 10


@pytest.mark.parametrize(("view", "chart"), POINTED_CHARTS, ids=[chart for _, chart in POINTED_CHARTS])
def test_pointing_at_a_chart_shows_its_tooltip(aggregated_site: Site, open_page: Any, view: str, chart: str) -> None:
    page, _ = open_page(aggregated_site.url + f"#{view}")
    wait_for_view(page, view)
    svg = page.locator(f"#chart-{chart} .chart-body svg").last
    svg.scroll_into_view_if_needed()  # as a reader scrolls to a chart below the fold
    box = svg.bounding_box()
    assert box is not None
    tip = page.locator(f"#chart-{chart} g[aria-label=tip]")
    shown = ""
    for fraction in (0.5, 0.4, 0.6, 0.3, 0.7):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.45)
        shown = " ".join(tip.all_text_contents()).strip()
        if shown:
            break
    assert shown, f"no tooltip on {chart}"


def test_stacked_charts_share_one_crosshair(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#flex")
    wait_for_view(page, "flex")
    box = page.locator("#chart-flex-kw .chart-body svg").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
    lines = page.locator(".crosshair:not([hidden])")
    lines.nth(1).wait_for()
    values = [lines.nth(i).get_attribute("data-value") for i in range(2)]
    assert values[0] == values[1]
    lefts = [lines.nth(i).bounding_box()["x"] for i in range(2)]  # type: ignore[index]
    assert lefts[0] == pytest.approx(lefts[1], abs=1.5)
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] + 400)
    page.wait_for_function("() => document.querySelectorAll('.crosshair:not([hidden])').length === 0")


def test_every_figure_has_a_data_table_and_a_finding(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#flex?region=QLD1")
    figures = 0
    for view in CHART_VIEWS:
        page.click(f"#tab-{view}")
        wait_for_view(page, view)
        for figure in page.locator(f"#panel-{view} figure.chart").all():
            figures += 1
            name = figure.get_attribute("id")
            assert figure.locator("details.table").count() == 1, f"{name} has no data table"
            assert len(figure.locator("p.finding").inner_text()) > 20
    assert figures >= 18


def test_the_finding_names_the_peak_and_when(aggregated_site: Site, aggregated_views: Path, open_page: Any) -> None:
    series = _view(aggregated_views, "flex")["series"]["NEM"]
    up = series["flex_up_kw"]
    peak = max(range(len(up)), key=lambda i: up[i] if up[i] is not None else float("-inf"))
    start = datetime.fromisoformat(series["start"].replace("Z", "+00:00")).astimezone(UTC)
    when = (start + timedelta(minutes=5 * peak, hours=10)).strftime("%Y-%m-%d %H:%M AEST")
    page, _ = open_page(aggregated_site.url + "#flex")
    wait_for_view(page, "flex")
    finding = page.locator("#chart-flex-kw p.finding").inner_text()
    assert "Flex up peaks at" in finding and when in finding, finding
