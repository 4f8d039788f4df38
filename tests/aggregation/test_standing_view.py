"""standing.json: per region, quantiles across households of the three measures, suppressed like any cell."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from aggregation.build import build
from tests.aggregation.helpers import NOW, day_lines, household_id, read_json, write_day

# QLD1 can be published; NSW1 and VIC1 are too small alone, and hidden together they pass the rule.
COHORT = {"QLD1": 6, "NSW1": 3, "VIC1": 3}


def test_region_quantiles_of_household_measures(tmp_path: Path) -> None:
    day = NOW - timedelta(days=1)
    flex_by_region: dict[str, list[float]] = {region: [] for region in COHORT}
    number = 0
    for region, households in COHORT.items():
        for _ in range(households):
            number += 1
            flex = float(number)  # each household offers its own constant flexibility
            binding_every = 1 + number % 3  # and sees its export envelope bind in every n-th interval
            lines = day_lines(day, 24, region=region, flex_available_up_kw=flex)
            lines = [
                line.replace('"shadow_envelope_export_price":null', '"shadow_envelope_export_price":-0.2')
                if index % binding_every == 0
                else line
                for index, line in enumerate(lines)
            ]
            write_day(tmp_path / "raw", household_id(number), day, lines)
            flex_by_region[region].append(flex)
    build(tmp_path / "raw", tmp_path / "cohort", tmp_path / "views", now=NOW)
    view = read_json(tmp_path / "views" / "standing.json")

    assert view["cohort_size"] == sum(COHORT.values())
    assert view["quantiles"] == [0.1, 0.25, 0.5, 0.75, 0.9]
    assert view["regions"]["NSW1"] is None and view["regions"]["VIC1"] is None  # too few households
    queensland = view["regions"]["QLD1"]
    assert queensland["households"] == 6
    expected = np.quantile(flex_by_region["QLD1"], view["quantiles"])
    assert queensland["flex_up_kw"] == pytest.approx(expected.tolist(), rel=1e-3)
    shares = [100 / (1 + n % 3) * len(range(0, 24, 1 + n % 3)) / (24 / (1 + n % 3)) for n in range(1, 7)]
    assert queensland["export_binding_share"] == pytest.approx(
        np.quantile(shares, view["quantiles"]).tolist(), rel=1e-3
    )
    nem = view["regions"]["NEM"]
    assert nem is not None and nem["households"] == 12
    assert view["meta"]["suppression"]["suppressed"] == 2
