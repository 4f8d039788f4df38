"""``datapackage.json`` (Frictionless): every published Parquet file with its schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from aggregation import cohort, jsonfile

FIELD_DOCS: Final[dict[str, tuple[str, str]]] = {
    "start": ("datetime", "interval start, UTC (the cell covers [start, start + resolution))"),
    "postcode_prefix": ("string", "first 3 digits of the postcode"),
    "households": ("integer", "households with at least one interval in the cell; null when suppressed"),
    "intervals": ("integer", "household 5-minute intervals in the cell"),
    "net_import_kwh": ("number", "kWh, sum over households of net import (+ import, - export)"),
    "net_import_kwh_mean": ("number", "kWh per household"),
    "net_import_kwh_p10": ("number", "kWh, 10th percentile over households"),
    "net_import_kwh_p50": ("number", "kWh, median over households"),
    "net_import_kwh_p90": ("number", "kWh, 90th percentile over households"),
    "import_kwh": ("number", "kWh imported"),
    "export_kwh": ("number", "kWh exported (positive)"),
    "solar_kwh": ("number", "kWh of solar generation"),
    "house_load_kwh": ("number", "kWh of house load"),
    "flex_up_kw": ("number", "kW, cohort total of flex_available_up_kw averaged over the cell"),
    "flex_down_kw": ("number", "kW, cohort total of flex_available_down_kw averaged over the cell"),
    "battery_setpoint_kw": ("number", "kW (+ charging), cohort total averaged over the cell"),
    "ev_setpoint_kw": ("number", "kW (+ charging), cohort total averaged over the cell"),
    "battery_stored_kwh": ("number", "kWh stored (capacity x SOC), cohort total averaged over the cell"),
    "ev_stored_kwh": ("number", "kWh stored in EVs, cohort total averaged over the cell"),
    "batteries": ("number", "stationary batteries, cohort count averaged over the cell"),
    "evs": ("number", "EVs, cohort count averaged over the cell"),
    "price_buy": ("number", "$/kWh, mean over household-intervals of price_signal_seen"),
    "price_sell": ("number", "$/kWh, mean over household-intervals of price_export_seen"),
    "cost_actual_aud": ("number", "AUD, import x buy - export x sell, x 5/60 per interval"),
    "cost_baseline_aud": ("number", "AUD, the same for naive_baseline_kw (intervals with a usable baseline)"),
    "saving_aud": (
        "number",
        "AUD, baseline cost - actual cost over the intervals with a usable baseline (a baseline equal to the "
        "house load, the prior system's meaning, is left out of both cost_baseline_aud and saving_aud)",
    ),
    "energy_balance_flagged": ("integer", "intervals flagged by the energy-balance check"),
    "suppressed": ("boolean", "true when the cell fails the small-cell rule; its values are then null"),
}
RESOURCES: Final = {
    "5min": ("cohort-5min", "region=*/month=*/part-0.parquet", cohort.VALUE_COLUMNS),
    "1h": ("cohort-hourly", "region=*/month=*/part-0.parquet", cohort.VALUE_COLUMNS),
    "1d": ("cohort-daily", "region=*/year=*/part-0.parquet", cohort.VALUE_COLUMNS),
    "1d_postcode": ("cohort-postcode-daily", "year=*/part-0.parquet", cohort.POSTCODE_COLUMNS),
}


def _fields(columns: tuple[str, ...], postcode: bool) -> list[dict[str, Any]]:
    names = ["start", *(["postcode_prefix"] if postcode else []), "households", *columns, "suppressed"]
    return [{"name": name, "type": FIELD_DOCS[name][0], "description": FIELD_DOCS[name][1]} for name in names]


def package(cohort_dir: Path) -> dict[str, Any]:
    resources = []
    for resolution, (name, pattern, columns) in RESOURCES.items():
        base = cohort_dir / f"resolution={resolution}"
        paths = sorted(str(path.relative_to(cohort_dir)) for path in base.glob(pattern))
        if not paths:
            continue
        postcode = resolution == "1d_postcode"
        fields = _fields(columns, postcode)
        if postcode:
            fields.insert(1, {"name": "region", "type": "string", "description": "NEM region"})
        resources.append(
            {
                "name": name,
                "path": paths,
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "compression": "zstd",
                "description": f"Cohort cells at {resolution} resolution, Hive-partitioned (partition keys are "
                "columns when read as a dataset: region, month or year). Times are UTC interval starts.",
                "schema": {"fields": fields},
            }
        )
    return {
        "name": "nem-flex-telemetry-cohort",
        "title": "NEM Flex Telemetry: household flexibility cohort",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "description": "Small-cell suppressed cohort aggregates of HAEO household telemetry; see docs/DATA.md.",
        "resources": resources,
    }


def write(cohort_dir: Path) -> None:
    path = cohort_dir / "datapackage.json"
    jsonfile.write(path, package(cohort_dir), indent=1)
