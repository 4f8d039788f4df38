"""Layout on the real aggregation's views: charts draw at full scale on a phone (no nested figure
margins), no two legend labels overlap, and the first chart starts above the fold of a 390x844 phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.site.conftest import VIEW_IDS, Site, wait_for_view

pytestmark = pytest.mark.browser

CHART_VIEWS = VIEW_IDS[:-1]
PHONE = {"width": 390, "height": 844}

# Boxes of every label of every legend on the visible panel: Plot's colour ramps and swatches and the
# page's own legends. Grouped per legend, since labels of different legends may sit side by side.
LEGEND_BOXES = """() => {
  const panel = document.querySelector("[role=tabpanel]:not([hidden])");
  const groups = [];
  const boxes = (nodes) => [...nodes].map((n) => n.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0)
    .map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: "" }));
  for (const figure of panel.querySelectorAll(".chart-body > figure")) {
    for (const legend of figure.querySelectorAll(":scope > svg:not(:last-child)")) {
      const labels = legend.querySelectorAll("text");
      const found = boxes(labels);
      found.forEach((box, i) => (box.text = labels[i].textContent));
      groups.push({ where: figure.closest("figure.chart").id, boxes: found });
    }
    for (const swatches of figure.querySelectorAll(":scope > div[class*=swatches]")) {
      const labels = swatches.querySelectorAll("span[class*=swatch]");
      const found = boxes(labels);
      found.forEach((box, i) => (box.text = labels[i].textContent));
      groups.push({ where: figure.closest("figure.chart").id, boxes: found });
    }
  }
  for (const legend of panel.querySelectorAll(".legend")) {
    const labels = legend.querySelectorAll(":scope > span");
    const found = boxes(labels);
    found.forEach((box, i) => (box.text = labels[i].textContent));
    groups.push({ where: legend.closest("figure.chart").id, boxes: found });
  }
  return groups;
}"""


# How large the chart's own drawing renders against the size Plot drew it at (1 = full scale).
SCALE = """node => {
  const svg = node.querySelector(":scope > svg:last-of-type");
  return svg.getBoundingClientRect().width / Number(svg.getAttribute("width"));
}"""


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    tolerance = 0.5
    return (
        a["left"] < b["right"] - tolerance
        and b["left"] < a["right"] - tolerance
        and a["top"] < b["bottom"] - tolerance
        and b["top"] < a["bottom"] - tolerance
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_no_legend_labels_collide(aggregated_site: Site, open_page: Any, width: int) -> None:
    page, _ = open_page(aggregated_site.url, width=width)
    checked = 0
    for view in CHART_VIEWS:
        page.click(f"#tab-{view}")
        wait_for_view(page, view)
        for group in page.evaluate(LEGEND_BOXES):
            boxes = group["boxes"]
            checked += len(boxes)
            for i, a in enumerate(boxes):
                for b in boxes[i + 1 :]:
                    assert not _overlap(a, b), f"{group['where']}: “{a['text']}” overlaps “{b['text']}”"
    assert checked > 40, "the legends were found"


def test_heatmaps_draw_at_full_scale_on_a_phone(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#curtailment", **PHONE)
    wait_for_view(page, "curtailment")
    figures = page.locator("#panel-curtailment .chart-body > figure")
    assert figures.count() == 3
    for i in range(figures.count()):
        assert figures.nth(i).evaluate("node => getComputedStyle(node).margin") == "0px"
        scale = figures.nth(i).evaluate(SCALE)
        assert scale == pytest.approx(1, abs=0.01)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("view", CHART_VIEWS)
def test_the_first_chart_starts_above_the_fold_on_a_phone(aggregated_site: Site, open_page: Any, view: str) -> None:
    page, _ = open_page(aggregated_site.url + f"#{view}", **PHONE)
    wait_for_view(page, view)
    first = page.locator(f"#panel-{view} .chart-body").first
    top = first.evaluate("node => node.getBoundingClientRect().top + window.scrollY")
    assert top < PHONE["height"] - 60, f"the first chart of {view} starts {top:.0f} px down"
