"""Downloads from each chart, on the real aggregation's views: the CSV holds the rows the chart draws
with units in its header; the SVG and PNG are the drawing, made in the page with no request; the Data
page links the repository and its guides."""

from __future__ import annotations

import csv
import io
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import Site, wait_for_view

pytestmark = pytest.mark.browser

SVG = "{http://www.w3.org/2000/svg}"


def _download(page: Any, chart: str, label: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(f"#chart-{chart} button:text('{label}')")
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_csv_holds_the_rows_the_chart_draws_with_units(
    aggregated_site: Site, aggregated_views: Path, open_page: Any
) -> None:
    flex = json.loads((aggregated_views / "flex.json").read_text(encoding="utf-8"))["series"]["QLD1"]
    page, log = open_page(aggregated_site.url + "#flex?region=QLD1", downloads=True)
    wait_for_view(page, "flex")
    name, body = _download(page, "flex-price", "Download CSV")
    assert name == "flex-price.csv"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert list(rows[0]) == ["Start (AEST)", "Households", "Buy (c/kWh)", "Sell (c/kWh)", "suppressed"]
    assert len(rows) == len(flex["price_buy"])
    suppressed = set(flex["suppressed"])
    for i, row in enumerate(rows):
        assert row["suppressed"] == ("true" if i in suppressed else "false")
        value = flex["price_buy"][i]
        if i in suppressed or value is None:
            assert row["Buy (c/kWh)"] == ""
        else:
            assert float(row["Buy (c/kWh)"]) == pytest.approx(100 * value)
    assert rows[0]["Start (AEST)"].endswith("+10:00")
    assert rows[0]["Start (AEST)"].startswith(flex["start"][:10])
    # The table shows the same rows.
    assert f"({len(rows)} rows)" in page.locator("#chart-flex-price details.table summary").inner_text()
    assert all(url.startswith(aggregated_site.url) for url in log.requests)


def test_svg_is_a_standalone_drawing_with_its_colours(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#curtailment", downloads=True)
    wait_for_view(page, "curtailment")
    name, body = _download(page, "curtailment-export_at_cap_share", "Save SVG")
    assert name == "curtailment-export_at_cap_share.svg"
    root = ET.fromstring(body)
    assert root.tag == f"{SVG}svg"
    assert "Share of household-intervals exporting at the export cap" in (root.findtext(f"{SVG}title") or "")
    cells = [node for node in root.iter(f"{SVG}rect") if node.get("fill", "").startswith("rgb")]
    assert len(cells) > 24, "the heatmap's cells are in the file with their colours"
    painted = [node.get(attr, "") for node in root.iter() for attr in ("fill", "stroke")]
    assert not any("var(" in value for value in painted), "CSS variables do not resolve outside the page"
    assert root.find(f".//{SVG}pattern[@id='hatch']") is not None, "the hatch of suppressed cells is carried along"


def test_png_is_an_image_of_the_chart(aggregated_site: Site, open_page: Any) -> None:
    page, log = open_page(aggregated_site.url + "#ledger", downloads=True)
    wait_for_view(page, "ledger")
    box = page.locator("#chart-ledger-hourly .chart-body").bounding_box()
    assert box is not None
    name, body = _download(page, "ledger-hourly", "Save PNG")
    assert name == "ledger-hourly.png"
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    assert (width, height) == (2 * round(box["width"]), 2 * round(box["height"])) or abs(width - 2 * box["width"]) <= 2
    assert len(body) > 5000, "the image holds a drawing, not an empty canvas"
    assert all(url.startswith(aggregated_site.url) for url in log.requests)


def test_data_page_links_the_repository_and_its_guides(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#data")
    wait_for_view(page, "data")
    links = page.locator("#panel-data ul.links a")
    hrefs = dict(
        zip(links.all_inner_texts(), [links.nth(i).get_attribute("href") for i in range(links.count())], strict=True)
    )
    repository = hrefs["The repository"]
    assert repository.startswith("https://github.com/")
    assert hrefs["DATA.md"] == f"{repository}/blob/main/docs/DATA.md"
    assert hrefs["The install guide"] == f"{repository}/blob/main/docs/INSTALL.md"
    assert hrefs["Join the cohort"].startswith(f"{repository}/blob/main/docs/INSTALL.md#")
    assert page.locator("#repo-link").get_attribute("href") == repository
    # The guides the links name exist in this repository, with the anchor the join link uses.
    repo = Path(__file__).resolve().parents[2]
    anchor = hrefs["Join the cohort"].split("#", 1)[1]
    assert (repo / "docs" / "DATA.md").is_file()
    assert any(
        line.lower().lstrip("# ").replace(" ", "-") == anchor
        for line in (repo / "docs" / "INSTALL.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    )
