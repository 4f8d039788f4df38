"""axe-core (from the site's npm devDependencies) in Chromium on every view, light and dark, desktop
and phone (390x844): no serious or critical violation. The same pass writes a screenshot of every
view in every mode into artifacts/screenshots/ (NFT_ARTIFACTS overrides artifacts/) for review."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.site.conftest import ARTIFACTS, REPO, SCREENSHOTS, VIEW_IDS, Site, wait_for_view

pytestmark = pytest.mark.browser

AXE = REPO / "site" / "node_modules" / "axe-core" / "axe.min.js"
MODES = {
    "desktop-light": {"width": 1280, "height": 900, "color_scheme": "light"},
    "desktop-dark": {"width": 1280, "height": 900, "color_scheme": "dark"},
    "phone-light": {"width": 390, "height": 844, "color_scheme": "light"},
    "phone-dark": {"width": 390, "height": 844, "color_scheme": "dark"},
}
FAILING = {"serious", "critical"}
# Tables this short are opened before the check, so their markup is checked too.
OPEN_TABLES_UP_TO = 200

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}"""
OPEN_SHORT_TABLES = """(limit) => {
  for (const details of document.querySelectorAll("[role=tabpanel]:not([hidden]) details.table")) {
    const rows = Number((details.querySelector("summary").textContent.match(/\\((\\d+) rows\\)/) || [])[1]);
    if (rows <= limit) details.open = true;
  }
}"""


@pytest.mark.parametrize("mode", list(MODES))
def test_no_serious_axe_violation_on_any_view_and_screenshots(aggregated_site: Site, open_page: Any, mode: str) -> None:
    assert AXE.is_file(), "axe-core is missing: run npm ci in site/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, _ = open_page(aggregated_site.url, init_script=AXE, **MODES[mode])
    report: dict[str, list[dict[str, Any]]] = {}
    for view in VIEW_IDS:
        page.click(f"#tab-{view}")
        wait_for_view(page, view)
        page.evaluate(OPEN_SHORT_TABLES, OPEN_TABLES_UP_TO)
        report[view] = page.evaluate(RUN_AXE)
        shot = SCREENSHOTS / f"{view}-{mode}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5000
    (ARTIFACTS / f"axe-{mode}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    failing = {view: [v for v in found if v["impact"] in FAILING] for view, found in report.items()}
    assert not any(failing.values()), json.dumps({view: found for view, found in failing.items() if found}, indent=1)


def test_theme_switch_shows_its_state_and_keeps_its_name(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url)
    wait_for_view(page, "overview")
    toggle = page.locator("#theme-toggle")
    off_look = toggle.evaluate("node => getComputedStyle(node).backgroundColor")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert toggle.inner_text().strip().lower().endswith("off")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert toggle.inner_text().strip().lower().endswith("on")
    assert toggle.evaluate("node => getComputedStyle(node).backgroundColor") != off_look
    # Its accessible name stays "Dark theme"; the state is aria-pressed, not a changing label.
    assert page.get_by_role("button", name="Dark theme", pressed=True).count() == 1


def test_skip_link_moves_focus_to_the_content_and_keeps_the_view(aggregated_site: Site, open_page: Any) -> None:
    page, _ = open_page(aggregated_site.url + "#ledger", width=390, height=844)
    wait_for_view(page, "ledger")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "panels"
    assert page.evaluate("location.hash") == "#ledger"
    assert page.locator("#panel-ledger").is_visible()
    assert page.locator("nav .tablist[role=tablist]").count() == 1, "the tabs sit inside a navigation landmark"
