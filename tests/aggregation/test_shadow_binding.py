"""The shadow view counts "binding" only for inequality duals (record.DUAL_CONSTRAINTS, SCHEMA.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from aggregation.build import build
from custom_components.nem_flex_telemetry.record import BINDING_DUALS, DUAL_CONSTRAINTS, EQUALITY


def test_binding_share_only_for_inequality_duals(cohort_raw: Path, tmp_path: Path) -> None:
    build(cohort_raw, tmp_path / "cohort", tmp_path / "views", now=datetime(2026, 11, 20, tzinfo=UTC), demo=True)
    view = json.loads((tmp_path / "views" / "shadow.json").read_text())
    published = [cell for cell in view["cells"] if not cell["suppressed"]]
    by_dual = {dual: [cell for cell in published if cell["dual"] == dual] for dual in view["duals"]}
    assert set(by_dual) == set(DUAL_CONSTRAINTS)
    for dual, cells in by_dual.items():
        assert cells, dual
        shares = [cell["binding_share"] for cell in cells]
        if DUAL_CONSTRAINTS[dual] == EQUALITY:
            # The Switchboard's price is non-zero nearly always; that is a price, not a binding constraint.
            assert shares == [None] * len(cells), dual
            assert any(cell["mean"] for cell in cells)
        else:
            assert all(0.0 <= share <= 1.0 for share in shares), dual
    export = by_dual["shadow_envelope_export_price"]
    assert any(cell["binding_share"] > 0 for cell in export), "midday export envelopes bind"
    assert all(dual in view["meta"]["notes"] for dual in BINDING_DUALS)
