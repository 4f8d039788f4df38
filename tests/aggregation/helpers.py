"""Hand-made valid records and a tiny raw tree, for tests that need exact control of the input."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from custom_components.nem_flex_telemetry import record as rec

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def household_id(n: int) -> str:
    """A deterministic valid household id (a version-4 UUID)."""
    return str(uuid.UUID(int=n, version=4))


def make_record(moment: datetime, **changes: Any) -> dict[str, Any]:
    """A valid, energy-balanced record for ``moment`` with a battery; ``changes`` override top-level fields."""
    solar, house, setpoint = 3.0, 1.0, 1.5
    record: dict[str, Any] = {
        "schema_version": "2.0",
        "interval_start_utc": rec.format_utc(moment),
        "region": "NSW1",
        "postcode_prefix": "200",
        "net_import_kw": house + setpoint - solar,
        "solar_kw": solar,
        "house_load_kw": house,
        "deferrable_load_kw": 0.0,
        "naive_baseline_kw": house - solar,
        "naive_baseline_method": "subtraction",
        "price_signal_seen": 0.25,
        "price_export_seen": 0.05,
        "envelope_import_limit_kw": 14.0,
        "envelope_export_limit_kw": 5.0,
        "flex_available_up_kw": 2.0,
        "flex_available_down_kw": 3.0,
        "shadow_energy_price": 0.1,
        "shadow_load_forecast_price": 0.1,
        "shadow_solar_forecast_price": -0.1,
        "shadow_envelope_import_price": 0.0,
        "shadow_envelope_export_price": None,
        "assets": [
            {
                "asset_id": "home_battery",
                "kind": "stationary_battery",
                "bidirectional_capable": True,
                "capacity_kwh": 10.0,
                "soc_pct": 50.0,
                "setpoint_kw": setpoint,
                "available_up_kw": 3.0,
                "available_down_kw": 5.0,
                "shadow_power_balance_price": -0.05,
            }
        ],
        "deferrable_loads": [],
    }
    record.update(changes)
    return record


def day_lines(day: datetime, count: int = 288, **changes: Any) -> list[str]:
    """Canonical JSONL lines for the first ``count`` intervals of a UTC day."""
    return [rec.canonical_json(make_record(day + timedelta(minutes=5 * i), **changes)) for i in range(count)]


def write_day(raw: Path, household: str, day: datetime, lines: list[str] | bytes) -> Path:
    path = raw / rec.raw_path(household, rec.format_utc(day))
    path.parent.mkdir(parents=True, exist_ok=True)
    data = lines if isinstance(lines, bytes) else ("\n".join(lines) + "\n").encode()
    path.write_bytes(data)
    return path


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def without_generated_at(view: dict[str, Any]) -> dict[str, Any]:
    """A view (``meta.generated_at``) or the catalogue ``views.json`` (``generated_at``) without its build time."""
    copy = json.loads(json.dumps(view))
    copy.get("meta", copy).pop("generated_at")
    return dict(copy)
