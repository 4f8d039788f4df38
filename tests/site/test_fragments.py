"""Any link fragment opens the dashboard: a bad escape, a very long one or an unknown view shows the
overview with a notice, and no script error."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Site, wait_for_view

pytestmark = pytest.mark.browser

NOTICE = "#fragment-notice"


@pytest.mark.parametrize(
    "fragment",
    [
        "%E0%A4%A",  # a truncated UTF-8 escape: decodeURIComponent throws URIError
        "%",
        "%ZZflex",
        "x" * 100_000,
        "flex" * 5000,
        "no-such-view",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
    ids=["bad-escape", "lone-percent", "bad-hex", "very-long", "long-repeated-view", "unknown", "markup"],
)
def test_any_fragment_shows_the_overview_with_a_notice(real_site: Site, open_page: Any, fragment: str) -> None:
    page, log = open_page(real_site.url + "#" + fragment)
    wait_for_view(page, "overview")
    assert page.locator("#panel-overview").get_attribute("data-state") == "ready"
    assert page.locator("#tab-overview").get_attribute("aria-selected") == "true"
    notice = page.locator(NOTICE)
    assert notice.is_visible()
    assert "overview is shown" in notice.inner_text()
    assert page.locator("script").filter(has_text="alert(1)").count() == 0
    assert log.errors == []


def test_notice_goes_when_a_view_is_chosen_and_a_good_link_shows_none(real_site: Site, open_page: Any) -> None:
    page, _ = open_page(real_site.url + "#%E0%A4%A")
    wait_for_view(page, "overview")
    assert page.locator(NOTICE).is_visible()
    page.click("#tab-flex")
    wait_for_view(page, "flex")
    assert page.locator(NOTICE).is_hidden()

    fresh, _ = open_page(real_site.url + "#flex")
    wait_for_view(fresh, "flex")
    assert fresh.locator(NOTICE).count() == 0
    encoded, _ = open_page(real_site.url + "#%66lex")  # an escaped but valid view id still opens it
    wait_for_view(encoded, "flex")
    assert encoded.locator("#tab-flex").get_attribute("aria-selected") == "true"
