"""The dashboard fault tests reuse the site harness (built dist served on 127.0.0.1, Debian's Chromium)."""

from tests.site.conftest import browser, demo_views, open_page, real_site  # noqa: F401  (fixtures)
