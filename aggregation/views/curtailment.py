"""``curtailment.json``: how often export and import envelopes bind, by region and AEST hour."""

from __future__ import annotations

from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

from aggregation.views.common import Inputs, count, households_in, meta, ordered_regions, region_cells, sig4, with_nem

AT_CAP: float = 0.98  # within 2 % of the envelope
BINDING: float = 1e-6


def _shares(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for side, power, limit, dual in (
        ("export", "export_kw", "envelope_export_limit_kw", "shadow_envelope_export_price"),
        ("import", "import_kw", "envelope_import_limit_kw", "shadow_envelope_import_price"),
    ):
        out[f"{side}_at_cap"] = ((frame[limit] > 0) & (frame[power] >= AT_CAP * frame[limit])).astype(float)
        binding = frame[dual].abs() > BINDING
        out[f"{side}_binding"] = binding.astype(float)
        out[f"{side}_dual"] = frame[dual].where(binding)
    out["export_kwh"] = frame["export_kw"] * 5 / 60
    return out


def build(inputs: Inputs) -> dict[str, Any]:
    days = inputs.window_days()
    frame = inputs.records()
    rows: list[dict[str, Any]] = []
    if not frame.empty:
        cells = region_cells(frame, ["hour_aest"])
        data = with_nem(pd.concat([frame[["region", "hour_aest"]], _shares(frame)], axis=1))
        grouped = data.groupby(["region", "hour_aest"], sort=True)
        stats = grouped.agg(
            intervals=("export_at_cap", "size"),
            export_at_cap_share=("export_at_cap", "mean"),
            export_binding_share=("export_binding", "mean"),
            export_dual_mean=("export_dual", "mean"),
            export_kwh=("export_kwh", "sum"),
            import_at_cap_share=("import_at_cap", "mean"),
            import_binding_share=("import_binding", "mean"),
            import_dual_mean=("import_dual", "mean"),
        ).reset_index()
        merged = ordered_regions(cells.merge(stats, on=["region", "hour_aest"]))
        for cell in merged.to_dict("records"):
            hidden = bool(cell["suppressed"])
            row: dict[str, Any] = {"region": cell["region"], "hour_aest": int(cell["hour_aest"])}
            row["households"] = None if hidden else count(cell["households"])
            row["intervals"] = None if hidden else count(cell["intervals"])
            for name in (
                "export_at_cap_share",
                "export_binding_share",
                "export_dual_mean",
                "export_kwh",
                "import_at_cap_share",
                "import_binding_share",
                "import_dual_mean",
            ):
                row[name] = None if hidden else sig4(cell[name])
            row["suppressed"] = hidden
            rows.append(row)
    units = {
        "export_at_cap_share": "share 0-1",
        "export_binding_share": "share 0-1",
        "export_dual_mean": "$/kWh",
        "export_kwh": "kWh",
        "import_at_cap_share": "share 0-1",
        "import_binding_share": "share 0-1",
        "import_dual_mean": "$/kWh",
    }
    notes = (
        "Last 28 days of data. At cap: export (or import) power within 2 % of the envelope. Binding: the "
        "envelope's dual is non-zero (|dual| > 1e-6); a null dual counts as not binding. Dual means are over "
        "binding intervals. Hours are AEST (UTC+10)."
    )
    flags = [row["suppressed"] for row in rows]
    head = meta(
        inputs,
        "curtailment",
        "Export curtailment and envelopes",
        days,
        households_in(inputs, days),
        units,
        notes,
        flags,
    )
    return {"meta": head, "cells": rows}
