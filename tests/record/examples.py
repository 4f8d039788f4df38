"""Hand-written records in the shape the published schema 2.0 documents."""

from __future__ import annotations

import copy
from typing import Any

BATTERY: dict[str, Any] = {
    "asset_id": "home_battery",
    "kind": "stationary_battery",
    "bidirectional_capable": True,
    "capacity_kwh": 13.5,
    "soc_pct": 56.0,
    "setpoint_kw": 2.0,
    "available_up_kw": 3.0,
    "available_down_kw": 7.0,
    "shadow_power_balance_price": -0.058,
}
EV: dict[str, Any] = {
    "asset_id": "ev1",
    "kind": "ev",
    "bidirectional_capable": False,
    "capacity_kwh": 75.0,
    "soc_pct": 61.5,
    "setpoint_kw": 4.0,
    "available_up_kw": 3.0,
    "available_down_kw": 4.0,
    "shadow_power_balance_price": None,
    "connection_state": "charging",
    "power_flow_capability": "charge_only",
    "departure_target_pct": 80,
    "departure_time_utc": "2026-07-14T21:30:00Z",
}
RECORD: dict[str, Any] = {
    "schema_version": "2.0",
    "interval_start_utc": "2026-07-14T00:05:00Z",
    "region": "NSW1",
    "postcode_prefix": "204",
    "net_import_kw": -3.2,
    "solar_kw": 9.8,
    "house_load_kw": 0.6,
    "deferrable_load_kw": 0.0,
    "naive_baseline_kw": -5.2,
    "naive_baseline_method": "subtraction",
    "price_signal_seen": 0.1523,
    "price_export_seen": 0.06,
    "envelope_import_limit_kw": 14.0,
    "envelope_export_limit_kw": 5.0,
    "flex_available_up_kw": 6.0,
    "flex_available_down_kw": 1.8,
    "shadow_energy_price": 0.06,
    "shadow_load_forecast_price": 0.06,
    "shadow_solar_forecast_price": -0.06,
    "shadow_envelope_import_price": 0.0,
    "shadow_envelope_export_price": None,
    "assets": [BATTERY, EV],
    "deferrable_loads": [],
}


def record(**changes: Any) -> dict[str, Any]:
    """A deep copy of RECORD with top-level changes applied."""
    result = copy.deepcopy(RECORD)
    result.update(changes)
    return result
