"""A small synthetic cohort shared by the aggregation tests (made once per session)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aggregation.simulate import simulate


@pytest.fixture(scope="session")
def cohort_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 households x 2 days of simulated raw JSONL (read-only: copy before changing it)."""
    raw = tmp_path_factory.mktemp("sim") / "raw"
    simulate(40, 2, 7, raw, date(2026, 11, 2), workers=1)
    return raw
