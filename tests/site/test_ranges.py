"""The period choice and the Data page's downloads, against the view catalogue (views.json) the real
aggregation writes: each range loads its own file, the choice is kept in the link and shared by the
views that have it, and every download is linked with its size and the lines that load it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import Site, wait_for_view

pytestmark = pytest.mark.browser


def _catalogue(views: Path) -> dict[str, Any]:
    return json.loads((views / "views.json").read_text(encoding="utf-8"))


def _entry(catalogue: dict[str, Any], file: str) -> dict[str, Any]:
    return next(view for view in catalogue["views"] if view["file"] == file)


def test_each_range_loads_its_own_file_and_stays_in_the_link(
    aggregated_site: Site, aggregated_views: Path, open_page: Any
) -> None:
    flex = _entry(_catalogue(aggregated_views), "flex.json")
    page, log = open_page(aggregated_site.url + "#flex")
    wait_for_view(page, "flex")
    buttons = page.locator("#panel-flex [data-param=range] button")
    assert buttons.count() == len(flex["ranges"])
    assert page.locator(f"#panel-flex [data-value='{flex['default_range']}']").get_attribute("aria-pressed") == "true"
    other = next(range_id for range_id in flex["ranges"] if range_id != flex["default_range"])
    page.click(f"#panel-flex [data-param=range] [data-value='{other}']")
    page.wait_for_function(f"() => location.hash === '#flex?range={other}'")
    wait_for_view(page, "flex")
    file = flex["ranges"][other]
    assert any(url.endswith(f"data/{file}") for url in log.requests)
    assert page.locator(f"#panel-flex a[href='data/{file}']").count() == 1  # the provenance links the file drawn
    assert page.locator(f"#panel-flex [data-value='{other}']").get_attribute("aria-pressed") == "true"
    body = json.loads((aggregated_views / file).read_text(encoding="utf-8"))
    assert body["meta"]["range"] == other
    rows = page.locator("#chart-flex-kw details.table summary").inner_text()
    assert f"({len(body['series']['NEM']['flex_up_kw'])} rows)" in rows
    page.go_back()
    pressed = f"#panel-flex [data-value='{flex['default_range']}'][aria-pressed=true]"
    page.wait_for_selector(pressed)


def test_the_range_is_shared_by_views_that_have_it(
    aggregated_site: Site, aggregated_views: Path, open_page: Any
) -> None:
    catalogue = _catalogue(aggregated_views)
    ledger = _entry(catalogue, "ledger.json")
    flex = _entry(catalogue, "flex.json")
    shared = next(
        range_id for range_id in flex["ranges"] if range_id in ledger["ranges"] and range_id != flex["default_range"]
    )
    page, log = open_page(aggregated_site.url + f"#flex?range={shared}")
    wait_for_view(page, "flex")
    page.click("#tab-ledger")
    wait_for_view(page, "ledger")
    assert page.locator(f"#panel-ledger [data-value='{shared}']").get_attribute("aria-pressed") == "true"
    assert any(url.endswith(f"data/{ledger['ranges'][shared]}") for url in log.requests)
    page.click("#tab-overview")  # a view without a period choice ignores it, without a notice
    wait_for_view(page, "overview")
    assert page.locator("#panel-overview [data-testid=param-notice]").count() == 0


def test_an_unknown_range_falls_back_to_the_default_with_a_notice(
    aggregated_site: Site, aggregated_views: Path, open_page: Any
) -> None:
    flex = _entry(_catalogue(aggregated_views), "flex.json")
    page, _ = open_page(aggregated_site.url + "#flex?range=1y")
    wait_for_view(page, "flex")
    notice = page.locator("#panel-flex [data-testid=param-notice]")
    assert "“1y”" in notice.inner_text()
    assert page.locator(f"#panel-flex [data-value='{flex['default_range']}']").get_attribute("aria-pressed") == "true"


def test_data_page_links_every_download_with_its_size_and_loading_lines(
    aggregated_site: Site, aggregated_views: Path, open_page: Any
) -> None:
    downloads = _catalogue(aggregated_views)["downloads"]
    assert downloads, "the catalogue lists downloads"
    page, _ = open_page(aggregated_site.url + "#data")
    wait_for_view(page, "data")
    items = page.locator("#panel-data [data-testid=download]")
    assert items.count() == len(downloads)
    for i, download in enumerate(downloads):
        item = items.nth(i)
        link = item.locator("a").first
        assert link.get_attribute("href") == download["path"]
        text = item.inner_text()
        assert re.search(r"\d[\d.,]* (bytes|KB|MB|GB)", text), text
        response = page.request.get(aggregated_site.url + download["path"])
        assert response.ok, f"{download['path']} is not served"
        assert len(response.body()) == download["bytes"]
        if download["format"] in {"parquet", "csv", "json"}:
            item.locator("summary").click()
            code = item.locator("pre").all_inner_texts()
            address = aggregated_site.url + download["path"]
            assert len(code) == 3 and all(address in line for line in code)
            assert {"import pandas", "import duckdb", "import polars"} <= {
                line.splitlines()[0].split(" as ")[0].split(",")[0] for line in code
            }
