"""Home Assistant fault tests reuse the HA test fixtures (households, entries, the local GitHub)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory

from tests.faults.disk import tiny_disk
from tests.ha.conftest import (  # noqa: F401  (fixtures)
    GitHubClock,
    auto_enable_custom_integrations,
    battery_only,
    config_dir,
    github,
    github_clock,
    setup_entry,
    unload_entries_at_teardown,
)

NOW = datetime(2026, 11, 22, 3, 7, tzinfo=UTC)


@pytest.fixture(autouse=True)
def github_time(github_clock: GitHubClock, freezer: FrozenDateTimeFactory) -> None:  # noqa: F811
    """The local GitHub and Home Assistant agree on the time."""
    freezer.move_to(NOW)
    github_clock.now = NOW.timestamp()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs to hold Home Assistant's config folder (so the outbox)."""
    with tiny_disk(tmp_path / "disk") as disk:
        yield disk
