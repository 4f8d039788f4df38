"""SCHEMA.md's table of duals is the record module's; the range tolerance clamps float noise only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from custom_components.nem_flex_telemetry import record as rec
from tests.record.examples import record as valid_record

SCHEMA_MD = Path(__file__).resolve().parents[2] / "SCHEMA.md"


def _schema_dual_kinds() -> dict[str, str]:
    section = SCHEMA_MD.read_text(encoding="utf-8").split("## Shadow prices", 1)[1].split("\n## ", 1)[0]
    kinds = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if match := re.fullmatch(r"`(shadow_[a-z_]+)`", cells[0]):
            kinds[match.group(1)] = cells[3]
    return kinds


def test_schema_md_states_each_duals_kind_as_the_record_module_does() -> None:
    assert _schema_dual_kinds() == rec.DUAL_CONSTRAINTS
    assert set(rec.DUAL_CONSTRAINTS) == {*rec.DUAL_FIELDS, rec.ASSET_DUAL_FIELD}
    assert rec.ASSET_DUAL_FIELD in rec.ASSET_FIELDS
    # Balances are prices, never binding; the limits are the ones that bind.
    assert rec.BINDING_DUALS == (
        "shadow_solar_forecast_price",
        "shadow_envelope_import_price",
        "shadow_envelope_export_price",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100.00000000000003, 100.0),
        (-1e-9, 0.0),
        (100.01, 100.0),
        (-0.01, 0.0),
        (55.5, 55.5),
        (100.0101, None),
        (-0.0101, None),
        (120.0, None),
    ],
)
def test_clamp_to_range(value: float, expected: float | None) -> None:
    assert rec.clamp_to_range(value, *rec.PERCENT_RANGE) == expected


def test_a_clamped_record_validates_without_a_tolerance_of_its_own() -> None:
    record = valid_record()
    record["assets"][0]["soc_pct"] = rec.clamp_to_range(100.00000000000003, *rec.PERCENT_RANGE)
    assert rec.validate(record) == []
    record["assets"][0]["soc_pct"] = 100.00000000000003  # unclamped noise stays an error for validate
    assert [str(error) for error in rec.validate(record)] == [
        "assets[0].soc_pct: 100.00000000000003 is outside the range 0 to 100"
    ]
